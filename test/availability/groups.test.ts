// Multicast (topics) and anycast (services) over the routing strategies: every subscriber and nobody
// else gets a topic's packets, the nearest holder of a service gets the service's, and a service
// claim without a valid proof routes nothing.

import { ed25519 } from "@noble/curves/ed25519.js";
import { blake2b } from "@noble/hashes/blake2.js";
import { describe, expect, it } from "vitest";
import {
  ROUTED_HEADER_OFFSETS as O,
  ROUTED_HEADER_SIZE,
  RoutedPacketType,
  type RoutingStrategyName,
} from "../../host/wasm/availability.js";
import { Status } from "../../host/wasm/stack.js";
import { grindIdentity, nobleAddress, nobleAnnounce } from "./announce-helpers.js";
import { FAST_ROUTING, FloodMesh, fatesOf, gridTopology, lineTopology, type Topology } from "./flood-mesh.js";

const text = (value: string) => new TextEncoder().encode(value);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

function topic(name: string): Uint8Array {
  return blake2b(text(`topic:${name}`), { dkLen: 16 });
}

async function mesh(topology: Topology, strategy: RoutingStrategyName, setup: (mesh: FloodMesh) => void) {
  const built = await FloodMesh.create(topology, { ...FAST_ROUTING, strategy, poolSize: 48 });
  setup(built);
  built.run(25_000);
  return built;
}

function deliveries(m: FloodMesh, payload: Uint8Array): number[] {
  return m.nodes.map((node) => node.delivered.filter((p) => hex(p.payload) === hex(payload)).length);
}

describe.each(["nexthop", "electric"] as const)("%s multicast", (strategy) => {
  it("reaches every subscriber once and nobody else, with fewer copies than a flood", async () => {
    const subscribers = [4, 12, 20, 24];
    const news = topic("news");
    const m = await mesh(gridTopology(5, 5), strategy, (built) => {
      for (const i of subscribers) built.nodes[i].availability.subscribe(built.nodes[i].link, news);
    });
    expect(m.nodes[0].availability.routingInfo(m.nodes[0].link, m.now).memberships).toBe(subscribers.length);
    const copiesBefore = m.nodes.reduce((sum, _, i) => sum + m.counters(i).multicastCopies, 0);
    for (let k = 0; k < 5; k++) {
      const payload = text(`news ${k}`);
      const sender = m.nodes[0];
      expect(sender.availability.pushToTopic(sender.link, sender.pool, payload, news)).toBe(Status.Ok);
      m.settle();
      const got = deliveries(m, payload);
      expect(got.filter((_, i) => subscribers.includes(i))).toEqual([1, 1, 1, 1]);
      expect(got.filter((_, i) => !subscribers.includes(i)).every((n) => n === 0)).toBe(true);
    }
    const copies = m.nodes.reduce((sum, _, i) => sum + m.counters(i).multicastCopies, 0) - copiesBefore;
    // Four subscribers up to 8 hops away share their first hops: well under a 25-node flood each.
    expect(copies / 5).toBeLessThan(20);
    for (let i = 0; i < m.nodes.length; i++) expect(fatesOf(m.counters(i))).toBe(m.counters(i).framesReceived);
    // The delivered packet carries its header: the application sees who sent it.
    const delivered = m.nodes[24].delivered.at(-1);
    expect(delivered?.type).toBe(RoutedPacketType.Multicast);
    expect(hex(delivered?.source ?? new Uint8Array())).toBe(hex(m.nodes[0].address));
    expect(hex(delivered?.destination ?? new Uint8Array())).toBe(hex(news));
  });

  it("answers NoRoute for a topic nobody subscribes to, and counts it", async () => {
    const m = await mesh(lineTopology(3), strategy, () => {});
    const sender = m.nodes[0];
    expect(sender.availability.pushToTopic(sender.link, sender.pool, text("void"), topic("void"))).toBe(Status.NoRoute);
    expect(m.counters(0).noSubscribers).toBe(1);
  });
});

describe("multicast under managed flooding", () => {
  it("floods, and only subscribers deliver", async () => {
    const m = await FloodMesh.create(gridTopology(3, 3), { ...FAST_ROUTING, cancelThreshold: 0 });
    const chat = topic("chat");
    for (const i of [2, 6]) m.nodes[i].availability.subscribe(m.nodes[i].link, chat);
    const sender = m.nodes[0];
    expect(sender.availability.pushToTopic(sender.link, sender.pool, text("hi"), chat)).toBe(Status.Ok);
    m.settle();
    expect(deliveries(m, text("hi"))).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 0]);
  });
});

describe.each(["nexthop", "electric"] as const)("%s anycast", (strategy) => {
  it("delivers to the nearest holder of the service key", async () => {
    // A line 0..6 with the service held by nodes 1 and 6.
    let service: Uint8Array = new Uint8Array();
    const m = await mesh(lineTopology(7), strategy, (built) => {
      for (const i of [1, 6]) {
        const node = built.nodes[i];
        const key = node.stack.createIdentity(blake2b(text("printer service"), { dkLen: 32 }));
        node.availability.offerService(node.link, key.handle);
        service = node.availability.address(key.publicKey);
      }
    });
    for (const [from, nearest] of [
      [3, 1],
      [5, 6],
      [0, 1],
    ] as const) {
      const payload = text(`job from ${from}`);
      const sender = m.nodes[from];
      expect(sender.availability.pushToService(sender.link, sender.pool, payload, service)).toBe(Status.Ok);
      m.settle();
      const got = deliveries(m, payload);
      expect(got[nearest], `from ${from}`).toBe(1);
      expect(
        got.reduce((a, b) => a + b, 0),
        `from ${from}`,
      ).toBe(1);
    }
    const sender = m.nodes[2];
    expect(sender.availability.pushToService(sender.link, sender.pool, text("x"), topic("no such service"))).toBe(
      Status.NoRoute,
    );
  });

  it("ignores a service claim whose proof was made for another holder", async () => {
    const m = await mesh(lineTopology(2), strategy, () => {});
    const [attacker, target] = m.nodes;
    const serviceSeed = blake2b(text("stolen service"), { dkLen: 32 });
    const servicePublicKey = ed25519.getPublicKey(serviceSeed);
    const serviceAddress = nobleAddress(servicePublicKey);
    const proofFor = (holder: Uint8Array) => {
      const digest = blake2b(holder, { key: text("meshstack/service/v1"), dkLen: 64 });
      return ed25519.sign(digest, serviceSeed);
    };
    const announceWith = (label: string, proofHolder: "self" | "other") => {
      const identity = grindIdentity(label, 0);
      const address = nobleAddress(identity.publicKey);
      const holder = proofHolder === "self" ? address : new Uint8Array(16).fill(7);
      const appData = new Uint8Array(2 + 96);
      appData.set([2, 96]);
      appData.set(servicePublicKey, 2);
      appData.set(proofFor(holder), 34);
      const body = nobleAnnounce(identity, 1, appData);
      const frame = new Uint8Array(ROUTED_HEADER_SIZE + body.length);
      const view = new DataView(frame.buffer);
      frame[O.type] = RoutedPacketType.Announce;
      frame[O.hopLimit] = 1;
      view.setUint32(O.packetId, label.length * 7919, true);
      view.setUint32(O.transmitter, view.getUint32(0, true) || 5, true);
      view.setUint32(O.ceiling, 0xffffffff, true);
      view.setUint32(O.senderPotential, 0xffffffff, true);
      frame.fill(0xff, O.destination, O.destination + 16);
      frame.set(address, O.source);
      frame.set(body, ROUTED_HEADER_SIZE);
      expect(attacker.stack.push(attacker.integrity, attacker.pool, frame)).toBe(Status.Ok);
      m.step();
      m.step();
    };
    const memberships = () => target.availability.routingInfo(target.link, m.now).memberships;
    const before = memberships();
    announceWith("thief", "other");
    expect(memberships()).toBe(before);
    // The same key with a proof made for the announcing endpoint itself is believed.
    announceWith("honest holder", "self");
    expect(memberships()).toBe(before + 1);
  });
});
