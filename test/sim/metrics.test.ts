import { describe, expect, it } from "vitest";
import {
  airtimePerDeliveredMs,
  busiestNode,
  deliveryWindows,
  hopSummary,
  recoveredFromS,
} from "../../host/sim/metrics.js";
import { percentile } from "../../host/sim/result.js";

describe("latency percentiles", () => {
  it("take the nearest rank: the median of 1..10 is 5, p95 is 10, and of 1..100 p95 is 95", () => {
    const ten = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(percentile(ten, 0.5)).toBe(5);
    expect(percentile(ten, 0.95)).toBe(10);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 0.5)).toBe(50);
    expect(percentile(hundred, 0.95)).toBe(95);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe("routing costs of a hand-made run", () => {
  // Four nodes: 1 s, 3 s, 4 s and 2 s of airtime (control traffic included) for 5 delivered messages.
  const nodes = [
    { id: "a", airtimeMs: 1000 },
    { id: "b", airtimeMs: 3000 },
    { id: "c", airtimeMs: 4000 },
    { id: "d", airtimeMs: 2000 },
  ];

  it("divide the total airtime by the delivered messages", () => {
    expect(airtimePerDeliveredMs(10_000, 5)).toBe(2000);
    expect(airtimePerDeliveredMs(10_000, 0)).toBeNull();
  });

  it("name the busiest node, its share of all airtime and its duty cycle", () => {
    // Over a 40 s run, node c's 4 s on air are a 10 % duty cycle.
    expect(busiestNode(nodes, 40_000)).toEqual({ id: "c", airtimeShare: 0.4, dutyCycle: 0.1 });
    expect(busiestNode([{ id: "quiet", airtimeMs: 0 }], 1000)).toBeNull();
  });

  it("average the hop counts and keep the longest", () => {
    expect(hopSummary([1, 2, 2, 3, 7])).toEqual({ mean: 3, max: 7 });
    expect(hopSummary([])).toBeNull();
  });
});

describe("delivery between connected pairs per window", () => {
  const message = (sentAtS: number, connected: boolean, delivered: boolean) => ({ sentAtS, connected, delivered });

  it("counts only connected pairs, per minute", () => {
    const windows = deliveryWindows(
      [
        message(5, true, true),
        message(30, true, false),
        message(50, false, false), // endpoints not connected: not counted
        message(61, true, true),
        message(179.9, true, true),
      ],
      60,
      180,
    );
    expect(windows).toEqual([
      { startS: 0, sent: 2, delivered: 1, ratio: 0.5 },
      { startS: 60, sent: 1, delivered: 1, ratio: 1 },
      { startS: 120, sent: 1, delivered: 1, ratio: 1 },
    ]);
  });

  it("finds the first window from which delivery stays at or above the threshold", () => {
    const windows = [0.99, 0.5, 0.9, 0.96, null, 0.97, 0.95].map((ratio, i) => ({
      startS: i * 60,
      sent: ratio === null ? 0 : 100,
      delivered: ratio === null ? 0 : ratio * 100,
      ratio,
    }));
    expect(recoveredFromS(windows, 60, 0.95)).toBe(180);
    expect(recoveredFromS(windows, 0, 0.99)).toBeNull();
    expect(recoveredFromS(windows, 300, 0.95)).toBe(300);
    expect(recoveredFromS(windows, 400, 0.95)).toBeNull();
  });
});
