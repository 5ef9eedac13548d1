// The routing benchmark's capacity figure: offered load of shortest-path forwarding, checked by hand
// on a line and against the count of transmissions it implies.
import { describe, expect, it } from "vitest";
import { shortestPathChannelLoad } from "../../host/bench/channel-load.js";

describe("shortest-path channel load", () => {
  it("matches a hand count on a three-node line", () => {
    // 0 — 1 — 2, each node sending 1 message/s to a random other one (½ /s to each), 0.1 s per frame.
    // Transmissions/s: node 0 sends its own (1), node 1 its own (1) and 0↔2's relays (½ + ½), node 2 1.
    const line = [[1], [0, 2], [1]];
    const load = shortestPathChannelLoad(line, line, 1, 0.1);
    // Node 1 hears 0 and 2 and sends itself: (1 + 2 + 1) × 0.1; the ends (1 + 2) × 0.1.
    expect(load.busiestErlang).toBeCloseTo(0.4, 12);
    expect(load.medianErlang).toBeCloseTo(0.3, 12);
    expect(load.busiestTransmitShare).toBeCloseTo(0.2, 12);
    expect(load.meanHops).toBeCloseTo(8 / 6, 12);
  });

  it("splits flow evenly over equally short next hops, and conserves it", () => {
    // A 4-cycle: 0 — 1 — 3 — 2 — 0. From 0 to 3 half goes through 1, half through 2.
    const cycle = [
      [1, 2],
      [0, 3],
      [0, 3],
      [1, 2],
    ];
    const load = shortestPathChannelLoad(cycle, [[], [], [], []], 3, 1);
    // Every node sends 3/s; relays: each opposite pair (2 pairs × 2 directions × 1/s) adds 1/s, split
    // over two relays. Total transmissions = Σ pairs × hops × rate = (8 × 1 + 4 × 2) × 1 = 16 /s.
    expect(load.meanHops).toBeCloseTo((8 * 1 + 4 * 2) / 12, 12);
    // Nobody hears anybody here: each node's channel carries only its own 4 transmissions/s.
    expect(load.busiestErlang).toBeCloseTo(4, 12);
    expect(load.medianErlang).toBeCloseTo(4, 12);
  });
});
