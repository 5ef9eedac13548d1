// What a node knows for unicast routing (docs/routing.md): the verified endpoints, the neighbours it
// hears, next-hop routes and electric potentials per destination, its own announce schedule and the
// announce airtime budget. Owned by the AvailabilityLink when its strategy is next-hop or electric;
// this file only learns and answers — the link does all sending. Sized at construction, never grows.
import { Identity } from "../identity/identity";
import { ADDRESS_SIZE } from "./address";
import { announceSequence, AnnounceVerdict, checkAnnounceStructure } from "./announce";
import { AnnounceLimiter } from "./announce-limiter";
import { BAD_POTENTIAL_CODE, BEACON_FILTER_OFFSET, beaconEntryCount, beaconEntryPotential, beaconEntryPrefix } from "./beacon";
import { EndpointTable, NO_ENDPOINT } from "./endpoint-table";
import { heardFilterContains } from "./heard-filter";
import { AvailabilityHeaderView, NO_POTENTIAL, sameAddress, shortIdOf } from "./header";
import { AvailabilityLinkCounter } from "./link-counters";
import { MembershipTable } from "./memberships";
import { NeighbourTable, NO_NEIGHBOUR } from "./neighbour-table";
import { ReportVerdict, RouteTable } from "./route-table";

export const enum RoutingStrategy {
  /** Managed flooding only (Meshtastic's baseline): no tables. */
  Flooding = 0,
  /** Learned next hops (first packet floods, announces and replies teach the path). */
  NextHop = 1,
  /** Kelner & Maymounkov's electric routing over measured link conductances. */
  Electric = 2,
}

/** A potential that moved by more than 1/4 since the last beacon asks for an early beacon. */
const SIGNIFICANT_CHANGE_SHIFT: u32 = 2;

export class RoutingState {
  readonly endpoints: EndpointTable;
  readonly routes: RouteTable;
  readonly neighbours: NeighbourTable;
  readonly limiter: AnnounceLimiter;
  /** Topic subscriptions and proven services of the known endpoints (two per endpoint on average). */
  readonly memberships: MembershipTable;
  /** Sequence of this node's latest announce (strictly increasing; the host may seed it across reboots). */
  announceSequence: u32;
  nextAnnounceMs: i64 = 0;
  nextBeaconMs: i64 = 0;
  lastBeaconMs: i64 = 0;
  /** Boot beacons still to send (BOOT_BEACONS at start). */
  bootBeaconsLeft: i32 = 0;
  /** Next endpoint slot a beacon reports (round robin over the table). */
  beaconCursor: i32 = 0;
  /** A potential changed a lot since the last beacon: send the next one early. */
  potentialsChanged: bool = false;
  /** Entries one beacon carries at most (own 0 included). */
  beaconEntries: i32 = 24;
  private readonly ownAddress: usize = heap.alloc(<usize>ADDRESS_SIZE);

  constructor(
    readonly strategy: RoutingStrategy,
    readonly identity: Identity,
    ownAddress: usize,
    destinationCapacity: i32,
    neighbourCapacity: i32,
    difficulty: i32,
    readonly announceIntervalMs: i64,
    readonly beaconIntervalMs: i64,
    readonly ackTimeoutMs: i64,
    routeLifetimeMs: i64,
    /** Estimated airtime per byte sent, for the announce budget (µs; ~1,500 at SF7BW125). */
    readonly airtimeUsPerByte: i64,
    announceShareMillionths: i32,
    firstSequence: u32,
  ) {
    // Endpoints expire after three missed announce rounds; a newcomer may evict one silent for two.
    this.endpoints = new EndpointTable(destinationCapacity, difficulty, announceIntervalMs * 3, announceIntervalMs * 2);
    this.routes = new RouteTable(destinationCapacity, neighbourCapacity, routeLifetimeMs);
    // Electric neighbours are refreshed by beacons; without beacons a neighbour lives as long as a route.
    const electric = strategy == RoutingStrategy.Electric;
    const neighbourTimeout = electric ? beaconIntervalMs * 3 : routeLifetimeMs;
    // Unused after the longest beacon spacing and an eighth of an interval (neighbour-table.ts).
    const unusedAfterSilence = electric ? beaconIntervalMs + (beaconIntervalMs * 3) / 8 : i64.MAX_VALUE;
    this.neighbours = new NeighbourTable(neighbourCapacity, neighbourTimeout, electric, unusedAfterSilence);
    // The burst is one announce interval's worth of budget (at least two of the largest announces):
    // a mesh switched on together relays everyone's first announce at once, and the share then
    // holds over every longer window (docs/routing.md, "Announce airtime budget").
    const intervalBudgetUs = (announceIntervalMs * 1000 * <i64>announceShareMillionths) / 1_000_000;
    const burstUs = max(intervalBudgetUs, 2 * 400 * airtimeUsPerByte);
    this.limiter = new AnnounceLimiter(announceShareMillionths, burstUs, 0);
    this.announceSequence = firstSequence;
    this.memberships = new MembershipTable(destinationCapacity * 2);
    memory.copy(this.ownAddress, ownAddress, <usize>ADDRESS_SIZE);
  }

  /** Records a frame heard from `transmitter`; returns its neighbour slot or NO_NEIGHBOUR. */
  hearNeighbour(transmitter: u32, snrKnown: bool, snrDb: f64, nowMs: i64): i32 {
    const slot = this.neighbours.heard(transmitter, snrKnown, snrDb, nowMs);
    const reassigned = this.neighbours.reassignedSlot;
    if (reassigned != NO_NEIGHBOUR) this.routes.clearNeighbour(reassigned);
    return slot;
  }

  /**
   * Learns from a routed unicast's header heard from neighbour `slot` (whether or not it is for this
   * node): the transmitter's potential for the destination, and — the reply teaching the path — a
   * route to the source through the transmitter. `hopsFromSource` counts the hop just heard.
   */
  learnFromUnicast(header: AvailabilityHeaderView, slot: i32, hopsFromSource: i32, nowMs: i64, counters: StaticArray<u32>): void {
    if (this.strategy == RoutingStrategy.Electric) {
      const destination = this.endpoints.find(header.destination());
      if (destination != NO_ENDPOINT) this.takeReport(destination, slot, header.senderPotential(), false, nowMs, counters);
    } else {
      const source = this.endpoints.find(header.source());
      if (source != NO_ENDPOINT) this.routes.offerRoute(source, header.transmitter(), hopsFromSource, nowMs, false);
    }
  }

  /**
   * Learns from an announce copy heard from neighbour `slot` whose endpoint entry is `index` (the
   * announce verified, now or for an earlier copy of the same sequence): the route through the
   * transmitter and its potential for the announcing endpoint. `fresh`: the first copy of a newer
   * sequence (its route replaces any other, RouteTable.offerRoute).
   */
  learnFromAnnounce(index: i32, header: AvailabilityHeaderView, slot: i32, hopsFromOrigin: i32, fresh: bool, nowMs: i64, counters: StaticArray<u32>): void {
    if (this.strategy == RoutingStrategy.Electric) {
      // Only the origin itself, one hop away, may say 0.
      const fromOrigin = hopsFromOrigin == 1 && header.transmitter() == shortIdOf(header.source());
      this.takeReport(index, slot, header.senderPotential(), fromOrigin, nowMs, counters);
    } else {
      this.routes.offerRoute(index, header.transmitter(), hopsFromOrigin, nowMs, fresh);
    }
  }

  /**
   * The endpoint entry of a duplicate announce copy if it repeats the sequence already verified
   * (so it may teach a route without a second signature check), else NO_ENDPOINT.
   */
  verifiedEntryFor(body: usize, length: i32, source: usize): i32 {
    if (checkAnnounceStructure(body, length) != AnnounceVerdict.Valid) return NO_ENDPOINT;
    const index = this.endpoints.find(source);
    if (index == NO_ENDPOINT || this.endpoints.entrySequence(index) != announceSequence(body)) return NO_ENDPOINT;
    return index;
  }

  /** Takes the reports of a beacon body heard from neighbour `slot` whose source is `source`. */
  receiveBeacon(body: usize, length: i32, source: usize, slot: i32, ownId: u32, nowMs: i64, counters: StaticArray<u32>): bool {
    const count = beaconEntryCount(body, length);
    if (count < 0) return false;
    this.neighbours.reverseReported(slot, heardFilterContains(body + BEACON_FILTER_OFFSET, ownId));
    for (let e = 0; e < count; e++) {
      const potential = beaconEntryPotential(body, e);
      if (potential == BAD_POTENTIAL_CODE) continue;
      const index = this.endpointWithPrefix<u32>(beaconEntryPrefix(body, e));
      if (index == NO_ENDPOINT) continue;
      const fromDestination = sameAddress(this.endpoints.entryAddress(index), source);
      this.takeReport(index, slot, potential, fromDestination, nowMs, counters);
    }
    return true;
  }

  /** A verified announce created or took over endpoint slot `index`: start its routes afresh. */
  endpointReplaced(index: i32): void {
    this.routes.reset(index);
    this.memberships.removeEndpoint(index);
  }

  /**
   * The endpoint whose address starts with `prefix` — its first sizeof<T>() bytes: 4 in beacon entries,
   * 8 in multicast lists — or NO_ENDPOINT.
   */
  endpointWithPrefix<T>(prefix: T): i32 {
    const endpoints = this.endpoints;
    for (let i = 0; i < endpoints.capacity; i++) {
      if (endpoints.isPresent(i) && load<T>(endpoints.entryAddress(i)) == prefix) return i;
    }
    return NO_ENDPOINT;
  }

  private takeReport(index: i32, slot: i32, potential: u32, fromDestination: bool, nowMs: i64, counters: StaticArray<u32>): void {
    const verdict = this.routes.report(index, slot, potential, fromDestination);
    if (verdict == ReportVerdict.Rejected) {
      counters[AvailabilityLinkCounter.PotentialReportsRejected]++;
      return;
    }
    if (verdict == ReportVerdict.Clamped) counters[AvailabilityLinkCounter.PotentialReportsClamped]++;
    // Asynchronous Jacobi: this node's potential follows each new report at once.
    const before = this.routes.potential(index);
    const after = this.routes.recompute(index, this.neighbours, nowMs);
    if (before == NO_POTENTIAL || after == NO_POTENTIAL) {
      if (before != after) this.potentialsChanged = true;
      return;
    }
    const difference = before > after ? before - after : after - before;
    if (difference > before >> SIGNIFICANT_CHANGE_SHIFT) this.potentialsChanged = true;
  }
}
