// The end of a routed path (docs/routing.md, "Delivery acknowledgements" and "Running short of hops"):
// the destination acknowledges every routed copy it is the next hop of, so its last hop is resent
// when lost like any other; and an electric packet with few hops to spare takes the steepest way down.
import { describe, expect, it } from "vitest";
import {
  ROUTED_HEADER_OFFSETS as O,
  RoutedPacketType,
  type RoutingStrategyName,
} from "../../host/wasm/availability.js";
import { FAST_ROUTING, FloodMesh, lineTopology, type Topology, type WireFrame } from "./flood-mesh.js";

const text = (value: string) => new TextEncoder().encode(value);

function shortId(address: Uint8Array): number {
  const id = new DataView(address.buffer, address.byteOffset).getUint32(0, true);
  return id === 0 ? 1 : id;
}

/** Type, next hop and packet id of the routed header carrying `source` in `frame`, or undefined. */
function routedHeader(frame: WireFrame, source: Uint8Array) {
  const at = Buffer.from(frame.bytes).indexOf(Buffer.from(source)) - O.source;
  if (at < 0) return undefined;
  const view = new DataView(frame.bytes.buffer, frame.bytes.byteOffset + at);
  return { type: view.getUint8(O.type), nextHop: view.getUint32(O.nextHop, true), hopCount: view.getUint8(O.hopCount) };
}

async function mesh(topology: Topology, strategy: RoutingStrategyName, hopLimit = 15) {
  const built = await FloodMesh.create(topology, { ...FAST_ROUTING, hopLimit, strategy, poolSize: 48 });
  built.run(25_000);
  return built;
}

function send(built: FloodMesh, from: number, to: number, payload: Uint8Array): void {
  const node = built.nodes[from];
  expect(node.availability.pushTo(node.link, node.pool, payload, built.nodes[to].address)).toBe(0);
}

function deliveredTo(built: FloodMesh, index: number, payload: Uint8Array): number {
  const wanted = Buffer.from(payload).toString("hex");
  return built.nodes[index].delivered.filter((p) => Buffer.from(p.payload).toString("hex") === wanted).length;
}

describe.each(["nexthop", "electric"] as const)("%s: delivery acknowledgements", (strategy) => {
  it("the destination answers each routed copy, and nobody waits in vain", async () => {
    const line = await mesh(lineTopology(3), strategy);
    const before = [0, 1, 2].map((i) => line.counters(i));
    const acknowledgements: number[] = [];
    line.onFrame = (frame) => {
      const header = routedHeader(frame, line.nodes[0].address);
      if (header?.type === RoutedPacketType.Acknowledgement) acknowledgements.push(frame.from);
    };
    for (let k = 0; k < 5; k++) {
      send(line, 0, 2, text(`to the end ${k}`));
      line.settle();
      expect(deliveredTo(line, 2, text(`to the end ${k}`))).toBe(1);
    }
    const after = [0, 1, 2].map((i) => line.counters(i));
    expect(after[2].deliveryAcksSent - before[2].deliveryAcksSent).toBe(5);
    expect(acknowledgements).toEqual([2, 2, 2, 2, 2]);
    // Node 1 hears node 2's acknowledgements as node 0 hears node 1 forwarding: no timeout anywhere.
    expect(after[1].acksHeard - before[1].acksHeard).toBe(5);
    for (const i of [0, 1]) expect(after[i].ackTimeouts - before[i].ackTimeouts, `node ${i}`).toBe(0);
    // Acknowledgements are control frames: never delivered, never relayed.
    expect(after[1].controlFrames - before[1].controlFrames).toBeGreaterThanOrEqual(5);
    expect(line.nodes[1].delivered).toHaveLength(0);
  });

  it("a last hop lost on the way is sent again to the destination", async () => {
    const line = await mesh(lineTopology(3), strategy);
    const destinationId = shortId(line.nodes[2].address);
    let lost = 0;
    const nextHops: number[] = [];
    line.loses = (frame, to) => {
      const header = routedHeader(frame, line.nodes[0].address);
      if (header?.type !== RoutedPacketType.Unicast || frame.from !== 1) return false;
      if (to === 2 && lost === 0) {
        lost++;
        return true;
      }
      return false;
    };
    line.onFrame = (frame) => {
      const header = routedHeader(frame, line.nodes[0].address);
      if (header?.type === RoutedPacketType.Unicast && frame.from === 1) nextHops.push(header.nextHop);
    };
    const before = line.counters(1);
    const payload = text("second time lucky");
    send(line, 0, 2, payload);
    line.settle();
    expect(lost).toBe(1);
    expect(deliveredTo(line, 2, payload)).toBe(1);
    // Both copies went to the destination itself: it is not excluded like a relay that went quiet.
    expect(nextHops).toEqual([destinationId, destinationId]);
    const after = line.counters(1);
    expect(after.ackRetries - before.ackRetries).toBe(1);
    expect(after.droppedUnacknowledged - before.droppedUnacknowledged).toBe(0);
  });

  it("a lost acknowledgement costs a duplicate, delivered once and acknowledged again", async () => {
    const line = await mesh(lineTopology(3), strategy);
    let lost = 0;
    line.loses = (frame, to) => {
      const header = routedHeader(frame, line.nodes[0].address);
      if (header?.type === RoutedPacketType.Acknowledgement && to === 1 && lost === 0) {
        lost++;
        return true;
      }
      return false;
    };
    const before = [1, 2].map((i) => line.counters(i));
    const payload = text("did you get it?");
    send(line, 0, 2, payload);
    line.settle();
    expect(lost).toBe(1);
    expect(deliveredTo(line, 2, payload)).toBe(1);
    const [relay, destination] = [1, 2].map((i) => line.counters(i));
    expect(destination.duplicates - before[1].duplicates).toBe(1);
    expect(destination.deliveryAcksSent - before[1].deliveryAcksSent).toBe(2);
    expect(relay.ackRetries - before[0].ackRetries).toBe(1);
    expect(relay.droppedUnacknowledged - before[0].droppedUnacknowledged).toBe(0);
  });
});

/**
 * 5 — 0 — 1 — 3 and 0 — 2 — 4 — 3, all links alike: node 3's potentials are 1 : 2.6, 4 : 2.4,
 * 2 : 3.8, 0 : 4.2 (the leaf 5 raises node 0's). From node 0 both 1 and 2 lie downhill; the current
 * sends a quarter of the packets the long way, through 2.
 */
const TWO_WAYS_DOWN: Topology = [[1, 2, 5], [0, 3], [0, 4], [1, 4], [2, 3], [0]];

describe("electric routing running short of hops", () => {
  async function firstHops(hopLimit: number): Promise<Map<number, number>> {
    const graph = await mesh(TWO_WAYS_DOWN, "electric", hopLimit);
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
      send(graph, 0, 3, payload);
      graph.settle();
      expect(deliveredTo(graph, 3, payload)).toBe(1);
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
