// A small host-side "wire" for Availability-link tests: N stack instances, each a UDP Data Link,
// an Integrity link (BLAKE2b, no identity: fast) and an Availability link. Every UDP frame a node
// sends is handed to its neighbours in a chosen topology; time advances in fixed steps through poll.
import { blake2b } from "@noble/hashes/blake2.js";
import {
  Availability,
  type AvailabilityLinkCounters,
  type AvailabilityLinkOptions,
  type RoutedPacket,
  receivedFrameFates,
} from "../../host/wasm/availability.js";
import { DatagramKind, Stack } from "../../host/wasm/stack.js";

export interface MeshNode {
  index: number;
  stack: Stack;
  availability: Availability;
  pool: number;
  dataLink: number;
  integrity: number;
  link: number;
  address: Uint8Array;
  outbox: Uint8Array[];
  delivered: RoutedPacket[];
}

/**
 * topology[i] lists the nodes that hear node i. Symmetric for the lattices below; a test may leave a
 * link out one way to make it one-way.
 */
export type Topology = number[][];

export function lineTopology(count: number): Topology {
  return Array.from({ length: count }, (_, i) => [i - 1, i + 1].filter((j) => j >= 0 && j < count));
}

export function gridTopology(width: number, height: number): Topology {
  return Array.from({ length: width * height }, (_, i) => {
    const x = i % width;
    const y = Math.floor(i / width);
    const out: number[] = [];
    if (x > 0) out.push(i - 1);
    if (x < width - 1) out.push(i + 1);
    if (y > 0) out.push(i - width);
    if (y < height - 1) out.push(i + width);
    return out;
  });
}

/** The 4-byte short id of an address (firmware header.ts shortIdOf: its first bytes, 0 mapped to 1). */
export function shortId(address: Uint8Array): number {
  const id = new DataView(address.buffer, address.byteOffset).getUint32(0, true);
  return id === 0 ? 1 : id;
}

/** Node `from` sends `payload` to node `to`'s endpoint; returns the push status (0 = Ok). */
export function sendUnicast(mesh: FloodMesh, from: number, to: number, payload: Uint8Array): number {
  const node = mesh.nodes[from];
  return node.availability.pushTo(node.link, node.pool, payload, mesh.nodes[to].address);
}

/** How many times node `index` delivered exactly `payload`. */
export function deliveredCount(mesh: FloodMesh, index: number, payload: Uint8Array): number {
  const wanted = Buffer.from(payload).toString("hex");
  return mesh.nodes[index].delivered.filter((p) => Buffer.from(p.payload).toString("hex") === wanted).length;
}

export function nodeAddress(index: number): Uint8Array {
  return blake2b(new TextEncoder().encode(`flood-node-${index}`), { dkLen: 16 });
}

/**
 * Timings for routing strategies on this lossless wire polled every 5 ms: announces within 10 s,
 * beacons every 2 s, acknowledgements within 200 ms; airtime is nominal, so the whole announce budget
 * may be used.
 */
export const FAST_ROUTING = {
  announceIntervalMs: 10_000,
  beaconIntervalMs: 2_000,
  ackTimeoutMs: 200,
  routeLifetimeMs: 120_000,
  relayWindowMs: 50,
  hopLimit: 15,
  cancelThreshold: 2,
  ringCapacity: 256,
  relayTableCapacity: 16,
  airtimeUsPerByte: 1,
  announceShare: 1,
  // No 255-byte radio frame to fit: every potential in every beacon, so potentials converge fast.
  beaconEntries: 32,
} satisfies AvailabilityLinkOptions;

function text(value: string): Uint8Array {
  return new TextEncoder().encode(value);
}

/** One frame crossing the wire: who sent it and its bytes (Data Link and Integrity framing included). */
export interface WireFrame {
  from: number;
  atMs: number;
  bytes: Uint8Array;
}

export class FloodMesh {
  now = 0;
  /** Nodes switched off: not polled, and frames to or from them are lost. */
  readonly down = new Set<number>();
  /** Called with every frame that crosses the wire (before it reaches the neighbours). */
  onFrame?: (frame: WireFrame) => void;
  /** When it returns true, neighbour `to` does not receive `frame` (a loss on that one link). */
  loses?: (frame: WireFrame, to: number) => boolean;

  private constructor(
    readonly nodes: MeshNode[],
    readonly topology: Topology,
    readonly stepMs: number,
  ) {}

  static async create(
    topology: Topology,
    options: AvailabilityLinkOptions & { poolSize?: number; stepMs?: number } = {},
  ): Promise<FloodMesh> {
    const nodes: MeshNode[] = [];
    for (let index = 0; index < topology.length; index++) {
      const outbox: Uint8Array[] = [];
      const stack = await Stack.load({
        onUdpSend: (frame) => {
          outbox.push(frame);
          return true;
        },
      });
      const availability = new Availability(stack);
      const pool = stack.createPool(options.poolSize ?? 32);
      const dataLink = stack.createDatagramLink(DatagramKind.Udp, pool, { seed: 100 + index });
      const integrity = stack.createIntegrity(dataLink, pool, undefined, stack.createAddressBook(1));
      // Routing strategies sign announces, so their nodes need an identity whose key names the address.
      const routed = options.strategy !== undefined && options.strategy !== "flooding";
      const identity = routed ? stack.createIdentity(blake2b(text(`routed-node-${index}`), { dkLen: 32 })) : undefined;
      const address = identity ? availability.address(identity.publicKey) : nodeAddress(index);
      const link = availability.createLink(integrity, pool, address, {
        ...options,
        identity: identity?.handle,
        seed: 1000 + index * 7919,
      });
      nodes.push({ index, stack, availability, pool, dataLink, integrity, link, address, outbox, delivered: [] });
    }
    return new FloodMesh(nodes, topology, options.stepMs ?? 5);
  }

  /** One step: every node polls (sending due relays), frames cross the wire, every node pops. */
  step(): void {
    for (const node of this.nodes) if (!this.down.has(node.index)) node.stack.poll(node.link, this.now);
    for (const node of this.nodes) {
      const frames = node.outbox.splice(0);
      if (this.down.has(node.index)) continue;
      for (const frame of frames) {
        const wire = { from: node.index, atMs: this.now, bytes: frame };
        this.onFrame?.(wire);
        for (const neighbour of this.topology[node.index]) {
          if (this.down.has(neighbour) || this.loses?.(wire, neighbour)) continue;
          const to = this.nodes[neighbour];
          to.stack.receiveFrame(to.dataLink, frame);
        }
      }
    }
    for (const node of this.nodes) {
      if (this.down.has(node.index)) continue;
      for (let packet = node.availability.popRouted(node.link, node.pool); packet; ) {
        node.delivered.push(packet);
        packet = node.availability.popRouted(node.link, node.pool);
      }
    }
    this.now += this.stepMs;
  }

  /** Steps for `durationMs` of mesh time. */
  run(durationMs: number): void {
    const end = this.now + durationMs;
    while (this.now < end) this.step();
  }

  /** Steps until no relay is pending and no frame is in flight (or `limitMs` passes). */
  settle(limitMs = 20_000): void {
    const end = this.now + limitMs;
    do {
      this.step();
    } while (this.now < end && this.busy());
    // One more step delivers what the last poll sent.
    this.step();
  }

  busy(): boolean {
    return this.nodes.some(
      (node) =>
        !this.down.has(node.index) &&
        (node.outbox.length > 0 ||
          node.availability.linkTables(node.link).pendingRelays > 0 ||
          node.stack.backlog(node.dataLink) > 0),
    );
  }

  counters(index: number): AvailabilityLinkCounters {
    const node = this.nodes[index];
    return node.availability.linkCounters(node.link);
  }

  heapBytes(): number[] {
    return this.nodes.map((node) => node.stack.heapBytes());
  }
}

/** Sum of the fate counters: must equal framesReceived, so no frame is lost silently. */
export function fatesOf(counters: AvailabilityLinkCounters): number {
  return receivedFrameFates.reduce((sum, name) => sum + counters[name], 0);
}
