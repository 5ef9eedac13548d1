// Electric routing with few hops to spare or on a saturated channel (docs/routing.md, 4a and 4b): a
// packet follows the current while its hops left exceed the destination's distance by more than three
// and most of its sender's copies are acknowledged, and otherwise takes the steepest way down.
import { describe, expect, it } from "vitest";
import { ROUTED_HEADER_OFFSETS as O, RoutedPacketType } from "../../host/wasm/availability.js";
import {
  deliveredCount,
  FAST_ROUTING,
  FloodMesh,
  sendUnicast,
  shortId,
  type Topology,
  type WireFrame,
} from "./flood-mesh.js";

const text = (value: string) => new TextEncoder().encode(value);

/** Type, next hop and hop count of the routed header carrying `source` in `frame`, or undefined. */
function routedHeader(frame: WireFrame, source: Uint8Array) {
  const at = Buffer.from(frame.bytes).indexOf(Buffer.from(source)) - O.source;
  if (at < 0) return undefined;
  const view = new DataView(frame.bytes.buffer, frame.bytes.byteOffset + at);
  return { type: view.getUint8(O.type), nextHop: view.getUint32(O.nextHop, true), hopCount: view.getUint8(O.hopCount) };
}

async function electricMesh(topology: Topology, hopLimit: number) {
  const built = await FloodMesh.create(topology, { ...FAST_ROUTING, hopLimit, strategy: "electric", poolSize: 48 });
  built.run(25_000);
  return built;
}

/**
 * 5 — 0 — 1 — 3 and 0 — 2 — 4 — 3, all links alike: node 3's potentials are 1 : 2.6, 4 : 2.4,
 * 2 : 3.8, 0 : 4.2 (the leaf 5 raises node 0's). From node 0 both 1 and 2 lie downhill; the current
 * sends a quarter of the packets the long way, through 2.
 */
const TWO_WAYS_DOWN: Topology = [[1, 2, 5], [0, 3], [0, 4], [1, 4], [2, 3], [0]];

describe("electric routing running short of hops", () => {
  async function firstHops(hopLimit: number): Promise<Map<number, number>> {
    const graph = await electricMesh(TWO_WAYS_DOWN, hopLimit);
    const viaOne = shortId(graph.nodes[1].address);
    const viaTwo = shortId(graph.nodes[2].address);
    const counts = new Map([
      [1, 0],
      [2, 0],
    ]);
    graph.onFrame = (frame) => {
      const header = routedHeader(frame, graph.nodes[0].address);
      if (frame.from !== 0 || header?.type !== RoutedPacketType.Unicast || header.hopCount !== 0) return;
      if (header.nextHop === viaOne) counts.set(1, (counts.get(1) ?? 0) + 1);
      if (header.nextHop === viaTwo) counts.set(2, (counts.get(2) ?? 0) + 1);
    };
    for (let k = 0; k < 40; k++) {
      const payload = text(`way ${hopLimit} ${k}`);
      expect(sendUnicast(graph, 0, 3, payload)).toBe(0);
      graph.settle();
      expect(deliveredCount(graph, 3, payload)).toBe(1);
    }
    return counts;
  }

  it("follows the current while hops are plentiful", async () => {
    const counts = await firstHops(15);
    expect((counts.get(1) ?? 0) + (counts.get(2) ?? 0)).toBe(40);
    expect(counts.get(2)).toBeGreaterThan(0);
  });

  it("takes the steepest way down once the hops left are within three of the destination's distance", async () => {
    // Node 3's announce reached node 0 in two hops; five hops leave three to spare.
    const counts = await firstHops(5);
    expect(counts.get(1)).toBe(40);
    expect(counts.get(2)).toBe(0);
  });
});

describe("electric routing on a saturated channel", () => {
  it("takes the steepest way down while most of its copies go unacknowledged, however many hops are left", async () => {
    // Node 0 hears only every third forwarding of each neighbour (the others lost on the way back, as
    // to collisions): its share of acknowledged copies settles near a third, below the half that
    // marks a saturated channel, while no neighbour misses three in a row (which would strike it).
    const graph = await electricMesh(TWO_WAYS_DOWN, 15);
    const forwardsHeard = new Map<number, number>();
    graph.loses = (frame, to) => {
      if (to !== 0 || frame.from === 0) return false;
      if (routedHeader(frame, graph.nodes[0].address)?.type !== RoutedPacketType.Unicast) return false;
      const count = (forwardsHeard.get(frame.from) ?? 0) + 1;
      forwardsHeard.set(frame.from, count);
      return count % 3 !== 0;
    };
    const viaOne = shortId(graph.nodes[1].address);
    const firstHops: boolean[] = [];
    graph.onFrame = (frame) => {
      const header = routedHeader(frame, graph.nodes[0].address);
      if (frame.from === 0 && header?.type === RoutedPacketType.Unicast && header.hopCount === 0) {
        firstHops.push(header.nextHop === viaOne);
      }
    };
    const payloads = Array.from({ length: 60 }, (_, k) => text(`saturated ${k}`));
    const sentAfter: number[] = [];
    for (const payload of payloads) {
      expect(sendUnicast(graph, 0, 3, payload)).toBe(0);
      graph.settle();
      sentAfter.push(firstHops.length);
    }
    // Saturated from the 30th packet on: no resends, and every copy goes the steep way, through 1.
    const late = firstHops.slice(sentAfter[29]);
    expect(late).toHaveLength(30);
    expect(late.every((throughOne) => throughOne)).toBe(true);
    for (const payload of payloads.slice(30)) expect(deliveredCount(graph, 3, payload)).toBe(1);
    // Before, the current still sent some elsewhere (first copies and resends).
    expect(firstHops.slice(0, sentAfter[29]).some((throughOne) => !throughOne)).toBe(true);
  });
});
