// Misbehaviour against next-hop and electric routing is bounded: forged, replayed and unsigned
// announces change no table; potential reports that lie low are refused or clamped; floods of valid
// announces and beacons leave every table within its fixed size and the heap where it was.
import { describe, expect, it } from "vitest";
import {
  type AvailabilityLinkOptions,
  NO_POTENTIAL,
  ROUTED_HEADER_OFFSETS as O,
  ROUTED_HEADER_SIZE,
  RoutedPacketType,
} from "../../host/wasm/availability.js";
import { Status } from "../../host/wasm/stack.js";
import { SeededRandom } from "../support/seeded-random.js";
import { grindIdentity, nobleAddress, nobleAnnounce } from "./announce-helpers.js";
import { FAST_ROUTING, FloodMesh, fatesOf, lineTopology, shortId } from "./flood-mesh.js";

/** Small tables, so floods meet their bounds. */
const OPTIONS = {
  ...FAST_ROUTING,
  hopLimit: 7,
  ringCapacity: 64,
  relayTableCapacity: 8,
  destinationCapacity: 16,
  neighbourCapacity: 8,
} satisfies AvailabilityLinkOptions;

const BROADCAST = new Uint8Array(16).fill(0xff);

/** A routed frame as a neighbour would send it (an independent model of docs/routing.md's header). */
function routedFrame(fields: {
  type: RoutedPacketType;
  source: Uint8Array;
  destination?: Uint8Array;
  packetId: number;
  transmitter?: number;
  senderPotential?: number;
  hopLimit?: number;
  body: Uint8Array;
}): Uint8Array {
  const frame = new Uint8Array(ROUTED_HEADER_SIZE + fields.body.length);
  const view = new DataView(frame.buffer);
  frame[O.type] = fields.type;
  frame[O.hopLimit] = fields.hopLimit ?? (fields.type === RoutedPacketType.Beacon ? 1 : 5);
  frame[O.hopCount] = 0;
  view.setUint32(O.packetId, fields.packetId >>> 0, true);
  view.setUint32(O.transmitter, fields.transmitter ?? view.getUint32(0, true), true);
  if (fields.transmitter === undefined) view.setUint32(O.transmitter, shortId(fields.source), true);
  view.setUint32(O.nextHop, 0, true);
  view.setUint32(O.ceiling, NO_POTENTIAL, true);
  view.setUint32(O.senderPotential, fields.senderPotential ?? NO_POTENTIAL, true);
  frame.set(fields.destination ?? BROADCAST, O.destination);
  frame.set(fields.source, O.source);
  frame.set(fields.body, ROUTED_HEADER_SIZE);
  return frame;
}

/**
 * A potential's 16-bit beacon code, written from docs/routing.md ("Potential exchange") independently
 * of the firmware: mantissa << shift, 11 significant bits, rounded up.
 */
function potentialCode(potential: number): number {
  if (potential <= 2047) return potential;
  let shift = Math.floor(Math.log2(potential)) + 1 - 11;
  let mantissa = Math.ceil(potential / 2 ** shift);
  if (mantissa > 2047) {
    mantissa = Math.ceil(mantissa / 2);
    shift++;
  }
  return (shift << 11) | mantissa;
}

/**
 * A beacon body (docs/routing.md, "Potential exchange"): count, the 32-byte heard-neighbour filter —
 * all ones here, the liar claims to hear everyone — then (4-byte prefix, 16-bit potential code) entries;
 * a number potential is encoded, a `{ code }` goes in as it is.
 */
function beaconBody(entries: Array<[Uint8Array, number | { code: number }]>): Uint8Array {
  const fixed = 1 + 32;
  const body = new Uint8Array(fixed + entries.length * 6);
  const view = new DataView(body.buffer);
  body[0] = entries.length;
  body.fill(0xff, 1, fixed);
  entries.forEach(([address, potential], i) => {
    body.set(address.subarray(0, 4), fixed + i * 6);
    view.setUint16(fixed + i * 6 + 4, typeof potential === "number" ? potentialCode(potential) : potential.code, true);
  });
  return body;
}

/** Node 0 injects raw Availability frames; node 1 is the one under test. */
async function pair(strategy: "nexthop" | "electric") {
  const mesh = await FloodMesh.create(lineTopology(2), { ...OPTIONS, strategy });
  mesh.run(12_000);
  const [attacker, target] = mesh.nodes;
  const inject = (frame: Uint8Array) => {
    expect(attacker.stack.push(attacker.integrity, attacker.pool, frame)).toBe(Status.Ok);
    mesh.step();
    mesh.step();
  };
  const info = () => target.availability.routingInfo(target.link, mesh.now, attacker.address);
  return { mesh, attacker, target, inject, info };
}

describe.each(["nexthop", "electric"] as const)("%s: announces that must not change tables", (strategy) => {
  it("refuses forged, replayed and unsigned announces, each counted, heap unchanged", async () => {
    const { mesh, target, inject, info } = await pair(strategy);
    const victim = grindIdentity("defence-victim", 0);
    const victimAddress = nobleAddress(victim.publicKey);
    const genuine = nobleAnnounce(victim, 5);
    inject(routedFrame({ type: RoutedPacketType.Announce, source: victimAddress, packetId: 1, body: genuine }));
    expect(info().endpoints).toBe(2);
    const heap = target.stack.heapBytes();
    const rejectedBefore = mesh.counters(1).announcesRejected;

    const forged = genuine.slice();
    forged[forged.length - 1] ^= 1; // signature
    const newerForged = nobleAnnounce(victim, 9);
    newerForged[10] ^= 0x40; // the key: now a different, unsigned identity claiming sequence 9
    const replay = nobleAnnounce(victim, 4); // validly signed, but older than the stored 5
    const garbage = new Uint8Array(104).fill(1);
    let id = 100;
    for (const body of [forged, newerForged, replay, garbage, genuine]) {
      inject(routedFrame({ type: RoutedPacketType.Announce, source: victimAddress, packetId: id++, body }));
    }
    // A valid announce under a header naming another endpoint is not relayed as that endpoint's.
    expect(mesh.counters(1).announcesRejected - rejectedBefore).toBe(5);
    expect(info().endpoints).toBe(2);
    expect(target.stack.heapBytes()).toBe(heap);
    expect(fatesOf(mesh.counters(1))).toBe(mesh.counters(1).framesReceived);
  });

  it("keeps the endpoint table within its size under a flood of valid announces from new identities", async () => {
    const { mesh, target, inject, info } = await pair(strategy);
    const heap = target.stack.heapBytes();
    for (let i = 0; i < 60; i++) {
      const sybil = grindIdentity(`sybil-${strategy}-${i}`, 0);
      inject(
        routedFrame({
          type: RoutedPacketType.Announce,
          source: nobleAddress(sybil.publicKey),
          packetId: 1000 + i,
          body: nobleAnnounce(sybil, 1),
        }),
      );
    }
    // 16 slots; the attacker (heard within the eviction age) keeps its own.
    expect(info().endpoints).toBe(16);
    expect(mesh.counters(1).announcesRejected).toBeGreaterThan(40);
    // The honest neighbour announced within the eviction age: still known and routable.
    const route = info();
    if (strategy === "nexthop") expect(route.nextHop).toBe(shortId(mesh.nodes[0].address));
    if (strategy === "electric") expect(route.potential).toBeLessThan(NO_POTENTIAL);
    expect(target.stack.heapBytes()).toBe(heap);
    const tables = target.availability.linkTables(target.link);
    expect(tables.ring).toBeLessThanOrEqual(tables.ringCapacity);
    expect(tables.pendingRelays).toBeLessThanOrEqual(tables.relayTableCapacity);
  });
});

describe("electric: potential reports are sanity-checked", () => {
  it("refuses a zero from anyone but the destination and clamps a sudden fall", async () => {
    // Three nodes in a line: 0 (liar) — 1 (under test) — 2 (destination).
    const mesh = await FloodMesh.create(lineTopology(3), { ...OPTIONS, strategy: "electric" });
    mesh.run(15_000);
    const [liar, node, destination] = mesh.nodes;
    const potential = () => node.availability.routingInfo(node.link, mesh.now, destination.address).potential;
    const honest = potential() as number;
    expect(honest).toBeLessThan(NO_POTENTIAL);
    const inject = (entries: Array<[Uint8Array, number | { code: number }]>) => {
      const frame = routedFrame({
        type: RoutedPacketType.Beacon,
        source: liar.address,
        packetId: Math.floor(Math.random() * 2 ** 32),
        body: beaconBody(entries),
      });
      expect(liar.stack.push(liar.integrity, liar.pool, frame)).toBe(Status.Ok);
      mesh.step();
      mesh.step();
    };
    const rejected = mesh.counters(1).potentialReportsRejected;
    inject([[destination.address, 0]]);
    expect(mesh.counters(1).potentialReportsRejected).toBe(rejected + 1);
    inject([[destination.address, 1]]);
    expect(mesh.counters(1).potentialReportsRejected).toBe(rejected + 2);
    // A believable but sudden fall (to a tenth) is recorded as half: the liar must keep at it.
    const clamped = mesh.counters(1).potentialReportsClamped;
    inject([[destination.address, Math.max(4, Math.floor(honest / 10))]]);
    expect(mesh.counters(1).potentialReportsClamped).toBe(clamped + 1);
    // A code whose value would not fit 32 bits is skipped: nothing rejected, clamped or changed.
    const now = potential();
    const counts = mesh.counters(1);
    inject([[destination.address, { code: 0xffff }]]);
    expect(mesh.counters(1).potentialReportsRejected).toBe(counts.potentialReportsRejected);
    expect(mesh.counters(1).potentialReportsClamped).toBe(counts.potentialReportsClamped);
    expect(potential()).toBe(now);
  });

  it("drops beacons that claim more than one hop, and malformed beacon bodies", async () => {
    const mesh = await FloodMesh.create(lineTopology(2), { ...OPTIONS, strategy: "electric" });
    mesh.run(5_000);
    const [sender] = mesh.nodes;
    const before = mesh.counters(1);
    const send = (frame: Uint8Array) => {
      expect(sender.stack.push(sender.integrity, sender.pool, frame)).toBe(Status.Ok);
      mesh.step();
      mesh.step();
    };
    send(
      routedFrame({
        type: RoutedPacketType.Beacon,
        source: sender.address,
        packetId: 1,
        hopLimit: 3,
        body: beaconBody([]),
      }),
    );
    const random = new SeededRandom(9);
    for (let i = 0; i < 50; i++) {
      send(
        routedFrame({
          type: RoutedPacketType.Beacon,
          source: sender.address,
          packetId: 2 + i,
          body: random.bytes(random.below(40)),
        }),
      );
    }
    const after = mesh.counters(1);
    expect(after.malformedBadHopLimit - before.malformedBadHopLimit).toBe(1);
    expect(after.controlFrames - before.controlFrames).toBeGreaterThanOrEqual(50);
    expect(fatesOf(after)).toBe(after.framesReceived);
  });
});

describe.each(["nexthop", "electric"] as const)("%s: hostile routed frames", (strategy) => {
  it("survives 2,000 random and mutated frames of every routed type, each counted, heap unchanged", async () => {
    const { mesh, attacker, target } = await pair(strategy);
    const random = new SeededRandom(strategy === "electric" ? 31 : 32);
    const heap = target.stack.heapBytes();
    const before = mesh.counters(1).framesReceived;
    const types = [
      RoutedPacketType.Unicast,
      RoutedPacketType.Broadcast,
      RoutedPacketType.Announce,
      RoutedPacketType.Beacon,
      RoutedPacketType.Multicast,
    ];
    let sent = 0;
    for (let i = 0; i < 2000; i++) {
      const type = types[random.below(types.length)];
      const toEveryone = type !== RoutedPacketType.Unicast && type !== RoutedPacketType.Multicast;
      const destination = random.below(4) === 0 ? target.address : random.bytes(16);
      const frame = routedFrame({
        type,
        source: random.below(3) === 0 ? attacker.address : random.bytes(16),
        destination: toEveryone ? BROADCAST : destination,
        packetId: random.nextU32(),
        transmitter: random.below(2) === 0 ? shortId(attacker.address) : random.nextU32(),
        senderPotential: random.below(3) === 0 ? NO_POTENTIAL : random.nextU32(),
        hopLimit: 1 + random.below(6),
        body: random.bytes(random.below(200)),
      });
      // Then mutate a few bytes anywhere, header included.
      for (let m = random.below(3); m > 0; m--) frame[random.below(frame.length)] ^= 1 << random.below(8);
      // Routed frames for the target name it as next hop half of the time.
      if (random.below(2) === 0) new DataView(frame.buffer).setUint32(O.nextHop, shortId(target.address), true);
      expect(attacker.stack.push(attacker.integrity, attacker.pool, frame)).toBe(Status.Ok);
      sent++;
      mesh.step();
    }
    mesh.settle();
    const after = mesh.counters(1);
    expect(after.framesReceived - before).toBeGreaterThanOrEqual(sent);
    expect(fatesOf(after)).toBe(after.framesReceived);
    expect(target.stack.heapBytes()).toBe(heap);
    const tables = target.availability.linkTables(target.link);
    expect(tables.pendingRelays).toBeLessThanOrEqual(tables.relayTableCapacity);
    expect(target.availability.routingInfo(target.link, mesh.now).endpoints).toBeLessThanOrEqual(16);
  });
});
