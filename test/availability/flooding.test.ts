import { describe, expect, it } from "vitest";
import {
  availabilityLinkCounterNames,
  BROADCAST_ADDRESS,
  NO_SNR,
  ROUTED_HEADER_SIZE,
  RoutedPacketType,
} from "../../host/wasm/availability.js";
import { Status } from "../../host/wasm/stack.js";
import { SeededRandom } from "../support/seeded-random.js";
import { FloodMesh, fatesOf, gridTopology, lineTopology, nodeAddress } from "./flood-mesh.js";

const text = (value: string) => new TextEncoder().encode(value);

/** Every received frame has exactly one fate and every scheduled relay one outcome, on every node. */
function expectEverythingCounted(mesh: FloodMesh): void {
  mesh.nodes.forEach((node, index) => {
    const c = mesh.counters(index);
    expect(fatesOf(c), `node ${index} fates`).toBe(c.framesReceived);
    const pending = node.availability.linkTables(node.link).pendingRelays;
    expect(c.relaysScheduled, `node ${index} relays`).toBe(c.relaysSent + c.relaysCancelled + c.relayRefused + pending);
  });
}

/** An independent model of the routed header (docs/routing.md, "Routed packet header"). */
function routedFrame(fields: {
  type?: number;
  hopLimit?: number;
  hopCount?: number;
  packetId?: number;
  destination?: Uint8Array;
  source?: Uint8Array;
  payload?: Uint8Array;
}): Uint8Array {
  const payload = fields.payload ?? new Uint8Array();
  const frame = new Uint8Array(ROUTED_HEADER_SIZE + payload.length);
  const view = new DataView(frame.buffer);
  frame[0] = fields.type ?? RoutedPacketType.Broadcast;
  frame[1] = fields.hopLimit ?? 3;
  frame[2] = fields.hopCount ?? 0;
  view.setUint32(3, (fields.packetId ?? 1) >>> 0, true);
  // Transmitter, next hop (0: flooded), ceiling and sender potential (none).
  view.setUint32(7, 0x01020304, true);
  view.setUint32(11, 0, true);
  view.setUint32(15, 0xffffffff, true);
  view.setUint32(19, 0xffffffff, true);
  frame.set(fields.destination ?? BROADCAST_ADDRESS, 23);
  frame.set(fields.source ?? nodeAddress(99), 39);
  frame.set(payload, ROUTED_HEADER_SIZE);
  return frame;
}

describe("the Availability link's MTU", () => {
  it("is the Integrity MTU minus the 55-byte routed header", async () => {
    const mesh = await FloodMesh.create(lineTopology(2));
    const node = mesh.nodes[0];
    expect(node.stack.mtu(node.link)).toBe(node.stack.mtu(node.integrity) - 55);
    const tooBig = new Uint8Array(node.stack.mtu(node.link) + 1);
    expect(node.availability.pushTo(node.link, node.pool, tooBig, nodeAddress(1))).toBe(Status.TooBig);
    expect(node.availability.pushTo(node.link, node.pool, text("me"), node.address)).toBe(Status.BadArgument);
    expect(node.stack.poolAvailable(node.pool)).toBe(32);
  });
});

describe("a unicast crosses a 5-node line", () => {
  it("reaches the far end after 4 hops, and nobody else delivers it", async () => {
    const mesh = await FloodMesh.create(lineTopology(5));
    const [first] = mesh.nodes;
    const payload = text("hello, far end");
    expect(first.availability.pushTo(first.link, first.pool, payload, nodeAddress(4))).toBe(Status.Ok);
    mesh.settle();
    const last = mesh.nodes[4];
    expect(last.delivered).toHaveLength(1);
    expect(last.delivered[0]).toMatchObject({
      payload,
      type: RoutedPacketType.Unicast,
      hopCount: 4,
      hopLimit: 7 - 4,
      source: first.address,
      destination: last.address,
    });
    for (const node of mesh.nodes.slice(0, 4)) expect(node.delivered, `node ${node.index}`).toHaveLength(0);
    // Relays 1..3 forward it; the far end, its destination, does not.
    expect(mesh.nodes.map((_, i) => mesh.counters(i).relaysSent)).toEqual([0, 1, 1, 1, 0]);
    expect(mesh.counters(0).sentUnicast).toBe(1);
    expect(mesh.counters(0).ownEchoes).toBe(1);
    expectEverythingCounted(mesh);
  });
});

describe("a broadcast floods the mesh", () => {
  it("reaches every node of a 5-node line exactly once, each relaying it at most once", async () => {
    const mesh = await FloodMesh.create(lineTopology(5));
    const origin = mesh.nodes[2];
    expect(origin.stack.push(origin.link, origin.pool, text("to all"))).toBe(Status.Ok); // plain push = broadcast
    mesh.settle();
    mesh.nodes.forEach((node, i) => {
      if (i === 2) {
        expect(node.delivered).toHaveLength(0);
        return;
      }
      expect(node.delivered).toHaveLength(1);
      expect(node.delivered[0]).toMatchObject({ type: RoutedPacketType.Broadcast, hopCount: Math.abs(i - 2) });
    });
    for (let i = 0; i < 5; i++) expect(mesh.counters(i).relaysSent).toBe(i === 2 ? 0 : 1);
    expectEverythingCounted(mesh);
  });

  /** Broadcasts `packets` packets from spread-out origins over a 4×4 grid; returns (node, packet) pairs reached. */
  async function floodGrid(cancelThreshold: number, packets: number) {
    const mesh = await FloodMesh.create(gridTopology(4, 4), { cancelThreshold });
    const originOf = (p: number) => (p * 5) % 16;
    for (let p = 0; p < packets; p++) {
      const origin = mesh.nodes[originOf(p)];
      expect(origin.availability.pushTo(origin.link, origin.pool, text(`packet ${p}`), BROADCAST_ADDRESS)).toBe(
        Status.Ok,
      );
      mesh.settle();
    }
    let reached = 0;
    let relays = 0;
    mesh.nodes.forEach((node, i) => {
      const own = Array.from({ length: packets }, (_, p) => originOf(p)).filter((o) => o === i).length;
      const payloads = new Set(node.delivered.map((packet) => new TextDecoder().decode(packet.payload)));
      expect(payloads.size, `node ${i} delivers each packet at most once`).toBe(node.delivered.length);
      const c = mesh.counters(i);
      expect(c.relaysSent, `node ${i} relays each packet at most once`).toBeLessThanOrEqual(packets - own);
      reached += node.delivered.length;
      relays += c.relaysSent;
    });
    expectEverythingCounted(mesh);
    return { reached, possible: packets * 15, relays };
  }

  it("reaches every node of a 4×4 grid when relays are never cancelled; the ring keeps one relay per node", async () => {
    const { reached, possible, relays } = await floodGrid(0, 10);
    expect(reached).toBe(possible);
    expect(relays).toBe(possible); // every node but the origin relays each packet exactly once
  });

  it("with Meshtastic's cancel rule, saves relays on a grid at a small, counted cost in coverage", async () => {
    // Cancelling on the first relay heard can leave a corner unreached: both of its neighbours may
    // cancel because *their* other neighbours relayed. Counter-based cancelling (threshold 2) sits
    // between the two.
    const meshtastic = await floodGrid(1, 10);
    const counter = await floodGrid(2, 10);
    expect(meshtastic.relays).toBeLessThan(counter.relays);
    expect(counter.relays).toBeLessThan(150);
    expect(meshtastic.reached).toBeGreaterThanOrEqual(0.85 * meshtastic.possible);
    expect(counter.reached).toBeGreaterThanOrEqual(meshtastic.reached);
    console.log(
      `4×4 grid, 10 broadcasts: cancel on 1 relay → ${meshtastic.reached}/150 reached with ${meshtastic.relays} relays; ` +
        `on 2 → ${counter.reached}/150 with ${counter.relays}; never → 150/150 with 150`,
    );
  });

  it("delivers a corner-to-corner unicast across a grid once, with the shortest hop count", async () => {
    const mesh = await FloodMesh.create(gridTopology(4, 4));
    const origin = mesh.nodes[0];
    expect(origin.availability.pushTo(origin.link, origin.pool, text("diagonal"), nodeAddress(15))).toBe(Status.Ok);
    mesh.settle();
    expect(mesh.nodes[15].delivered).toHaveLength(1);
    expect(mesh.nodes[15].delivered[0].hopCount).toBeGreaterThanOrEqual(6);
    expect(mesh.nodes.slice(0, 15).every((node) => node.delivered.length === 0)).toBe(true);
    expectEverythingCounted(mesh);
  });
});

describe("the hop limit stops propagation", () => {
  it("a broadcast with hop limit 2 on a 5-node line reaches 2 hops and no further, and is counted", async () => {
    const mesh = await FloodMesh.create(lineTopology(5), { hopLimit: 2 });
    const origin = mesh.nodes[0];
    expect(origin.availability.pushTo(origin.link, origin.pool, text("near"), BROADCAST_ADDRESS)).toBe(Status.Ok);
    mesh.settle();
    expect(mesh.nodes.map((node) => node.delivered.length)).toEqual([0, 1, 1, 0, 0]);
    expect(mesh.nodes[2].delivered[0]).toMatchObject({ hopCount: 2, hopLimit: 0 });
    expect(mesh.counters(2).hopLimitReached).toBe(1);
    expect(mesh.counters(2).relaysSent).toBe(0);
    expect(mesh.counters(3).framesReceived).toBe(0);
    expectEverythingCounted(mesh);
  });

  it("a unicast that runs out of hops before its destination is counted, not silently lost", async () => {
    const mesh = await FloodMesh.create(lineTopology(5), { hopLimit: 2 });
    const origin = mesh.nodes[0];
    expect(origin.availability.pushTo(origin.link, origin.pool, text("too far"), nodeAddress(4))).toBe(Status.Ok);
    mesh.settle();
    expect(mesh.nodes.every((node) => node.delivered.length === 0)).toBe(true);
    expect(mesh.counters(2)).toMatchObject({ forOthers: 1, hopLimitReached: 1, relaysSent: 0 });
    expectEverythingCounted(mesh);
  });

  it("a unicast to an endpoint in another partition is never delivered, and every frame is counted", async () => {
    // Two pairs with no link between them: 0–1 and 2–3.
    const mesh = await FloodMesh.create([[1], [0], [3], [2]]);
    const origin = mesh.nodes[0];
    expect(origin.availability.pushTo(origin.link, origin.pool, text("anyone?"), nodeAddress(3))).toBe(Status.Ok);
    mesh.settle();
    expect(mesh.nodes.every((node) => node.delivered.length === 0)).toBe(true);
    expect(mesh.counters(1)).toMatchObject({ forOthers: 1, relaysSent: 1 });
    expect(mesh.counters(0).ownEchoes).toBe(1);
    expect(mesh.counters(2).framesReceived + mesh.counters(3).framesReceived).toBe(0);
    expectEverythingCounted(mesh);
  });
});

describe("a pending relay is cancelled when a neighbour's relay is heard first", () => {
  it("in a diamond, the two middle nodes relay each packet once between them and count the cancellation", async () => {
    // 0 reaches 1 and 2; 1 and 2 hear each other and both reach 3.
    const mesh = await FloodMesh.create(
      [
        [1, 2],
        [0, 2, 3],
        [0, 1, 3],
        [1, 2],
      ],
      { stepMs: 1 },
    );
    const packets = 20;
    for (let p = 0; p < packets; p++) {
      const origin = mesh.nodes[0];
      expect(origin.availability.pushTo(origin.link, origin.pool, text(`p${p}`), BROADCAST_ADDRESS)).toBe(Status.Ok);
      mesh.settle();
    }
    const middle = [mesh.counters(1), mesh.counters(2)];
    const sent = middle[0].relaysSent + middle[1].relaysSent;
    const cancelled = middle[0].relaysCancelled + middle[1].relaysCancelled;
    expect(sent + cancelled).toBe(2 * packets);
    // Only when both delays fall in the same millisecond do both relay; that is rare in a 500 ms window.
    expect(cancelled).toBeGreaterThanOrEqual(packets - 2);
    for (const node of mesh.nodes.slice(1)) expect(node.delivered).toHaveLength(packets);
    expectEverythingCounted(mesh);
  });
});

describe("the relay delay", () => {
  it("stays within the window, and weaker signals relay sooner on average (SNR weighting)", async () => {
    const mesh = await FloodMesh.create(lineTopology(1));
    const { availability } = mesh.nodes[0];
    const random = new SeededRandom(5);
    const window = 1000;
    const meanAt = (snr: number) => {
      let sum = 0;
      for (let i = 0; i < 200; i++) {
        const delay = availability.relayDelayMs(window, snr, random.nextU32());
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(window);
        sum += delay;
      }
      return sum / 200;
    };
    const weak = meanAt(-20 * 4);
    const middling = meanAt(-5 * 4);
    const strong = meanAt(10 * 4);
    expect(weak).toBeLessThan(middling);
    expect(middling).toBeLessThan(strong);
    // The weakest heard node's delay is jitter only (≤ a quarter window); the strongest waits ≥ ¾.
    expect(availability.relayDelayMs(window, -30 * 4, 0xffffffff)).toBeLessThanOrEqual(window / 4);
    expect(availability.relayDelayMs(window, 30 * 4, 0)).toBe(750);
    // Without an SNR the delay is uniform over the whole window.
    expect(meanAt(NO_SNR)).toBeGreaterThan(window * 0.35);
    expect(meanAt(NO_SNR)).toBeLessThan(window * 0.65);
  });
});

describe("tables stay within their fixed sizes under a flood", () => {
  it("5,000 distinct broadcasts leave the heap unchanged and overflow only into counters", async () => {
    const mesh = await FloodMesh.create(lineTopology(3), { ringCapacity: 16, relayTableCapacity: 4, poolSize: 48 });
    const heapBefore = mesh.heapBytes();
    const origin = mesh.nodes[0];
    let accepted = 0;
    let offered = 0;
    while (offered < 5000) {
      for (let burst = 0; burst < 5 && offered < 5000; burst++, offered++) {
        const payload = new Uint8Array(8);
        new DataView(payload.buffer).setUint32(0, offered, true);
        if (origin.stack.push(origin.link, origin.pool, payload) === Status.Ok) accepted++;
      }
      mesh.step();
      for (const node of mesh.nodes) {
        const tables = node.availability.linkTables(node.link);
        expect(tables.pendingRelays).toBeLessThanOrEqual(tables.relayTableCapacity);
        expect(tables.ring).toBeLessThanOrEqual(tables.ringCapacity);
      }
    }
    mesh.settle();
    expect(mesh.heapBytes()).toEqual(heapBefore);
    expect(accepted).toBeGreaterThan(1000);
    const middle = mesh.counters(1);
    expect(middle.relayTableFull + middle.relayNoBuffer).toBeGreaterThan(0);
    // A full relay table never costs the local delivery.
    expect(middle.deliveredBroadcast).toBe(mesh.nodes[1].delivered.length);
    expect(middle.deliveredBroadcast + middle.duplicates).toBe(middle.framesReceived - middle.ownEchoes);
    expect(mesh.nodes.every((node) => node.stack.poolAvailable(node.pool) === 48)).toBe(true);
    expectEverythingCounted(mesh);
  });
});

describe("malformed headers are dropped and counted, never trap", () => {
  it("rejects each malformed field under its own counter", async () => {
    const mesh = await FloodMesh.create(lineTopology(2));
    const [sender, receiver] = mesh.nodes;
    const inject = (frame: Uint8Array) => {
      expect(sender.stack.push(sender.integrity, sender.pool, frame)).toBe(Status.Ok);
      mesh.step();
    };
    inject(new Uint8Array(0));
    inject(routedFrame({}).subarray(0, ROUTED_HEADER_SIZE - 1));
    inject(routedFrame({ type: 1 }));
    inject(routedFrame({ type: 0xff }));
    inject(routedFrame({ type: RoutedPacketType.Unicast })); // unicast to the broadcast address
    inject(routedFrame({ type: RoutedPacketType.Broadcast, destination: receiver.address }));
    inject(routedFrame({ hopLimit: 0 }));
    inject(routedFrame({ hopLimit: 10, hopCount: 6 }));
    inject(routedFrame({ hopLimit: 255, hopCount: 255 }));
    expect(mesh.counters(1)).toMatchObject({
      framesReceived: 9,
      malformedTruncated: 2,
      malformedBadType: 2,
      malformedBadDestination: 2,
      malformedBadHopLimit: 3,
      relaysScheduled: 0,
    });
    expect(receiver.delivered).toHaveLength(0);
    // A well-formed frame at the limits is accepted: hop limit 15, unicast to this node.
    inject(routedFrame({ type: RoutedPacketType.Unicast, hopLimit: 15, destination: receiver.address }));
    expect(receiver.delivered).toHaveLength(1);
    expect(receiver.delivered[0]).toMatchObject({ hopCount: 1, hopLimit: 14 });
  });

  it("survives 3,000 random and mutated frames with every frame counted and memory unchanged", async () => {
    const mesh = await FloodMesh.create(lineTopology(2), { ringCapacity: 32 });
    const [sender, receiver] = mesh.nodes;
    const heapBefore = mesh.heapBytes();
    const random = new SeededRandom(2024);
    const valid = routedFrame({ payload: text("seed frame") });
    for (let i = 0; i < 3000; i++) {
      let frame: Uint8Array;
      if (i % 3 === 0) {
        frame = random.bytes(random.between(0, 80));
      } else {
        frame = valid.slice(0, random.between(0, valid.length));
        for (let flips = random.between(1, 4); flips > 0 && frame.length > 0; flips--) {
          frame[random.between(0, frame.length - 1)] ^= 1 << random.between(0, 7);
        }
        if (frame.length >= 7) new DataView(frame.buffer).setUint32(3, i, true); // distinct ids: not duplicates
      }
      expect(sender.stack.push(sender.integrity, sender.pool, frame)).toBe(Status.Ok);
      mesh.step();
    }
    mesh.settle();
    const c = mesh.counters(1);
    // More than 3,000: node 0 relays back the well-formed broadcasts node 1 relayed to it.
    expect(c.framesReceived).toBeGreaterThanOrEqual(3000);
    const malformed = c.malformedTruncated + c.malformedBadType + c.malformedBadDestination + c.malformedBadHopLimit;
    expect(malformed).toBeGreaterThan(1000);
    expect(c.deliveredBroadcast).toBe(receiver.delivered.filter((p) => p.type === RoutedPacketType.Broadcast).length);
    expect(mesh.heapBytes()).toEqual(heapBefore);
    expectEverythingCounted(mesh);
    // Still working afterwards.
    expect(sender.availability.pushTo(sender.link, sender.pool, text("still here"), receiver.address)).toBe(Status.Ok);
    mesh.settle();
    expect(receiver.delivered.at(-1)?.payload).toEqual(text("still here"));
  });
});

describe("the host binding", () => {
  it("names every counter the firmware keeps, and no more", async () => {
    const mesh = await FloodMesh.create(lineTopology(1));
    const node = mesh.nodes[0];
    const exports = node.stack.instance.exports as unknown as {
      availabilityLinkCounter(link: number, which: number): number;
    };
    // firmware/availability/link-counters.ts: every index below Count answers, Count itself is refused.
    expect(exports.availabilityLinkCounter(node.link, availabilityLinkCounterNames.length - 1)).toBeGreaterThanOrEqual(
      0,
    );
    expect(exports.availabilityLinkCounter(node.link, availabilityLinkCounterNames.length)).toBe(-1);
  });
});
