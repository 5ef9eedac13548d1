// Host-facing API of the Availability layer (docs/routing.md): endpoint addresses, the identity
// puzzle, announces, endpoint tables and announce limiters, named by small integer handles in tables
// of fixed size (as stack-api.ts). Frames pass through the I/O window; bad handles and arguments return
// an error value, never trap.
import { endpointAddressOf } from "../availability/address";
import { createAnnounce, MAXIMUM_APP_DATA_SIZE, verifyAnnounce } from "../availability/announce";
import { AnnounceLimiter } from "../availability/announce-limiter";
import { AvailabilityCounter } from "../availability/counters";
import { EndpointTable } from "../availability/endpoint-table";
import { AvailabilityLink, isValidHopLimit, relayDelayMs } from "../availability/availability-link";
import { HEADER_SIZE, NO_POTENTIAL } from "../availability/header";
import { AvailabilityLinkCounter } from "../availability/link-counters";
import { RoutingStrategy } from "../availability/routing-state";
import { BAD_POTENTIAL_CODE, decodeBeaconPotential, encodeBeaconPotential, MAXIMUM_BEACON_ENTRIES } from "../availability/beacon";
import { MAXIMUM_DIFFICULTY, puzzleSatisfied } from "../availability/puzzle";
import { Status } from "../link/status";
import { addLink, identityAt, INVALID_HANDLE, linkAt, poolAt } from "./handles";
import { IO_DATA_SIZE, ioArgsPointer, ioDataPointer } from "./io-window";

const TABLE_SIZE: i32 = 16;
/** Largest endpoint table: 64 bytes per entry, so 1024 entries are 64 KiB — a whole page. */
const MAXIMUM_ENDPOINTS: i32 = 1024;

const endpointTables = new StaticArray<EndpointTable | null>(TABLE_SIZE);
const limiters = new StaticArray<AnnounceLimiter | null>(TABLE_SIZE);
let endpointTableCount: i32 = 0;
let limiterCount: i32 = 0;

function endpointTableAt(handle: i32): EndpointTable | null {
  return handle >= 0 && handle < endpointTableCount ? endpointTables[handle] : null;
}

function limiterAt(handle: i32): AnnounceLimiter | null {
  return handle >= 0 && handle < limiterCount ? limiters[handle] : null;
}

/** Writes the 16-byte address of the 32-byte public key at `publicKey` to `out`. */
export function endpointAddress(out: usize, publicKey: usize): void {
  endpointAddressOf(out, publicKey);
}

/** True when the 32-byte public key at `publicKey` solves the identity puzzle at `difficulty`. */
export function identityPuzzleSatisfied(publicKey: usize, difficulty: i32): bool {
  return puzzleSatisfied(publicKey, difficulty);
}

/**
 * Creates a table of `capacity` endpoints (1..1024) accepting identities of puzzle `difficulty`
 * (0..64); entries expire after `maximumAgeMs` and may be evicted by a new endpoint after
 * `evictionAgeMs` without being heard.
 */
export function endpointTableCreate(capacity: i32, difficulty: i32, maximumAgeMs: f64, evictionAgeMs: f64): i32 {
  if (capacity < 1 || capacity > MAXIMUM_ENDPOINTS || difficulty < 0 || difficulty > MAXIMUM_DIFFICULTY) {
    return INVALID_HANDLE;
  }
  if (!(maximumAgeMs >= 0 && maximumAgeMs < 9e15 && evictionAgeMs >= 0 && evictionAgeMs < 9e15)) return INVALID_HANDLE;
  if (endpointTableCount == TABLE_SIZE) return INVALID_HANDLE;
  endpointTables[endpointTableCount] = new EndpointTable(capacity, difficulty, <i64>maximumAgeMs, <i64>evictionAgeMs);
  return endpointTableCount++;
}

/**
 * Writes a signed announce of `identity` at `sequence` to the I/O data area; the app data (0..128
 * bytes) is read from the argument area. Counts it as sent by `table`. Returns the frame length or -1.
 */
export function announceCreate(table: i32, identity: i32, sequence: u32, appDataLength: i32): i32 {
  const t = endpointTableAt(table);
  const id = identityAt(identity);
  if (t === null || id === null || appDataLength < 0 || appDataLength > MAXIMUM_APP_DATA_SIZE) return -1;
  const length = createAnnounce(ioDataPointer(), IO_DATA_SIZE, id, sequence, ioArgsPointer(), appDataLength);
  if (length > 0) t.countSent();
  return length;
}

/** Verifies the `length`-byte announce in the I/O data area at `difficulty`; returns an AnnounceVerdict. */
export function announceVerify(length: i32, difficulty: i32): i32 {
  if (length < 0 || length > IO_DATA_SIZE) return -1;
  return verifyAnnounce(ioDataPointer(), length, difficulty);
}

/**
 * Offers the `length`-byte announce in the I/O data area to `table`, heard at `nowMs` over a link of
 * `linkQuality`. Returns the AvailabilityCounter it incremented (1 = accepted), or -1 for a bad handle.
 */
export function announceAccept(table: i32, length: i32, nowMs: f64, linkQuality: i32): i32 {
  const t = endpointTableAt(table);
  if (t === null || length < 0 || length > IO_DATA_SIZE || !(nowMs >= -9e15 && nowMs <= 9e15)) return -1;
  return t.accept(ioDataPointer(), length, <i64>nowMs, linkQuality);
}

/** Index of the entry whose 16-byte address is at the start of the argument area, or -1. */
export function endpointTableFind(table: i32): i32 {
  const t = endpointTableAt(table);
  return t !== null ? t.find(ioArgsPointer()) : -1;
}

/**
 * Copies entry `index` to the argument area: address (16), public key (32), sequence (u32), hops (u8),
 * 1 byte zero, link quality (i16), last heard ms (f64). False when absent or a bad handle.
 */
export function endpointTableEntry(table: i32, index: i32): bool {
  const t = endpointTableAt(table);
  if (t === null || !t.isPresent(index)) return false;
  const out = ioArgsPointer();
  memory.copy(out, t.entryAddress(index), 16);
  memory.copy(out + 16, t.entryPublicKey(index), 32);
  store<u32>(out + 48, t.entrySequence(index));
  store<u8>(out + 52, <u8>t.entryHops(index));
  store<u8>(out + 53, 0);
  store<i16>(out + 54, <i16>t.entryLinkQuality(index));
  store<f64>(out + 56, <f64>t.entryLastHeard(index));
  return true;
}

export function endpointTableSize(table: i32): i32 {
  const t = endpointTableAt(table);
  return t !== null ? t.size() : -1;
}

export function endpointTableCapacity(table: i32): i32 {
  const t = endpointTableAt(table);
  return t !== null ? t.capacity : -1;
}

/** Removes entries not heard for the table's maximum age at `nowMs`; returns how many, or -1. */
export function endpointTableExpire(table: i32, nowMs: f64): i32 {
  const t = endpointTableAt(table);
  if (t === null || !(nowMs >= -9e15 && nowMs <= 9e15)) return -1;
  return t.expire(<i64>nowMs);
}

export function availabilityCounter(table: i32, which: i32): f64 {
  const t = endpointTableAt(table);
  if (t === null || which < 0 || which >= AvailabilityCounter.Count) return -1;
  return <f64>t.counter(<AvailabilityCounter>which);
}

/** Creates an announce airtime budget: `shareMillionths` 1..1,000,000 (20,000 = 2 %), burst in µs. */
export function announceLimiterCreate(shareMillionths: i32, burstUs: f64, nowMs: f64): i32 {
  if (shareMillionths < 1 || shareMillionths > 1_000_000) return INVALID_HANDLE;
  if (!(burstUs >= 0 && burstUs < 9e15 && nowMs >= -9e15 && nowMs <= 9e15)) return INVALID_HANDLE;
  if (limiterCount == TABLE_SIZE) return INVALID_HANDLE;
  limiters[limiterCount] = new AnnounceLimiter(shareMillionths, <i64>burstUs, <i64>nowMs);
  return limiterCount++;
}

/** 1 when an announce of `airtimeUs` fits the budget at `nowMs`, 0 when not, -1 for bad arguments. */
export function announceLimiterMayAnnounce(limiter: i32, airtimeUs: f64, nowMs: f64): i32 {
  const l = limiterAt(limiter);
  if (l === null || !(airtimeUs >= 0 && airtimeUs < 9e15 && nowMs >= -9e15 && nowMs <= 9e15)) return -1;
  return l.mayAnnounce(<i64>airtimeUs, <i64>nowMs) ? 1 : 0;
}

/** Records an announce of `airtimeUs` sent at `nowMs`. */
export function announceLimiterSpend(limiter: i32, airtimeUs: f64, nowMs: f64): bool {
  const l = limiterAt(limiter);
  if (l === null || !(airtimeUs >= 0 && airtimeUs < 9e15 && nowMs >= -9e15 && nowMs <= 9e15)) return false;
  l.spend(<i64>airtimeUs, <i64>nowMs);
  return true;
}

// ---- The Availability link (managed flooding). Its handles live in the shared link table, so the
// generic linkPush (a broadcast), linkPop and linkPoll of stack-api.ts drive it too.

/** Largest duplicate ring: 12 bytes per entry, a linear scan per received frame. */
const MAXIMUM_RING_CAPACITY: i32 = 1024;
/** Largest pending-relay table: each entry holds a pool buffer, and pools have at most 64. */
const MAXIMUM_RELAY_TABLE_CAPACITY: i32 = 64;
/** Longest relay window: a minute, far above any LoRa airtime; keeps the delay maths in i32. */
const MAXIMUM_RELAY_WINDOW_MS: i32 = 60_000;

function availabilityLinkAt(handle: i32): AvailabilityLink | null {
  const link = linkAt(handle);
  return link instanceof AvailabilityLink ? changetype<AvailabilityLink>(link) : null;
}

/**
 * Creates an Availability link over `lower` for the endpoint whose 16-byte address is at
 * `ownAddress`: a duplicate ring of `ringCapacity` (1..1024), a pending-relay table of
 * `relayTableCapacity` (1..64), originated packets with `hopLimit` (1..15), relays delayed within
 * `relayWindowMs` (0..60,000) and cancelled after hearing `cancelThreshold` relays by others (0..255;
 * 0 never, 1 Meshtastic). Returns a link handle or -1.
 */
export function availabilityLinkCreate(
  lower: i32,
  pool: i32,
  ownAddress: usize,
  ringCapacity: i32,
  relayTableCapacity: i32,
  hopLimit: i32,
  relayWindowMs: i32,
  cancelThreshold: i32,
  seed: u32,
): i32 {
  const l = linkAt(lower);
  const p = poolAt(pool);
  if (l === null || p === null || ownAddress == 0) return INVALID_HANDLE;
  if (ringCapacity < 1 || ringCapacity > MAXIMUM_RING_CAPACITY) return INVALID_HANDLE;
  if (relayTableCapacity < 1 || relayTableCapacity > MAXIMUM_RELAY_TABLE_CAPACITY) return INVALID_HANDLE;
  if (!isValidHopLimit(hopLimit) || relayWindowMs < 0 || relayWindowMs > MAXIMUM_RELAY_WINDOW_MS) {
    return INVALID_HANDLE;
  }
  if (cancelThreshold < 0 || cancelThreshold > 255 || l.mtu() <= HEADER_SIZE) return INVALID_HANDLE;
  const link = new AvailabilityLink(l, p, ownAddress, ringCapacity, relayTableCapacity, hopLimit, relayWindowMs, seed);
  link.cancelThreshold = cancelThreshold;
  return addLink(link);
}

/** How an origin's packet is addressed (availabilityLinkSend's `kind`). */
const enum SendKind {
  /** To an endpoint address (all ones = broadcast). */
  Endpoint = 0,
  /** To every subscriber of a 16-byte topic. */
  Topic = 1,
  /** To the nearest holder of the service whose address is given. */
  Service = 2,
}

/**
 * Sends the `length` bytes at the start of the I/O data area to the 16-byte address at `destination`
 * (all ones = broadcast), asking the layer below for integrity `level` (0 = its profile) and
 * address-book `contact` (-1 = none) for the first hop. Returns a Status.
 */
export function availabilityLinkPushTo(
  link: i32,
  pool: i32,
  length: i32,
  destination: usize,
  level: i32,
  contact: i32,
): i32 {
  return sendFromIo(link, pool, length, destination, level, contact, SendKind.Endpoint);
}

/** As availabilityLinkPushTo, to every subscriber of the 16-byte topic at `topic`. */
export function availabilityLinkPushToTopic(link: i32, pool: i32, length: i32, topic: usize, level: i32, contact: i32): i32 {
  return sendFromIo(link, pool, length, topic, level, contact, SendKind.Topic);
}

/** As availabilityLinkPushTo, to the nearest holder of the service whose 16-byte address is at `service`. */
export function availabilityLinkPushToService(link: i32, pool: i32, length: i32, service: usize, level: i32, contact: i32): i32 {
  return sendFromIo(link, pool, length, service, level, contact, SendKind.Service);
}

function sendFromIo(link: i32, pool: i32, length: i32, destination: usize, level: i32, contact: i32, kind: SendKind): i32 {
  const l = availabilityLinkAt(link);
  const p = poolAt(pool);
  if (l === null || p === null || destination == 0 || length < 0 || length > IO_DATA_SIZE) return Status.BadArgument;
  if (level < 0 || level > 255) return Status.BadArgument;
  const packet = p.take();
  if (packet === null) return Status.NoBuffer;
  const payload = packet.append(length);
  if (payload == 0) {
    p.release(packet);
    return Status.TooBig;
  }
  memory.copy(payload, ioDataPointer(), <usize>length);
  packet.integrityLevel = <u8>level;
  packet.contact = contact;
  let status: Status;
  if (kind == SendKind.Topic) status = l.pushToTopic(packet, destination);
  else if (kind == SendKind.Service) status = l.pushToService(packet, destination);
  else status = l.pushTo(packet, destination);
  if (status != Status.Ok) p.release(packet);
  return status;
}

/** Subscribes the link's node to the 16-byte topic at the start of the argument area. Returns a Status. */
export function availabilityLinkSubscribe(link: i32): i32 {
  const l = availabilityLinkAt(link);
  if (l === null) return Status.BadArgument;
  return l.subscribe(ioArgsPointer());
}

/** Makes the link's node a holder of the service whose key pair is identity `service`. Returns a Status. */
export function availabilityLinkOfferService(link: i32, service: i32): i32 {
  const l = availabilityLinkAt(link);
  const id = identityAt(service);
  if (l === null || id === null) return Status.BadArgument;
  return l.offerService(id);
}

/**
 * Pops the next packet for this node into the I/O data area and returns its length, or -1. Its
 * Availability header (HEADER_SIZE bytes, as on the wire: type, hop limit, hop count, packet id,
 * destination, source) goes to the start of the argument area.
 */
export function availabilityLinkPop(link: i32, pool: i32): i32 {
  const l = availabilityLinkAt(link);
  const p = poolAt(pool);
  if (l === null || p === null) return -1;
  const packet = l.pop();
  if (packet === null) return -1;
  const length = min(packet.length, IO_DATA_SIZE);
  memory.copy(ioDataPointer(), packet.pointer(), <usize>length);
  memory.copy(ioArgsPointer(), l.receivedHeader(packet), <usize>HEADER_SIZE);
  p.release(packet);
  return length;
}

export function availabilityLinkCounter(link: i32, which: i32): f64 {
  const l = availabilityLinkAt(link);
  if (l === null || which < 0 || which >= AvailabilityLinkCounter.Count) return -1;
  return <f64>l.counter(<AvailabilityLinkCounter>which);
}

/** Occupancy of the link's fixed tables: 0 pending relays, 1 relay-table capacity, 2 ring entries, 3 ring capacity. */
export function availabilityLinkTableSize(link: i32, which: i32): i32 {
  const l = availabilityLinkAt(link);
  if (l === null) return -1;
  switch (which) {
    case 0: return l.pendingRelays();
    case 1: return l.relayTableCapacity();
    case 2: return l.ringSize();
    case 3: return l.ringCapacity();
    default: return -1;
  }
}

/** Largest destination table of a routing link (rows of routes and potentials). */
const MAXIMUM_DESTINATIONS: i32 = 1024;
/** Largest neighbour table: the resend exclusion mask has one bit per neighbour slot. */
const MAXIMUM_NEIGHBOURS: i32 = 64;
/** Longest announce, beacon, acknowledgement and route timings accepted (a day). */
const MAXIMUM_INTERVAL_MS: f64 = 86_400_000;

/**
 * Turns on `strategy` (1 next hop, 2 electric; 0 leaves managed flooding) for an Availability link:
 * announces of `identity` (whose key the link's address must be derived from) every
 * `announceIntervalMs`, potential beacons every `beaconIntervalMs` (electric), passive
 * acknowledgements awaited `ackTimeoutMs`, next-hop routes kept `routeLifetimeMs`; tables of
 * `destinationCapacity` (1..1024) endpoints and `neighbourCapacity` (1..64) neighbours; identities
 * checked at puzzle `difficulty`; the announce budget is `announceShareMillionths` of airtime, with
 * `airtimeUsPerByte` to estimate it; the first announce has sequence `firstSequence` + 1 and goes
 * out within `firstAnnounceWithinMs`; beacons carry at most `beaconEntries` (1..64) potentials. Once
 * per link. Returns 0 or -1.
 */
export function availabilityLinkRouting(
  link: i32,
  strategy: i32,
  identity: i32,
  destinationCapacity: i32,
  neighbourCapacity: i32,
  difficulty: i32,
  announceIntervalMs: f64,
  beaconIntervalMs: f64,
  ackTimeoutMs: f64,
  routeLifetimeMs: f64,
  airtimeUsPerByte: f64,
  announceShareMillionths: i32,
  firstSequence: f64,
  firstAnnounceWithinMs: f64,
  beaconEntries: i32,
): i32 {
  const l = availabilityLinkAt(link);
  const id = identityAt(identity);
  if (l === null || id === null || l.routingState() !== null) return -1;
  if (strategy != RoutingStrategy.NextHop && strategy != RoutingStrategy.Electric) return -1;
  if (destinationCapacity < 1 || destinationCapacity > MAXIMUM_DESTINATIONS) return -1;
  if (neighbourCapacity < 1 || neighbourCapacity > MAXIMUM_NEIGHBOURS) return -1;
  if (difficulty < 0 || difficulty > MAXIMUM_DIFFICULTY) return -1;
  if (!(announceIntervalMs >= 1000 && announceIntervalMs <= MAXIMUM_INTERVAL_MS)) return -1;
  if (!(beaconIntervalMs >= 1000 && beaconIntervalMs <= MAXIMUM_INTERVAL_MS)) return -1;
  if (!(ackTimeoutMs >= 10 && ackTimeoutMs <= MAXIMUM_INTERVAL_MS)) return -1;
  if (!(routeLifetimeMs >= 1000 && routeLifetimeMs <= MAXIMUM_INTERVAL_MS)) return -1;
  if (!(airtimeUsPerByte >= 1 && airtimeUsPerByte <= 1_000_000)) return -1;
  if (announceShareMillionths < 1 || announceShareMillionths > 1_000_000) return -1;
  if (!(firstSequence >= 0 && firstSequence < 4294967295)) return -1;
  if (!(firstAnnounceWithinMs >= 0 && firstAnnounceWithinMs <= MAXIMUM_INTERVAL_MS)) return -1;
  if (beaconEntries < 1 || beaconEntries > MAXIMUM_BEACON_ENTRIES) return -1;
  // The link's address must be this identity's, or its announces would name someone else.
  const address = ioArgsPointer();
  endpointAddressOf(address, id.publicKey());
  if (!l.hasAddress(address)) return -1;
  l.enableRouting(
    <RoutingStrategy>strategy,
    id,
    destinationCapacity,
    neighbourCapacity,
    difficulty,
    <i64>announceIntervalMs,
    <i64>beaconIntervalMs,
    <i64>ackTimeoutMs,
    <i64>routeLifetimeMs,
    <i64>airtimeUsPerByte,
    announceShareMillionths,
    <u32>firstSequence,
    <i64>firstAnnounceWithinMs,
    beaconEntries,
  );
  return 0;
}

/**
 * Routing state for tests and statistics: 0 endpoints known, 1 neighbours alive, 2 this node's
 * potential for the endpoint whose address is at the start of the argument area (NO_POTENTIAL as
 * 4294967295), 3 the next hop towards it (0 = none), 4 announce sequence, 5 memberships held (topic
 * subscriptions and proven services of known endpoints). -1 for a bad handle.
 */
export function availabilityLinkRoutingInfo(link: i32, which: i32, nowMs: f64): f64 {
  const l = availabilityLinkAt(link);
  if (l === null || !(nowMs >= -9e15 && nowMs <= 9e15)) return -1;
  const routing = l.routingState();
  if (routing === null) return -1;
  const now = <i64>nowMs;
  const index = which == 2 || which == 3 ? routing.endpoints.find(ioArgsPointer()) : 0;
  switch (which) {
    case 0: return <f64>routing.endpoints.size();
    case 1: return <f64>routing.neighbours.aliveCount(now);
    case 2: return index < 0 ? 4294967295 : <f64>routing.routes.recompute(index, routing.neighbours, now);
    case 3: return index < 0 ? 0 : <f64>routing.routes.nextHop(index, now);
    case 4: return <f64>routing.announceSequence;
    case 5: return <f64>routing.memberships.size();
    default: return -1;
  }
}

/** A potential's 16-bit beacon code (beacon.ts), exposed so the encoding can be tested; -1 for NO_POTENTIAL. */
export function availabilityBeaconPotentialCode(potential: u32): i32 {
  if (potential == NO_POTENTIAL) return -1;
  return <i32>encodeBeaconPotential(potential);
}

/** The potential a 16-bit beacon code stands for; -1 when the code is malformed or not 16 bits. */
export function availabilityBeaconPotential(code: i32): f64 {
  if (code < 0 || code > 0xffff) return -1;
  const potential = decodeBeaconPotential(<u16>code);
  return potential == BAD_POTENTIAL_CODE ? -1 : <f64>potential;
}

/** The relay delay rule (availability-link.ts relayDelayMs), exposed so its weighting can be tested. */
export function availabilityRelayDelayMs(windowMs: i32, snrQuarterDb: i32, random: u32): i32 {
  if (windowMs < 0 || windowMs > MAXIMUM_RELAY_WINDOW_MS) return -1;
  return relayDelayMs(windowMs, snrQuarterDb, random);
}
