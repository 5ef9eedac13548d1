// Host binding of the Availability layer API (firmware/exports/availability-api.ts): endpoint
// addresses, the identity puzzle, announces, endpoint tables and announce limiters inside one
// stack.wasm instance (the Stack that owns it).
import type { Stack } from "./stack.js";

/** Sizes of the announce wire format (firmware/availability/announce.ts, docs/routing.md). */
export const ADDRESS_SIZE = 16;
export const ANNOUNCE_MINIMUM_SIZE = 104;
export const MAXIMUM_APP_DATA_SIZE = 128;
export const HOP_COUNT_OFFSET = 2;

/** firmware/availability/announce.ts AnnounceVerdict. */
export enum AnnounceVerdict {
  Valid = 0,
  Truncated = 1,
  BadType = 2,
  BadLength = 3,
  Puzzle = 4,
  Signature = 5,
}

/** Names of the Availability counters, in the order of firmware/availability/counters.ts. */
export const availabilityCounterNames = [
  "announcesSent",
  "announcesAccepted",
  "rejectedTruncated",
  "rejectedBadType",
  "rejectedBadLength",
  "rejectedPuzzle",
  "rejectedSignature",
  "rejectedReplay",
  "rejectedAddressTaken",
  "rejectedTableFull",
  "evictions",
  "expiries",
] as const;
export type AvailabilityCounterName = (typeof availabilityCounterNames)[number];
export type AvailabilityCounters = Record<AvailabilityCounterName, number>;

/** Routed packet header (firmware/availability/header.ts, docs/routing.md "Routed packet header"). */
export const ROUTED_HEADER_SIZE = 55;
export const MAXIMUM_HOP_LIMIT = 15;
export enum RoutedPacketType {
  Unicast = 2,
  Broadcast = 3,
  Announce = 4,
  Beacon = 5,
  Multicast = 6,
}
/** Header field offsets (firmware/availability/header.ts). */
export const ROUTED_HEADER_OFFSETS = {
  type: 0,
  hopLimit: 1,
  hopCount: 2,
  packetId: 3,
  transmitter: 7,
  nextHop: 11,
  ceiling: 15,
  senderPotential: 19,
  destination: 23,
  source: 39,
} as const;
/** "No potential known" in headers and routingInfo. */
export const NO_POTENTIAL = 0xffffffff;
export const BROADCAST_ADDRESS = new Uint8Array(ADDRESS_SIZE).fill(0xff);
/** firmware/availability/availability-link.ts NO_SNR: the relay delay is uniformly random. */
export const NO_SNR = -0x80000000;

/** Names of the Availability link's counters, in the order of firmware/availability/link-counters.ts. */
export const availabilityLinkCounterNames = [
  "sentUnicast",
  "sentBroadcast",
  "framesReceived",
  "deliveredUnicast",
  "deliveredBroadcast",
  "forOthers",
  "duplicates",
  "ownEchoes",
  "malformedTruncated",
  "malformedBadType",
  "malformedBadDestination",
  "malformedBadHopLimit",
  "relaysScheduled",
  "relaysSent",
  "relaysCancelled",
  "hopLimitReached",
  "relayTableFull",
  "relayNoBuffer",
  "relayRefused",
  "controlFrames",
  "routedSent",
  "routedForwarded",
  "noRoute",
  "acksHeard",
  "ackTimeouts",
  "ackRetries",
  "announcesOriginated",
  "announcesAccepted",
  "announcesRejected",
  "announceBudgetExceeded",
  "beaconsSent",
  "beaconsReceived",
  "potentialReportsRejected",
  "potentialReportsClamped",
  "sentMulticast",
  "deliveredMulticast",
  "multicastCopies",
  "noSubscribers",
  "floodsRouted",
  "droppedUnacknowledged",
  "announceRepeats",
  "refreshesNotRelayed",
] as const;
export type AvailabilityLinkCounters = Record<(typeof availabilityLinkCounterNames)[number], number>;

/** Counters that record every fate of a frame received from the lower link (they sum to framesReceived). */
export const receivedFrameFates = [
  "deliveredUnicast",
  "deliveredBroadcast",
  "forOthers",
  "duplicates",
  "ownEchoes",
  "malformedTruncated",
  "malformedBadType",
  "malformedBadDestination",
  "malformedBadHopLimit",
  "controlFrames",
  "deliveredMulticast",
] as const;

export interface AvailabilityLinkOptions {
  /** Duplicate-ring entries, 1..1024 (default 64). */
  ringCapacity?: number;
  /** Pending-relay table entries, 1..64 (default 8). */
  relayTableCapacity?: number;
  /** Hop limit of originated packets, 1..15 (default 7, as Meshtastic). */
  hopLimit?: number;
  /** Relay delays are spread over this many ms, 0..60,000 (default 500). */
  relayWindowMs?: number;
  /** Relays heard from others that cancel a pending relay: 1 Meshtastic (default), 0 never, 2+ counter-based. */
  cancelThreshold?: number;
  seed?: number;
  /**
   * How unicasts travel: "flooding" (default, Meshtastic's managed flooding), "nexthop" (learned next
   * hops) or "electric" (Kelner & Maymounkov). The last two need `identity`.
   */
  strategy?: RoutingStrategyName;
  /** Identity handle whose key the address was derived from: signs this node's announces. */
  identity?: number;
  /** Endpoints the routing tables hold, 1..1024 (default 256). */
  destinationCapacity?: number;
  /** Neighbours the routing tables hold, 1..64 (default 32). */
  neighbourCapacity?: number;
  /** Identity-puzzle difficulty of accepted announces, 0..64 (default 0). */
  difficulty?: number;
  /** Own announce interval (default 30 min). */
  announceIntervalMs?: number;
  /** Potential beacon interval, electric only (default 120 s). */
  beaconIntervalMs?: number;
  /** Potentials one beacon carries, 1..64 (default 24: with the heard-neighbour filter, one 255-byte LoRa frame at BLAKE2b). */
  beaconEntries?: number;
  /** The first announce goes out at a random moment of this window (default 120 s). */
  firstAnnounceWithinMs?: number;
  /** How long a routed packet's next hop has to be heard forwarding it (default 3 s). */
  ackTimeoutMs?: number;
  /** Next-hop routes not refreshed for this long are not used (default 2.2 announce intervals). */
  routeLifetimeMs?: number;
  /** Airtime estimate per byte for the announce budget, µs (default 1,500: SF7BW125). */
  airtimeUsPerByte?: number;
  /** Share of airtime for announces (default 0.02, Reticulum's 2 %). */
  announceShare?: number;
  /** Sequence of the last announce this identity sent (persisted by the caller; default 0). */
  lastAnnounceSequence?: number;
}

export const routingStrategyNames = ["flooding", "nexthop", "electric"] as const;
export type RoutingStrategyName = (typeof routingStrategyNames)[number];

/** Integrity level (0 = the lower link's profile) and address-book contact (-1 = none) for the first hop. */
export interface SendOptions {
  level?: number;
  contact?: number;
}

/** A packet the Availability link delivered, with its routed header. */
export interface RoutedPacket {
  payload: Uint8Array;
  type: RoutedPacketType;
  hopLimit: number;
  hopCount: number;
  packetId: number;
  destination: Uint8Array;
  source: Uint8Array;
}

export interface EndpointEntry {
  index: number;
  address: Uint8Array;
  publicKey: Uint8Array;
  sequence: number;
  hops: number;
  linkQuality: number;
  lastHeardMs: number;
}

export interface EndpointTableOptions {
  capacity: number;
  /** Identity-puzzle difficulty in leading zero bits, 0..64. */
  difficulty: number;
  /** Entries not heard for this long are removed by expire(). */
  maximumAgeMs: number;
  /** A new endpoint may only evict an entry not heard for this long. */
  evictionAgeMs: number;
}

interface AvailabilityExports {
  endpointAddress(out: number, publicKey: number): void;
  identityPuzzleSatisfied(publicKey: number, difficulty: number): number;
  endpointTableCreate(capacity: number, difficulty: number, maximumAgeMs: number, evictionAgeMs: number): number;
  announceCreate(table: number, identity: number, sequence: number, appDataLength: number): number;
  announceVerify(length: number, difficulty: number): number;
  announceAccept(table: number, length: number, nowMs: number, linkQuality: number): number;
  endpointTableFind(table: number): number;
  endpointTableEntry(table: number, index: number): number;
  endpointTableSize(table: number): number;
  endpointTableCapacity(table: number): number;
  endpointTableExpire(table: number, nowMs: number): number;
  availabilityCounter(table: number, which: number): number;
  announceLimiterCreate(shareMillionths: number, burstUs: number, nowMs: number): number;
  announceLimiterMayAnnounce(limiter: number, airtimeUs: number, nowMs: number): number;
  announceLimiterSpend(limiter: number, airtimeUs: number, nowMs: number): number;
  availabilityLinkCreate(
    lower: number,
    pool: number,
    ownAddress: number,
    ringCapacity: number,
    relayTableCapacity: number,
    hopLimit: number,
    relayWindowMs: number,
    cancelThreshold: number,
    seed: number,
  ): number;
  availabilityLinkPushTo(
    link: number,
    pool: number,
    length: number,
    destination: number,
    level: number,
    contact: number,
  ): number;
  availabilityLinkPop(link: number, pool: number): number;
  availabilityLinkCounter(link: number, which: number): number;
  availabilityLinkTableSize(link: number, which: number): number;
  availabilityRelayDelayMs(windowMs: number, snrQuarterDb: number, random: number): number;
  availabilityBeaconPotentialCode(potential: number): number;
  availabilityBeaconPotential(code: number): number;
  availabilityLinkRouting(
    link: number,
    strategy: number,
    identity: number,
    destinationCapacity: number,
    neighbourCapacity: number,
    difficulty: number,
    announceIntervalMs: number,
    beaconIntervalMs: number,
    ackTimeoutMs: number,
    routeLifetimeMs: number,
    airtimeUsPerByte: number,
    announceShareMillionths: number,
    firstSequence: number,
    firstAnnounceWithinMs: number,
    beaconEntries: number,
  ): number;
  availabilityLinkRoutingInfo(link: number, which: number, nowMs: number): number;
  availabilityLinkPushToTopic(
    link: number,
    pool: number,
    length: number,
    topic: number,
    level: number,
    contact: number,
  ): number;
  availabilityLinkPushToService(
    link: number,
    pool: number,
    length: number,
    service: number,
    level: number,
    contact: number,
  ): number;
  availabilityLinkSubscribe(link: number): number;
  availabilityLinkOfferService(link: number, service: number): number;
  ioDataPointer(): number;
  ioDataSize(): number;
  ioArgsPointer(): number;
}

function created(what: string, handle: number): number {
  if (handle < 0) throw new Error(`availability: could not create ${what} (bad argument or table full)`);
  return handle;
}

/** The Availability API of one stack instance. */
export class Availability {
  private readonly x: AvailabilityExports;
  private readonly dataPointer: number;
  private readonly dataSize: number;
  private readonly argsPointer: number;

  constructor(readonly stack: Stack) {
    this.x = stack.instance.exports as unknown as AvailabilityExports;
    this.dataPointer = this.x.ioDataPointer();
    this.dataSize = this.x.ioDataSize();
    this.argsPointer = this.x.ioArgsPointer();
  }

  /** The 16-byte address of a 32-byte Ed25519 public key. */
  address(publicKey: Uint8Array): Uint8Array {
    if (publicKey.length !== 32) throw new RangeError("publicKey: expected 32 bytes");
    this.bytes().set(publicKey, this.argsPointer);
    this.x.endpointAddress(this.argsPointer + 32, this.argsPointer);
    return this.bytes().slice(this.argsPointer + 32, this.argsPointer + 32 + ADDRESS_SIZE);
  }

  puzzleSatisfied(publicKey: Uint8Array, difficulty: number): boolean {
    if (publicKey.length !== 32) throw new RangeError("publicKey: expected 32 bytes");
    this.bytes().set(publicKey, this.argsPointer);
    return this.x.identityPuzzleSatisfied(this.argsPointer, difficulty) === 1;
  }

  createEndpointTable(options: EndpointTableOptions): number {
    return created(
      "an endpoint table",
      this.x.endpointTableCreate(options.capacity, options.difficulty, options.maximumAgeMs, options.evictionAgeMs),
    );
  }

  /** A signed announce of `identity` (a Stack identity handle), counted as sent by `table`. */
  createAnnounce(
    table: number,
    identity: number,
    sequence: number,
    appData: Uint8Array = new Uint8Array(),
  ): Uint8Array {
    if (appData.length > MAXIMUM_APP_DATA_SIZE) throw new RangeError(`appData: at most ${MAXIMUM_APP_DATA_SIZE} bytes`);
    this.bytes().set(appData, this.argsPointer);
    const length = this.x.announceCreate(table, identity, sequence >>> 0, appData.length);
    if (length < 0)
      throw new Error(`availability: could not create an announce (table ${table}, identity ${identity})`);
    return this.bytes().slice(this.dataPointer, this.dataPointer + length);
  }

  /** Checks an announce without touching any table. */
  verifyAnnounce(frame: Uint8Array, difficulty: number): AnnounceVerdict {
    this.load(frame);
    return this.x.announceVerify(frame.length, difficulty);
  }

  /** Offers a received announce to `table`; returns the name of the counter it incremented. */
  acceptAnnounce(table: number, frame: Uint8Array, nowMs: number, linkQuality = 0): AvailabilityCounterName {
    this.load(frame);
    const which = this.x.announceAccept(table, frame.length, nowMs, linkQuality);
    if (which < 0) throw new Error(`availability: bad table ${table} or time ${nowMs}`);
    return availabilityCounterNames[which];
  }

  find(table: number, address: Uint8Array): EndpointEntry | undefined {
    if (address.length !== ADDRESS_SIZE) throw new RangeError(`address: expected ${ADDRESS_SIZE} bytes`);
    this.bytes().set(address, this.argsPointer);
    const index = this.x.endpointTableFind(table);
    return index < 0 ? undefined : this.entry(table, index);
  }

  entry(table: number, index: number): EndpointEntry | undefined {
    if (!this.x.endpointTableEntry(table, index)) return undefined;
    const memory = this.bytes();
    const at = this.argsPointer;
    const view = new DataView(memory.buffer, at, 64);
    return {
      index,
      address: memory.slice(at, at + 16),
      publicKey: memory.slice(at + 16, at + 48),
      sequence: view.getUint32(48, true),
      hops: view.getUint8(52),
      linkQuality: view.getInt16(54, true),
      lastHeardMs: view.getFloat64(56, true),
    };
  }

  /** Every present entry, in slot order. */
  entries(table: number): EndpointEntry[] {
    const out: EndpointEntry[] = [];
    const capacity = this.x.endpointTableCapacity(table);
    for (let i = 0; i < capacity; i++) {
      const entry = this.entry(table, i);
      if (entry) out.push(entry);
    }
    return out;
  }

  size(table: number): number {
    return this.x.endpointTableSize(table);
  }

  expire(table: number, nowMs: number): number {
    return this.x.endpointTableExpire(table, nowMs);
  }

  counters(table: number): AvailabilityCounters {
    const out = {} as AvailabilityCounters;
    availabilityCounterNames.forEach((name, index) => {
      const value = this.x.availabilityCounter(table, index);
      if (value < 0) throw new Error(`availability: ${table} is not an endpoint table`);
      out[name] = value;
    });
    return out;
  }

  /** An announce airtime budget: `share` of airtime (default 0.02, Reticulum's 2 %), burst in µs. */
  createLimiter(options: { share?: number; burstUs: number; nowMs?: number }): number {
    const millionths = Math.round((options.share ?? 0.02) * 1_000_000);
    return created(
      "an announce limiter",
      this.x.announceLimiterCreate(millionths, options.burstUs, options.nowMs ?? 0),
    );
  }

  mayAnnounce(limiter: number, airtimeUs: number, nowMs: number): boolean {
    const answer = this.x.announceLimiterMayAnnounce(limiter, airtimeUs, nowMs);
    if (answer < 0) throw new Error(`availability: bad limiter ${limiter} or arguments`);
    return answer === 1;
  }

  spend(limiter: number, airtimeUs: number, nowMs: number): void {
    if (!this.x.announceLimiterSpend(limiter, airtimeUs, nowMs))
      throw new Error(`availability: bad limiter ${limiter} or arguments`);
  }

  /**
   * An Availability link (managed flooding) over `lower` for the endpoint at `ownAddress`. It is a
   * link handle: Stack.push (broadcast), Stack.poll and the generic pop work on it too.
   */
  createLink(lower: number, pool: number, ownAddress: Uint8Array, options: AvailabilityLinkOptions = {}): number {
    if (ownAddress.length !== ADDRESS_SIZE) throw new RangeError(`ownAddress: expected ${ADDRESS_SIZE} bytes`);
    const strategy = options.strategy ?? "flooding";
    const strategyIndex = routingStrategyNames.indexOf(strategy);
    if (strategyIndex < 0) throw new RangeError(`strategy: expected one of ${routingStrategyNames.join(", ")}`);
    if (strategyIndex > 0 && options.identity === undefined) {
      throw new RangeError(`identity: the ${strategy} strategy signs announces and needs the node's identity`);
    }
    this.bytes().set(ownAddress, this.argsPointer);
    const link = created(
      "an availability link",
      this.x.availabilityLinkCreate(
        lower,
        pool,
        this.argsPointer,
        options.ringCapacity ?? 64,
        options.relayTableCapacity ?? 8,
        options.hopLimit ?? 7,
        options.relayWindowMs ?? 500,
        options.cancelThreshold ?? 1,
        (options.seed ?? 1) >>> 0,
      ),
    );
    if (strategyIndex > 0) {
      const announceIntervalMs = options.announceIntervalMs ?? 30 * 60_000;
      const status = this.x.availabilityLinkRouting(
        link,
        strategyIndex,
        options.identity ?? -1,
        options.destinationCapacity ?? 256,
        options.neighbourCapacity ?? 32,
        options.difficulty ?? 0,
        announceIntervalMs,
        options.beaconIntervalMs ?? 120_000,
        options.ackTimeoutMs ?? 3_000,
        // Routes outlive two announce rounds, so one lost announce does not cut an endpoint off.
        options.routeLifetimeMs ?? Math.round(announceIntervalMs * 2.2),
        options.airtimeUsPerByte ?? 1_500,
        Math.round((options.announceShare ?? 0.02) * 1_000_000),
        options.lastAnnounceSequence ?? 0,
        options.firstAnnounceWithinMs ?? 120_000,
        options.beaconEntries ?? 24,
      );
      if (status < 0) {
        throw new RangeError(
          "availability: routing options out of range, or the identity's address is not the link's address",
        );
      }
    }
    return link;
  }

  /** What the routing tables hold (next-hop and electric links only). */
  routingInfo(
    link: number,
    nowMs: number,
    about?: Uint8Array,
  ): {
    endpoints: number;
    neighbours: number;
    memberships: number;
    potential?: number;
    nextHop?: number;
    announceSequence: number;
  } {
    const read = (which: number) => {
      const value = this.x.availabilityLinkRoutingInfo(link, which, nowMs);
      if (value < 0) throw new Error(`availability: ${link} is not a routing availability link`);
      return value;
    };
    const out: ReturnType<Availability["routingInfo"]> = {
      endpoints: read(0),
      neighbours: read(1),
      announceSequence: read(4),
      memberships: read(5),
    };
    if (about) {
      if (about.length !== ADDRESS_SIZE) throw new RangeError(`about: expected ${ADDRESS_SIZE} bytes`);
      this.bytes().set(about, this.argsPointer);
      out.potential = read(2);
      this.bytes().set(about, this.argsPointer);
      out.nextHop = read(3);
    }
    return out;
  }

  /** Sends `payload` to `destination` (BROADCAST_ADDRESS for everyone); returns a Status (host/wasm/stack.ts). */
  pushTo(link: number, pool: number, payload: Uint8Array, destination: Uint8Array, options: SendOptions = {}): number {
    return this.send(this.x.availabilityLinkPushTo, "destination", link, pool, payload, destination, options);
  }

  /**
   * Sends `payload` to every subscriber of the 16-byte `topic` this node knows of (Status.NoRoute when
   * it knows none; under managed flooding it floods and subscribers pick it out).
   */
  pushToTopic(link: number, pool: number, payload: Uint8Array, topic: Uint8Array, options: SendOptions = {}): number {
    return this.send(this.x.availabilityLinkPushToTopic, "topic", link, pool, payload, topic, options);
  }

  /** Sends `payload` to the nearest known holder of the service whose address is `service`. */
  pushToService(
    link: number,
    pool: number,
    payload: Uint8Array,
    service: Uint8Array,
    options: SendOptions = {},
  ): number {
    return this.send(this.x.availabilityLinkPushToService, "service", link, pool, payload, service, options);
  }

  private send(
    exported: (link: number, pool: number, length: number, to: number, level: number, contact: number) => number,
    name: string,
    link: number,
    pool: number,
    payload: Uint8Array,
    to: Uint8Array,
    options: SendOptions,
  ): number {
    if (to.length !== ADDRESS_SIZE) throw new RangeError(`${name}: expected ${ADDRESS_SIZE} bytes`);
    this.load(payload);
    this.bytes().set(to, this.argsPointer);
    return exported(link, pool, payload.length, this.argsPointer, options.level ?? 0, options.contact ?? -1);
  }

  /** Subscribes the node to a 16-byte topic (at most 4), announced from its next announce on. */
  subscribe(link: number, topic: Uint8Array): void {
    if (topic.length !== ADDRESS_SIZE) throw new RangeError(`topic: expected ${ADDRESS_SIZE} bytes`);
    this.bytes().set(topic, this.argsPointer);
    const status = this.x.availabilityLinkSubscribe(link);
    if (status !== 0)
      throw new RangeError(`availability: cannot subscribe (status ${status}: bad link or 4 topics already)`);
  }

  /** Makes the node a holder of the service whose key pair is the identity handle `service` (one per node). */
  offerService(link: number, service: number): void {
    const status = this.x.availabilityLinkOfferService(link, service);
    if (status !== 0) throw new RangeError(`availability: cannot offer service (status ${status})`);
  }

  /** The next packet for this node, with its header, or undefined. */
  popRouted(link: number, pool: number): RoutedPacket | undefined {
    const length = this.x.availabilityLinkPop(link, pool);
    if (length < 0) return undefined;
    const memory = this.bytes();
    const at = this.argsPointer;
    const view = new DataView(memory.buffer, at, ROUTED_HEADER_SIZE);
    const o = ROUTED_HEADER_OFFSETS;
    return {
      payload: memory.slice(this.dataPointer, this.dataPointer + length),
      type: view.getUint8(o.type),
      hopLimit: view.getUint8(o.hopLimit),
      hopCount: view.getUint8(o.hopCount),
      packetId: view.getUint32(o.packetId, true),
      destination: memory.slice(at + o.destination, at + o.destination + ADDRESS_SIZE),
      source: memory.slice(at + o.source, at + o.source + ADDRESS_SIZE),
    };
  }

  linkCounters(link: number): AvailabilityLinkCounters {
    const out = {} as AvailabilityLinkCounters;
    availabilityLinkCounterNames.forEach((name, index) => {
      const value = this.x.availabilityLinkCounter(link, index);
      if (value < 0) throw new Error(`availability: ${link} is not an availability link`);
      out[name] = value;
    });
    return out;
  }

  /** Occupancy and capacity of the link's fixed tables. */
  linkTables(link: number): { pendingRelays: number; relayTableCapacity: number; ring: number; ringCapacity: number } {
    const read = (which: number) => {
      const value = this.x.availabilityLinkTableSize(link, which);
      if (value < 0) throw new Error(`availability: ${link} is not an availability link`);
      return value;
    };
    return { pendingRelays: read(0), relayTableCapacity: read(1), ring: read(2), ringCapacity: read(3) };
  }

  /** The firmware's relay delay for a frame heard at `snrQuarterDb` (NO_SNR: uniformly random). */
  relayDelayMs(windowMs: number, snrQuarterDb: number, random: number): number {
    return this.x.availabilityRelayDelayMs(windowMs, snrQuarterDb | 0, random >>> 0);
  }

  /** A potential's 16-bit code in beacons (docs/routing.md, "Potential exchange"); -1 for NO_POTENTIAL. */
  beaconPotentialCode(potential: number): number {
    return this.x.availabilityBeaconPotentialCode(potential >>> 0);
  }

  /** The potential a beacon's 16-bit code stands for; -1 when the code is malformed. */
  beaconPotential(code: number): number {
    return this.x.availabilityBeaconPotential(code | 0);
  }

  private load(frame: Uint8Array): void {
    if (frame.length > this.dataSize) throw new RangeError(`frame: longer than ${this.dataSize} bytes`);
    this.bytes().set(frame, this.dataPointer);
  }

  private bytes(): Uint8Array {
    return this.stack.instance.bytes();
  }
}
