// The Availability layer as a Link (DESIGN.md layer 4) with three strategies, selectable per link
// (docs/routing.md):
// - managed flooding as Meshtastic does it ("Managed flooding"): every node rebroadcasts each packet it
//   hears for the first time, after a delay weighted by SNR, unless the hop limit is spent or it hears
//   another node relay the same packet first;
// - learned next hops ("Next-hop routes"): announces and the packets that arrive teach which
//   neighbour leads to an endpoint; a unicast names that neighbour and only it forwards;
// - electric routing ("Electric routing"): the next hop is drawn among the neighbours downhill in the
//   destination's potential, in proportion to the current towards each.
// Routed unicasts are acknowledged passively (the sender hears its next hop forward) and resent to
// another neighbour, then flooded, when the acknowledgement does not come. Nothing is allocated after
// construction: copies are pool buffers held in a fixed pending table.
import { Identity } from "../identity/identity";
import { Link, NO_DEADLINE } from "../link/link";
import { NO_CONTACT, PacketBuffer } from "../link/packet-buffer";
import { PacketPool } from "../link/packet-pool";
import { Status } from "../link/status";
import { IntegrityLevel } from "../integrity/wire";
import { Xorshift32 } from "../support/xorshift";
import { ADDRESS_SIZE } from "./address";
import {
  ANNOUNCE_MINIMUM_SIZE,
  announceAppData,
  announceAppDataLength,
  createAnnounce,
  HOP_COUNT_OFFSET as ANNOUNCE_HOP_COUNT_OFFSET,
  MAXIMUM_APP_DATA_SIZE,
} from "./announce";
import { AppDataKind, ENTRY_HEADER_SIZE, SERVICE_PROOF_SIZE, TOPIC_SIZE, writeServiceProof } from "./app-data";
import { endpointAddressOf } from "./address";
import { LIST_ENTRY_SIZE, listBytes, listEntry, listHash, MAXIMUM_MULTICAST_LIST, multicastListCount } from "./multicast";
import { BEACON_ENTRY_SIZE, BEACON_FILTER_OFFSET, BEACON_FIXED_SIZE, MAXIMUM_BEACON_ENTRIES, writeBeaconEntry } from "./beacon";
import { clearHeardFilter } from "./heard-filter";
import { DuplicateRing } from "./duplicate-ring";
import { NO_ENDPOINT } from "./endpoint-table";
import {
  AvailabilityHeaderView,
  DESTINATION_OFFSET,
  emitHeader,
  HEADER_SIZE,
  HeaderVerdict,
  HOP_COUNT_OFFSET,
  HOP_LIMIT_OFFSET,
  isBroadcastAddress,
  MAXIMUM_HOP_LIMIT,
  NO_NEXT_HOP,
  NO_POTENTIAL,
  PACKET_ID_OFFSET,
  RoutedPacketType,
  sameAddress,
  scopedFloodHopBound,
  setRouting,
  setSenderPotential,
  setTransmitter,
  shortIdOf,
  SOURCE_OFFSET,
} from "./header";
import { AvailabilityLinkCounter, malformedCounter } from "./link-counters";
import { NO_NEIGHBOUR } from "./neighbour-table";
import { RoutingState, RoutingStrategy } from "./routing-state";
import { AvailabilityCounter } from "./counters";

/** No SNR is known for the frame (the Data Link records none in packet metadata yet). */
export const NO_SNR: i32 = i32.MIN_VALUE;
/**
 * SNR range the relay delay is spread over, in ¼ dB: −20 dB is about the SX126x floor at SF12, +10 dB
 * a strong nearby signal; values outside are clamped.
 */
export const WEAKEST_SNR_QUARTER_DB: i32 = -80;
export const STRONGEST_SNR_QUARTER_DB: i32 = 40;
/** A relay the lower link refused as Full is retried this much later, not spun on every poll. */
const RETRY_AFTER_FULL_MS: i64 = 10;
/**
 * Flooded copies of a packet are remembered under a different ring key than routed ones, so a node
 * that saw a packet routed past it still relays the flood a stuck relay falls back to.
 */
const FLOOD_KEY_SALT: u64 = 0x9e3779b97f4a7c15;
/**
 * Deadline of a copy awaiting acknowledgement that was sent outside poll(): push() has no clock (the
 * Link contract), and the time of the last poll may be long past, so its timeout starts at the next
 * poll instead.
 */
const STARTS_AT_NEXT_POLL: i64 = i64.MAX_VALUE;
/**
 * Resends to other neighbours after missed acknowledgements, before the packet is given up: the first
 * while the channel is not saturated (saturated()), the second only while it is quiet (quiet()). There
 * a miss is a neighbour gone, busy or hit by a collision rather than the channel's normal state, and
 * a second resend gets past a second failed or busy neighbour. Measured on the settled churn run
 * traced over 32 seeds (docs/routing.md, "Passive acknowledgements"): in the five minutes after 10 %
 * of the nodes fail one resend delivers 90.5 % of the messages, two 95.9 %, three 95.2 %.
 */
const MAXIMUM_ACK_RETRIES: i32 = 2;
/**
 * Below this share of acknowledged recent routed copies a node takes its channel for saturated
 * (saturated()). While it is not, a miss is the exception — a neighbour gone or moved — and a resend
 * repairs it; when most copies go unacknowledged, resends only add collisions (measured: 200 nodes at
 * the routing benchmark's load deliver more, for 30 % less airtime, without them; docs/routing.md,
 * "Passive acknowledgements"), and electric routing takes the steepest way down instead of spreading
 * (docs/routing.md, "On a saturated channel").
 */
const SATURATED_BELOW_ACKNOWLEDGED_SHARE: f64 = 0.5;
/**
 * From this share of acknowledged recent routed copies a node takes its channel for quiet (quiet()),
 * and makes a second resend. Unbounded (any unsaturated channel), two resends cost one message per
 * node per 10 minutes 3.6 points (three seeds) — there a third of the resends follow a forward that was
 * made but not overheard, and the extra copies collide; from 3/4 the settled churn run keeps most of the gain
 * (95.5 % in the five minutes after the failure) for 1.1 points at that load (six seeds), from 0.85
 * less of it (93.2 %) for none (docs/routing.md, "Passive acknowledgements").
 */
const QUIET_FROM_ACKNOWLEDGED_SHARE: f64 = 0.75;
/**
 * A resend prefers neighbours heard within this fraction of a beacon interval (1/2: every neighbour
 * beacons once per 0.75–1.25 intervals, so about half the live ones qualify, and a node that failed
 * qualifies only in the first half interval after it). Measured on the settled churn run (32 seeds):
 * resends into a second failed neighbour 56 → 22 (docs/routing.md, "Passive acknowledgements").
 */
const RESEND_HEARD_WITHIN_BEACON_FRACTION: i64 = 2;
/** Weight of one outcome in the acknowledged share (an average over about 16 copies). */
const ACKNOWLEDGED_SHARE_GAIN: f64 = 1.0 / 16;
/**
 * Hops an electric fallback flood of an origin may travel (it knows no neighbour downhill, or missed
 * the destination's announce) while the channel is not saturated; otherwise, and for a packet stuck
 * on its way, one. Far enough for a node that knows a way to put it back on a routed path
 * (relayFlooded — the last ring too, whose flood hops are spent), not a flood of the whole mesh — a
 * 200-node flood costs as much airtime as ~40 routed packets. Measured on the routing benchmark's
 * 200 nodes: whole-mesh floods for destinations a node missed the announce of took delivery from
 * 11.8 % down to 6.3 % (docs/routing.md, "No route").
 */
const SCOPED_FLOOD_HOPS: i32 = 2;
/**
 * An origin whose own table lacks the destination (it never verified its announce) floods the packet
 * through the whole mesh while its channel is quiet (at least WHOLE_FLOOD_WHILE_ACKNOWLEDGED_SHARE of
 * its routed copies acknowledged) and the mesh is not already carrying such floods: fewer than
 * WHOLE_FLOODS_PER_WINDOW heard within WHOLE_FLOOD_WINDOW_BEACONS beacon intervals. An announce lost in
 * a round's collisions is unknown to most of the mesh, so two rings rarely reach anyone who knows it;
 * but every whole flood costs ~40 routed packets' airtime, and a young mesh full of such holes must not
 * spend its channel on them (docs/routing.md, "No route").
 */
const WHOLE_FLOOD_WHILE_ACKNOWLEDGED_SHARE: f64 = 0.75;
const WHOLE_FLOODS_PER_WINDOW: i32 = 2;
const WHOLE_FLOOD_WINDOW_BEACONS: i64 = 2;
/**
 * Announce relays wait up to announceInterval / 120 (30 s for hourly announces), at most this long.
 * An announce is not urgent; a window many frames long lets cancelling work — a node hears others
 * relay before its own turn comes — where a window of two frames let nearly every node relay every
 * announce (docs/routing.md, "Announce relays").
 */
const MAXIMUM_CONTROL_RELAY_WINDOW_MS: i64 = 30_000;
/**
 * An announce this node sent is confirmed by hearing another node send it on; where this node has at
 * most this many live neighbours and none is heard doing so within the announce relay window (plus
 * the acknowledgement timeout for queues), it sends it once more (docs/routing.md, "Announce relays").
 * In sparse parts of a mesh — a line, a corner — each relay is the only way an announce gets through,
 * and one collision cut every node behind it off for a whole announce interval. In dense parts other
 * relays cover a lost copy, and the repeats would only cost airtime.
 */
const ECHO_WHEN_NEIGHBOURS_AT_MOST: i32 = 4;
/**
 * This node's own announce is confirmed wherever it is, and sent up to this many times more while no
 * neighbour is heard sending it on: when all of a node's neighbours lost its one announce (a collision
 * heard by all of them, as when a mesh is switched on together), nobody else can make up for it, and
 * the endpoint stays unknown for a whole announce interval. Measured on a 200-node mesh after its
 * first ten minutes: 11 endpoints known by no other node, 30 of 200 messages of a quiet hour sent to
 * an endpoint the sender had never heard of.
 */
const OWN_ANNOUNCE_REPEATS: i32 = 2;
/**
 * Beacons an electric node sends right after routing starts, spread over bootBeaconSpreadMs each (a
 * 32nd of the beacon interval, at most MAXIMUM_BOOT_BEACON_SPREAD_MS). The first makes the node heard,
 * the second lists whom it heard: after them its neighbours are confirmed both ways, so the first
 * announce round, which follows, carries potentials (docs/routing.md, "Boot beacons").
 */
const BOOT_BEACONS: i32 = 2;
const MAXIMUM_BOOT_BEACON_SPREAD_MS: i64 = 10_000;
@inline function bootBeaconSpreadMs(beaconIntervalMs: i64): i64 {
  return min(beaconIntervalMs / 32, MAXIMUM_BOOT_BEACON_SPREAD_MS);
}
/**
 * Routed copies overheard on their way elsewhere that a node remembers (progressKey). A resend comes
 * one acknowledgement timeout (seconds) after the copy it repeats, so 64 cover a node that overhears
 * up to several routed frames a second.
 */
const PROGRESS_RING_CAPACITY: i32 = 64;
/** How many hops beyond its own position a node looks for an overheard copy of a packet it is asked to forward. */
const PROGRESS_LOOKAHEAD_HOPS: i32 = 3;
/** Overheard copies are remembered under the source key mixed with the hop count they were sent at. */
@inline function progressKey(sourceKey: u64, hopCount: i32): u64 {
  return sourceKey ^ (<u64>(hopCount + 1) * 0xc2b2ae3d27d4eb4f);
}
/**
 * Electric routing follows the current (a random walk downhill) while the hops a packet has left
 * exceed the destination's distance — the hop count of its announce — by more than this; within it,
 * the packet takes the steepest way down. The walk of Kelner & Maymounkov has no hop limit: far from
 * the destination the potential falls gently and a packet drifts sideways; in a settled, quiet
 * 200-node mesh a quarter of the lost messages were packets out of hops still halfway up (docs/routing.md,
 * "Running short of hops"). Measured on that mesh: those losses 3 → 1 per 200 messages; one message per
 * node per hour 86.8 % → 88.0 % delivered (eight seeds, seven better); the benchmark's load 14.8/14.7 %
 * → 15.8/14.8 % (two seeds) for 9/2 % less airtime per delivered message; 50 nodes unchanged.
 */
const STEEPEST_WITHIN_HOPS: i32 = 3;
/** Electric routing relays one announce refresh in 2^this (receiveAnnounce): one in four. */
const REFRESH_RELAY_ONE_IN_LOG2: u32 = 2;
/** Bytes a frame carries besides the Availability packet (Integrity + Data Link), for airtime estimates. */
const LOWER_OVERHEAD_BYTES: i64 = 40;
/** Topics one node subscribes to and services it offers (their proofs fill the announce's app data). */
export const MAXIMUM_OWN_TOPICS: i32 = 4;
export const MAXIMUM_OWN_SERVICES: i32 = 1;

/**
 * Delay before relaying a packet heard at `snrQuarterDb`, within `windowMs`.
 *
 * Weighted (Meshtastic's idea): the weaker the signal, the farther the relay probably is from the
 * sender, and the more new ground its rebroadcast covers — so weak receivers go first and strong
 * (near) ones wait, and most of them then cancel on hearing the far relay. Three quarters of the window
 * follow the SNR linearly; the last quarter is random jitter so nodes with equal SNR do not collide.
 * Without an SNR the whole window is random: every neighbour is equally likely to go first.
 */
export function relayDelayMs(windowMs: i32, snrQuarterDb: i32, random: u32): i32 {
  if (windowMs <= 0) return 0;
  if (snrQuarterDb == NO_SNR) return <i32>(random % <u32>(windowMs + 1));
  const clamped = min(max(snrQuarterDb, WEAKEST_SNR_QUARTER_DB), STRONGEST_SNR_QUARTER_DB);
  // windowMs ≤ 60,000 (checked by the API), so windowMs · 120 stays far inside i32.
  const weighted =
    ((windowMs - (windowMs >> 2)) * (clamped - WEAKEST_SNR_QUARTER_DB)) /
    (STRONGEST_SNR_QUARTER_DB - WEAKEST_SNR_QUARTER_DB);
  const jitter = <i32>(random % <u32>((windowMs >> 2) + 1));
  return weighted + jitter;
}

const enum PendingKind {
  /** A flooded copy waiting for its SNR-weighted delay (cancelled on hearing others relay it). */
  FloodRelay = 0,
  /** A routed copy already sent, kept until the next hop is heard forwarding it. */
  AwaitAck = 1,
  /** An announce this node sent, kept until another node is heard sending it on (else sent once more). */
  AwaitEcho = 2,
}

/** An entry of the pending table. */
class PendingRelay {
  /** The copy (header already updated), or null when the slot is free. */
  packet: PacketBuffer | null = null;
  kind: PendingKind = PendingKind.FloodRelay;
  /** Ring key of the packet (salted for floods, plain for routed copies). */
  sourceKey: u64 = 0;
  packetId: u32 = 0;
  deadline: i64 = 0;
  /** Relays of the same packet heard by others while this one waited. */
  relaysHeard: i32 = 0;
  // AwaitAck only.
  nextHop: u32 = NO_NEXT_HOP;
  neighbourSlot: i32 = NO_NEIGHBOUR;
  /** Neighbour slots already tried for this packet (bit per slot; tables have at most 64). */
  excluded: u64 = 0;
  retries: i32 = 0;
  destination: i32 = NO_ENDPOINT;
  ceiling: u32 = NO_POTENTIAL;
  forwarded: bool = false;
}

export class AvailabilityLink extends Link {
  /** Hop limit of packets this node originates (1..MAXIMUM_HOP_LIMIT). */
  hopLimit: i32;
  /** Relay delays are spread over this window (ms). */
  relayWindowMs: i32;
  /** Relay window of announces under routing (set by enableRouting; MAXIMUM_CONTROL_RELAY_WINDOW_MS). */
  private controlRelayWindowMs: i32;
  /**
   * Relays by others that cancel a pending relay. 1 is Meshtastic's rule (fewest transmissions, but a
   * node whose only link to a corner cancels leaves the corner unreached); 2 or more is counter-based
   * flooding (Ni et al., "The broadcast storm problem", 1999), which trades airtime for coverage;
   * 0 never cancels.
   */
  cancelThreshold: i32 = 1;
  private readonly ownAddress: usize = heap.alloc(<usize>ADDRESS_SIZE);
  private readonly ring: DuplicateRing;
  private readonly pending: StaticArray<PendingRelay>;
  private pendingCount: i32 = 0;
  /** Entries of the pending table holding a routed copy until its acknowledgement. */
  private awaitingAcks: i32 = 0;
  /** Share of this node's recent routed copies whose next hop was heard forwarding them. */
  private acknowledgedShare: f64 = 1.0;
  /**
   * When this node last heard (or sent) each of the most recent mesh-wide fallback floods, oldest
   * first: the budget of such floods (WHOLE_FLOODS_PER_WINDOW per window).
   */
  private readonly wholeFloodsHeardMs: StaticArray<i64> = new StaticArray<i64>(WHOLE_FLOODS_PER_WINDOW);
  /** True while poll() runs, when nowMs is the current time. */
  private insidePoll: bool = false;
  private readonly header: AvailabilityHeaderView = new AvailabilityHeaderView();
  private readonly counters: StaticArray<u32> = new StaticArray<u32>(AvailabilityLinkCounter.Count);
  /** Packet ids and relay jitter. Not a secret: ids only need to differ, not be unguessable. */
  private readonly random: Xorshift32;
  /** Time of the latest poll: pop() has no clock, so relays it schedules start from here. */
  private nowMs: i64 = 0;
  private readonly ownId: u32;
  /** Next-hop or electric routing state; null under managed flooding. */
  private routing: RoutingState | null = null;
  /** Unicasts delivered here (routed and flooded copies of one packet are delivered once). */
  private delivered: DuplicateRing | null = null;
  /**
   * Electric routing: routed copies overheard on their way to another next hop, keyed with the hop
   * count they were sent at (progressKey), so a resend asking this node to forward a packet that is
   * already further along is recognised (forward).
   */
  private progress: DuplicateRing | null = null;
  /** Integrity level of announces and beacons (they carry their own signatures or nothing secret). */
  controlLevel: i32 = IntegrityLevel.Blake2b;
  private readonly ownTopics: usize = heap.alloc(<usize>(MAXIMUM_OWN_TOPICS * TOPIC_SIZE));
  private ownTopicCount: i32 = 0;
  /** Address of each service this node holds, and the proof it puts in its announces. */
  private readonly ownServices: usize = heap.alloc(<usize>(MAXIMUM_OWN_SERVICES * ADDRESS_SIZE));
  private readonly ownServiceProofs: usize = heap.alloc(<usize>(MAXIMUM_OWN_SERVICES * SERVICE_PROOF_SIZE));
  private ownServiceCount: i32 = 0;
  private readonly appData: usize = heap.alloc(<usize>MAXIMUM_APP_DATA_SIZE);
  /** Scratch for multicast: member endpoints of a topic, and the next hop chosen per list entry. */
  private readonly members: StaticArray<i32> = new StaticArray<i32>(MAXIMUM_MULTICAST_LIST);
  private readonly choices: StaticArray<u32> = new StaticArray<u32>(MAXIMUM_MULTICAST_LIST);
  private readonly chosenSlots: StaticArray<i32> = new StaticArray<i32>(MAXIMUM_MULTICAST_LIST);

  constructor(
    private readonly lower: Link,
    private readonly pool: PacketPool,
    /** This node's 16-byte endpoint address (copied). */
    ownAddress: usize,
    ringCapacity: i32,
    relayTableCapacity: i32,
    hopLimit: i32,
    relayWindowMs: i32,
    seed: u32,
  ) {
    super();
    this.ring = new DuplicateRing(ringCapacity);
    const pending = new StaticArray<PendingRelay>(relayTableCapacity);
    for (let i = 0; i < relayTableCapacity; i++) pending[i] = new PendingRelay();
    this.pending = pending;
    this.hopLimit = hopLimit;
    this.relayWindowMs = relayWindowMs;
    this.controlRelayWindowMs = relayWindowMs;
    this.random = new Xorshift32(seed);
    memory.copy(this.ownAddress, ownAddress, <usize>ADDRESS_SIZE);
    this.ownId = shortIdOf(ownAddress);
  }

  /**
   * Turns on next-hop or electric routing (once, before traffic). `identity` signs this node's
   * announces and must be the key the link's address was derived from (the caller checks).
   */
  enableRouting(
    strategy: RoutingStrategy,
    identity: Identity,
    destinationCapacity: i32,
    neighbourCapacity: i32,
    difficulty: i32,
    announceIntervalMs: i64,
    beaconIntervalMs: i64,
    ackTimeoutMs: i64,
    routeLifetimeMs: i64,
    airtimeUsPerByte: i64,
    announceShareMillionths: i32,
    firstSequence: u32,
    firstAnnounceWithinMs: i64 = 120_000,
    beaconEntries: i32 = 24,
  ): void {
    const routing = new RoutingState(
      strategy,
      identity,
      this.ownAddress,
      destinationCapacity,
      neighbourCapacity,
      difficulty,
      announceIntervalMs,
      beaconIntervalMs,
      ackTimeoutMs,
      routeLifetimeMs,
      airtimeUsPerByte,
      announceShareMillionths,
      firstSequence,
    );
    // The first announce goes out at a random moment of the first `firstAnnounceWithinMs` (two
    // minutes on a board), so a mesh switched on at once does not flood itself with announces in the
    // same second; a big mesh spreads them wider.
    const spread = min(announceIntervalMs, firstAnnounceWithinMs);
    routing.beaconEntries = beaconEntries;
    this.controlRelayWindowMs = <i32>max(<i64>this.relayWindowMs, min(announceIntervalMs / 120, MAXIMUM_CONTROL_RELAY_WINDOW_MS));
    routing.nextAnnounceMs = this.nowMs + <i64>(this.random.next() % <u32>(spread + 1));
    // Electric routing: two boot beacons a few seconds apart, then every interval. A neighbour is used
    // only once its beacon lists this node, and the first announce round carries potentials only over
    // such links — so the first announces wait until the boot beacons are out (and do not collide
    // with them), then spread as before.
    const bootSpread = bootBeaconSpreadMs(beaconIntervalMs);
    routing.nextBeaconMs = this.nowMs + <i64>(this.random.next() % <u32>(bootSpread + 1));
    if (strategy == RoutingStrategy.Electric) {
      routing.bootBeaconsLeft = BOOT_BEACONS;
      const beaconsDone = (bootSpread * 5) / 2;
      routing.nextAnnounceMs = this.nowMs + beaconsDone + <i64>(this.random.next() % <u32>(spread + 1));
    }
    this.routing = routing;
    this.delivered = new DuplicateRing(this.ring.capacity);
    if (strategy == RoutingStrategy.Electric) this.progress = new DuplicateRing(PROGRESS_RING_CAPACITY);
  }

  /** True when `address` (16 bytes) is this link's own endpoint address. */
  hasAddress(address: usize): bool {
    return sameAddress(address, this.ownAddress);
  }

  strategy(): RoutingStrategy {
    const routing = this.routing;
    return routing === null ? RoutingStrategy.Flooding : routing.strategy;
  }

  routingState(): RoutingState | null {
    return this.routing;
  }

  mtu(): i32 {
    return this.lower.mtu() - HEADER_SIZE;
  }

  counter(which: AvailabilityLinkCounter): u32 {
    return this.counters[which];
  }

  /** Relays waiting in the pending-relay table (≤ its capacity). */
  pendingRelays(): i32 {
    return this.pendingCount;
  }

  relayTableCapacity(): i32 {
    return this.pending.length;
  }

  ringSize(): i32 {
    return this.ring.size();
  }

  ringCapacity(): i32 {
    return this.ring.capacity;
  }

  /** A plain push is a broadcast: the Link contract has no destination, and flooding reaches everyone. */
  push(packet: PacketBuffer): Status {
    return this.pushTo(packet, BROADCAST_ADDRESS);
  }

  /**
   * Sends `packet` to the 16-byte address at `destination` (all ones = broadcast). Ownership as in
   * Link.push: on Ok the link owns the buffer, otherwise it is handed back unchanged.
   */
  pushTo(packet: PacketBuffer, destination: usize): Status {
    if (destination == 0 || sameAddress(destination, this.ownAddress)) return Status.BadArgument;
    if (packet.length > this.mtu()) return Status.TooBig;
    if (packet.headroom() < HEADER_SIZE) return Status.TooBig;
    const broadcast = isBroadcastAddress(destination);
    emitHeader(packet.prepend(HEADER_SIZE), this.hopLimit, this.random.next(), destination, this.ownAddress);
    const routing = this.routing;
    let status: Status;
    if (routing === null || broadcast) {
      status = this.lower.push(packet);
    } else {
      status = this.sendRouted(packet, this.targetFor(routing, destination), NO_POTENTIAL, 0, 0, false);
    }
    if (status != Status.Ok) {
      packet.stripFront(HEADER_SIZE);
      return status;
    }
    this.count(broadcast ? AvailabilityLinkCounter.SentBroadcast : AvailabilityLinkCounter.SentUnicast);
    return Status.Ok;
  }

  /**
   * Sends `packet` to `destination` over one hop only (flooded with hop limit 1): for Integrity's
   * SipHash level, whose pairwise key no relay holds, so only a radio neighbour can check it.
   */
  pushToNeighbour(packet: PacketBuffer, destination: usize): Status {
    if (destination == 0 || sameAddress(destination, this.ownAddress)) return Status.BadArgument;
    if (packet.length > this.mtu() || packet.headroom() < HEADER_SIZE) return Status.TooBig;
    emitHeader(packet.prepend(HEADER_SIZE), 1, this.random.next(), destination, this.ownAddress);
    const status = this.lower.push(packet);
    if (status != Status.Ok) {
      packet.stripFront(HEADER_SIZE);
      return status;
    }
    this.count(isBroadcastAddress(destination) ? AvailabilityLinkCounter.SentBroadcast : AvailabilityLinkCounter.SentUnicast);
    return Status.Ok;
  }

  /** Subscribes this node to the 16-byte `topic` (announced from the next announce on). */
  subscribe(topic: usize): Status {
    for (let i = 0; i < this.ownTopicCount; i++) {
      if (sameAddress(this.ownTopics + <usize>(i * TOPIC_SIZE), topic)) return Status.Ok;
    }
    if (this.ownTopicCount == MAXIMUM_OWN_TOPICS || isBroadcastAddress(topic)) return Status.BadArgument;
    memory.copy(this.ownTopics + <usize>(this.ownTopicCount * TOPIC_SIZE), topic, <usize>TOPIC_SIZE);
    this.ownTopicCount++;
    return Status.Ok;
  }

  /**
   * Offers the service whose key pair is `service`: anycast packets to its address are delivered
   * here, and announces carry a proof, signed by the service key, that this endpoint holds it.
   */
  offerService(service: Identity): Status {
    if (this.ownServiceCount == MAXIMUM_OWN_SERVICES) return Status.BadArgument;
    const index = this.ownServiceCount;
    endpointAddressOf(this.ownServices + <usize>(index * ADDRESS_SIZE), service.publicKey());
    writeServiceProof(this.ownServiceProofs + <usize>(index * SERVICE_PROOF_SIZE), service, this.ownAddress);
    this.ownServiceCount++;
    return Status.Ok;
  }

  /**
   * Sends `packet` to every subscriber of the 16-byte `topic` this node knows of (NoRoute when it
   * knows none). Under managed flooding the packet floods and subscribers pick it out.
   */
  pushToTopic(packet: PacketBuffer, topic: usize): Status {
    if (topic == 0 || isBroadcastAddress(topic)) return Status.BadArgument;
    const routing = this.routing;
    let count = 0;
    if (routing !== null) {
      count = routing.memberships.members(AppDataKind.Topic, topic, this.members);
      if (count == 0) {
        this.count(AvailabilityLinkCounter.NoSubscribers);
        return Status.NoRoute;
      }
    }
    if (packet.length + listBytes(count) > this.mtu()) return Status.TooBig;
    if (packet.headroom() < HEADER_SIZE + listBytes(count)) return Status.TooBig;
    const list = packet.prepend(listBytes(count));
    store<u8>(list, <u8>count);
    for (let i = 0; i < count; i++) {
      const address = changetype<RoutingState>(routing).endpoints.entryAddress(unchecked(this.members[i]));
      store<u64>(list + 1 + <usize>(i * LIST_ENTRY_SIZE), load<u64>(address));
    }
    const at = packet.prepend(HEADER_SIZE);
    emitHeader(at, this.hopLimit, this.random.next(), topic, this.ownAddress, RoutedPacketType.Multicast);
    const status = routing === null ? this.lower.push(packet) : this.routeMulticast(packet, false);
    if (status != Status.Ok) {
      packet.stripFront(HEADER_SIZE + listBytes(count));
      return status;
    }
    this.count(AvailabilityLinkCounter.SentMulticast);
    return Status.Ok;
  }

  /**
   * Sends `packet` to the nearest endpoint known to hold the service whose address is `service`
   * (NoRoute when none is known). Under managed flooding it floods and every holder delivers it.
   */
  pushToService(packet: PacketBuffer, service: usize): Status {
    const routing = this.routing;
    if (routing !== null && routing.memberships.members(AppDataKind.Service, service, this.members) == 0) {
      this.count(AvailabilityLinkCounter.NoSubscribers);
      return Status.NoRoute;
    }
    return this.pushTo(packet, service);
  }

  /**
   * The next packet for this node (unicast to it, or broadcast), header stripped. The header stays in
   * the headroom just before the payload: `receivedHeader` reads it until the buffer is released.
   */
  pop(): PacketBuffer | null {
    let frame = this.lower.pop();
    while (frame !== null) {
      if (this.receive(frame)) return frame;
      this.pool.release(frame);
      frame = this.lower.pop();
    }
    return null;
  }

  /** Address of the header of a packet pop() returned (source, hop count, packet id, …). */
  receivedHeader(packet: PacketBuffer): usize {
    return packet.pointer() - <usize>HEADER_SIZE;
  }

  /**
   * Sends this node's announces and beacons when due, the relays whose delay has passed, resends
   * routed packets whose acknowledgement did not come, then polls the lower link; returns the next
   * deadline.
   */
  poll(now: i64): i64 {
    this.nowMs = now;
    this.insidePoll = true;
    let next = NO_DEADLINE;
    const routing = this.routing;
    if (routing !== null) next = this.runRoutingTimers(routing, now);
    const pending = this.pending;
    for (let i = 0; i < pending.length && this.pendingCount > 0; i++) {
      const entry = unchecked(pending[i]);
      const packet = entry.packet;
      if (packet === null) continue;
      if (entry.deadline == STARTS_AT_NEXT_POLL) entry.deadline = now + changetype<RoutingState>(routing).ackTimeoutMs;
      if (entry.deadline <= now) {
        if (entry.kind == PendingKind.AwaitAck) {
          this.acknowledgementMissed(entry);
          continue;
        }
        if (entry.kind == PendingKind.AwaitEcho) {
          this.repeatUnechoed(changetype<RoutingState>(routing), entry, now);
          continue;
        }
        if (routing !== null && this.relayFlooded(routing, entry)) continue;
        if (load<u8>(packet.pointer() + HOP_LIMIT_OFFSET) == 0) {
          // A spent scoped flood this node could not route after all.
          this.free(entry, true);
          this.count(AvailabilityLinkCounter.HopLimitReached);
          continue;
        }
        if (routing !== null) this.writeOwnPotential(routing, packet);
        // Announce relays (routing links only) are confirmed and charged to the budget.
        const announcing = routing !== null && load<u8>(packet.pointer()) == <u8>RoutedPacketType.Announce ? routing : null;
        // The copy to repeat is taken before the push hands the buffer to the lower link.
        const echo = announcing !== null ? this.copyToConfirm(announcing, packet, entry.sourceKey, entry.packetId, now, false) : null;
        const status = this.lower.push(packet);
        if (status == Status.Ok) {
          // Charged when it leaves: a relay cancelled on hearing others costs no budget.
          if (announcing !== null) announcing.limiter.spend((<i64>packet.length + LOWER_OVERHEAD_BYTES) * announcing.airtimeUsPerByte, now);
          this.free(entry, false);
          this.count(AvailabilityLinkCounter.RelaysSent);
          continue;
        }
        if (echo !== null) this.free(echo, true);
        if (status != Status.Full) {
          this.free(entry, true);
          this.count(AvailabilityLinkCounter.RelayRefused);
          continue;
        }
        entry.deadline = now + RETRY_AFTER_FULL_MS;
      }
      if (entry.deadline < next) next = entry.deadline;
    }
    this.insidePoll = false;
    const lowerNext = this.lower.poll(now);
    return lowerNext < next ? lowerNext : next;
  }

  /**
   * Decides a received frame: cheap header checks, what routing learns from it, passive
   * acknowledgements, duplicate suppression, then delivery, forwarding or relay. Returns true when
   * the frame is to be delivered (header stripped); false after counting why not.
   */
  private receive(frame: PacketBuffer): bool {
    this.count(AvailabilityLinkCounter.FramesReceived);
    const header = this.header;
    const verdict = header.check(frame.pointer(), frame.length);
    if (verdict != HeaderVerdict.Valid) return this.drop(malformedCounter(verdict));
    const type = header.type();
    const sourceKey = header.sourceKey();
    const packetId = header.packetId();
    const routing = this.routing;
    let slot = NO_NEIGHBOUR;
    if (routing !== null && header.transmitter() != this.ownId) {
      slot = routing.hearNeighbour(header.transmitter(), frame.hasRadioQuality, <f64>frame.snrDb, this.nowMs);
      this.checkAcknowledgement(sourceKey, packetId, header.transmitter());
      if (type == RoutedPacketType.Announce) this.echoHeard(sourceKey ^ FLOOD_KEY_SALT, packetId);
    }
    if (sameAddress(header.source(), this.ownAddress)) return this.drop(AvailabilityLinkCounter.OwnEchoes);
    if (type == RoutedPacketType.Beacon) {
      if (routing !== null && slot != NO_NEIGHBOUR) {
        if (routing.receiveBeacon(frame.pointer() + HEADER_SIZE, frame.length - HEADER_SIZE, header.source(), slot, this.ownId, this.nowMs, this.counters)) {
          this.count(AvailabilityLinkCounter.BeaconsReceived);
        }
      }
      return this.drop(AvailabilityLinkCounter.ControlFrames);
    }
    const flooded = type != RoutedPacketType.Unicast || header.nextHop() == NO_NEXT_HOP;
    const forThisNode = sameAddress(header.destination(), this.ownAddress) || this.holdsService(header.destination());
    if (routing !== null && slot != NO_NEIGHBOUR && type == RoutedPacketType.Unicast) {
      routing.learnFromUnicast(header, slot, header.hopCount() + 1, this.nowMs, this.counters);
    }
    // The packet is back on a routed path: a flood relay of it waiting here is not needed any more.
    if (!flooded && type == RoutedPacketType.Unicast) {
      this.cancelPendingRelay(sourceKey ^ FLOOD_KEY_SALT, packetId, true);
      // Overheard on its way to another next hop: not in the duplicate ring — this node may yet be
      // asked to forward it (a resend after a missed acknowledgement) — but in the progress ring, so
      // that such a resend of a packet already further along is recognised (overheardAhead).
      if (!forThisNode && header.nextHop() != this.ownId) {
        const progress = this.progress;
        if (progress !== null) progress.remember(progressKey(sourceKey, header.hopCount()), packetId);
        return this.drop(AvailabilityLinkCounter.ForOthers);
      }
    }
    let ringKey = flooded ? sourceKey ^ FLOOD_KEY_SALT : sourceKey;
    if (type == RoutedPacketType.Multicast) {
      const list = frame.pointer() + HEADER_SIZE;
      const entries = multicastListCount(list, frame.length - HEADER_SIZE);
      if (entries < 0) return this.drop(AvailabilityLinkCounter.MalformedTruncated);
      ringKey ^= listHash(list, entries);
    }
    if (this.ring.contains(ringKey, packetId)) {
      // Someone relayed a packet we are waiting to relay: our rebroadcast would mostly cover ground
      // theirs already covered, so it is cancelled (Meshtastic's "cancel on hearing a relay").
      this.cancelPendingRelay(ringKey, packetId);
      if (type == RoutedPacketType.Announce && routing !== null && slot != NO_NEIGHBOUR) {
        // Another copy of an announce already verified: it still tells how far the neighbour is.
        const index = routing.verifiedEntryFor(frame.pointer() + HEADER_SIZE, frame.length - HEADER_SIZE, header.source());
        if (index != NO_ENDPOINT) routing.learnFromAnnounce(index, header, slot, header.hopCount() + 1, false, this.nowMs, this.counters);
      }
      return this.drop(AvailabilityLinkCounter.Duplicates);
    }
    this.ring.remember(ringKey, packetId);
    if (flooded && type == RoutedPacketType.Unicast && header.ceiling() == NO_POTENTIAL) this.wholeFloodHeard(this.nowMs);
    // From here the header describes the packet as this node holds it: the relay copy carries the
    // lowered limit, and the destination reads how many hops the packet travelled.
    header.countArrivalHop();

    if (type == RoutedPacketType.Announce) {
      this.receiveAnnounce(frame, slot, ringKey, packetId);
      return this.drop(AvailabilityLinkCounter.ControlFrames);
    }
    if (type == RoutedPacketType.Multicast) return this.receiveMulticast(frame, flooded, ringKey, packetId);
    if (!flooded) {
      if (forThisNode) return this.deliverUnicast(frame);
      // Routed copies for others stopped above unless they name this node as next hop.
      if (this.overheardAhead(sourceKey, packetId, header.hopCount())) return this.drop(AvailabilityLinkCounter.Duplicates);
      this.forward(frame);
      return this.drop(AvailabilityLinkCounter.ForOthers);
    }
    const broadcast = header.isBroadcast();
    if (!forThisNode) this.considerRelay(frame, ringKey, packetId);
    if (!forThisNode && !broadcast) return this.drop(AvailabilityLinkCounter.ForOthers);
    if (forThisNode) return this.deliverUnicast(frame);
    frame.stripFront(HEADER_SIZE);
    this.count(AvailabilityLinkCounter.DeliveredBroadcast);
    return true;
  }

  /**
   * A multicast copy heard for the first time (hop counted). Flooded copies are relayed as floods and
   * delivered where the node subscribes (and, under routing, is listed); a routed copy naming this
   * node as next hop is delivered if it lists this node, and the rest of its list is routed on.
   */
  private receiveMulticast(frame: PacketBuffer, flooded: bool, ringKey: u64, packetId: u32): bool {
    const header = this.header;
    const list = frame.pointer() + HEADER_SIZE;
    const count = <i32>load<u8>(list);
    const subscribed = this.subscribesTo(header.destination());
    const listed = this.listPosition(list, count) >= 0;
    // Managed flooding lists nobody (the origin cannot know the subscribers): subscription decides.
    const forThisNode = subscribed && (count == 0 || listed);
    if (flooded) {
      if (count != 1 || !listed) this.considerRelay(frame, ringKey, packetId);
    } else if (header.nextHop() == this.ownId) {
      const others = listed ? count - 1 : count;
      if (others > 0) {
        if (header.hopLimit() == 0) {
          this.count(AvailabilityLinkCounter.HopLimitReached);
        } else {
          const copy = this.copyForRelay(frame);
          if (copy !== null) {
            if (listed) removeFromList(copy.pointer() + HEADER_SIZE, copy, this.listPosition(list, count));
            if (this.routeMulticast(copy, true) != Status.Ok) {
              this.pool.release(copy);
              this.count(AvailabilityLinkCounter.RelayRefused);
            }
          }
        }
      }
    } else {
      return this.drop(AvailabilityLinkCounter.ForOthers);
    }
    if (!forThisNode) return this.drop(AvailabilityLinkCounter.ForOthers);
    const delivered = this.delivered;
    if (delivered !== null) {
      if (delivered.contains(header.sourceKey(), packetId)) return this.drop(AvailabilityLinkCounter.Duplicates);
      delivered.remember(header.sourceKey(), packetId);
    }
    // The application sees the payload after the list; the header moves up next to it so that
    // receivedHeader() still finds it just before the payload.
    const skip = listBytes(count);
    memory.copy(frame.pointer() + <usize>skip, frame.pointer(), <usize>HEADER_SIZE);
    frame.stripFront(HEADER_SIZE + skip);
    this.count(AvailabilityLinkCounter.DeliveredMulticast);
    return true;
  }

  /**
   * Sends copies of the multicast `packet` (header, list, payload; this node owns it) towards every
   * listed subscriber: one copy per next hop chosen, with that next hop's part of the list; the
   * subscribers without a route get one flooded copy. On Ok the packet itself has been released.
   */
  private routeMulticast(packet: PacketBuffer, forwarded: bool): Status {
    const routing = changetype<RoutingState>(this.routing);
    const at = packet.pointer();
    const list = at + HEADER_SIZE;
    const count = <i32>load<u8>(list);
    const payloadOffset = HEADER_SIZE + listBytes(count);
    const payloadLength = packet.length - payloadOffset;
    const now = this.nowMs;
    for (let i = 0; i < count; i++) {
      let choice = NO_NEXT_HOP;
      let chosenSlot = NO_NEIGHBOUR;
      const index = routing.endpointWithPrefix<u64>(listEntry(list, i));
      if (index != NO_ENDPOINT) {
        if (routing.strategy == RoutingStrategy.NextHop) {
          choice = routing.routes.nextHop(index, now);
        } else {
          routing.routes.recompute(index, routing.neighbours, now);
          chosenSlot = routing.routes.chooseDownhill(index, NO_POTENTIAL, 0, routing.neighbours, now, this.randomUnit());
          if (chosenSlot != NO_NEIGHBOUR) choice = routing.neighbours.id(chosenSlot);
        }
      }
      unchecked((this.choices[i] = choice));
      unchecked((this.chosenSlots[i] = chosenSlot));
    }
    let sent = 0;
    let lastStatus = Status.Ok;
    for (let i = 0; i < count; i++) {
      const nextHop = unchecked(this.choices[i]);
      // Only the first entry of each next hop starts a copy.
      let first = true;
      for (let j = 0; j < i; j++) {
        if (unchecked(this.choices[j]) == nextHop) {
          first = false;
          break;
        }
      }
      if (!first) continue;
      let members = 0;
      for (let j = i; j < count; j++) if (unchecked(this.choices[j]) == nextHop) members++;
      const copy = this.pool.take();
      if (copy === null) {
        this.count(AvailabilityLinkCounter.RelayNoBuffer);
        lastStatus = Status.NoBuffer;
        continue;
      }
      const bytes = copy.append(HEADER_SIZE + listBytes(members) + payloadLength);
      if (bytes == 0) {
        this.pool.release(copy);
        lastStatus = Status.TooBig;
        continue;
      }
      copy.integrityLevel = packet.integrityLevel;
      memory.copy(bytes, at, <usize>HEADER_SIZE);
      const copyList = bytes + HEADER_SIZE;
      store<u8>(copyList, <u8>members);
      let k = 0;
      for (let j = i; j < count; j++) {
        if (unchecked(this.choices[j]) != nextHop) continue;
        store<u64>(copyList + 1 + <usize>(k * LIST_ENTRY_SIZE), listEntry(list, j));
        k++;
      }
      memory.copy(copyList + <usize>listBytes(members), at + <usize>payloadOffset, <usize>payloadLength);
      setTransmitter(bytes, this.ownId);
      setRouting(bytes, nextHop, NO_POTENTIAL, NO_POTENTIAL);
      let key = load<u64>(bytes + SOURCE_OFFSET) ^ listHash(copyList, members);
      if (nextHop == NO_NEXT_HOP) {
        key ^= FLOOD_KEY_SALT;
        this.count(AvailabilityLinkCounter.NoRoute);
      }
      // Copies heard back (relayed or forwarded) are duplicates here.
      this.ring.remember(key, load<u32>(bytes + PACKET_ID_OFFSET));
      const status = this.lower.push(copy);
      if (status != Status.Ok) {
        this.pool.release(copy);
        lastStatus = status;
        continue;
      }
      this.count(AvailabilityLinkCounter.MulticastCopies);
      if (forwarded) this.count(AvailabilityLinkCounter.RoutedForwarded);
      sent++;
    }
    if (sent == 0) return count == 0 ? Status.BadArgument : lastStatus;
    this.pool.release(packet);
    return Status.Ok;
  }

  /** Index of this node's address prefix in the list, or -1. */
  private listPosition(list: usize, count: i32): i32 {
    const own = load<u64>(this.ownAddress);
    for (let i = 0; i < count; i++) if (listEntry(list, i) == own) return i;
    return -1;
  }

  private subscribesTo(topic: usize): bool {
    for (let i = 0; i < this.ownTopicCount; i++) {
      if (sameAddress(this.ownTopics + <usize>(i * TOPIC_SIZE), topic)) return true;
    }
    return false;
  }

  private holdsService(service: usize): bool {
    for (let i = 0; i < this.ownServiceCount; i++) {
      if (sameAddress(this.ownServices + <usize>(i * ADDRESS_SIZE), service)) return true;
    }
    return false;
  }

  /**
   * The endpoint a unicast to `destination` is steered towards: the endpoint itself, or for a service
   * address the holder nearest by this node's view (fewest hops for next hop, lowest potential for
   * electric — the lower envelope of the holders' potentials, docs/routing.md "Anycast").
   */
  private targetFor(routing: RoutingState, destination: usize): i32 {
    const index = routing.endpoints.find(destination);
    if (index != NO_ENDPOINT) return index;
    const holders = routing.memberships.members(AppDataKind.Service, destination, this.members);
    let best = NO_ENDPOINT;
    let bestMetric: u64 = u64.MAX_VALUE;
    for (let i = 0; i < holders; i++) {
      const holder = unchecked(this.members[i]);
      let metric: u64;
      if (routing.strategy == RoutingStrategy.NextHop) {
        if (routing.routes.nextHop(holder, this.nowMs) == NO_NEXT_HOP) continue;
        metric = <u64>routing.routes.routeHops(holder);
      } else {
        const potential = routing.routes.recompute(holder, routing.neighbours, this.nowMs);
        if (potential == NO_POTENTIAL) continue;
        metric = <u64>potential;
      }
      if (metric < bestMetric) {
        bestMetric = metric;
        best = holder;
      }
    }
    return best;
  }

  /** Delivers a unicast for this node once, whether it came routed, flooded or both. */
  private deliverUnicast(frame: PacketBuffer): bool {
    const delivered = this.delivered;
    if (delivered !== null) {
      const key = this.header.sourceKey();
      const id = this.header.packetId();
      if (delivered.contains(key, id)) return this.drop(AvailabilityLinkCounter.Duplicates);
      delivered.remember(key, id);
    }
    frame.stripFront(HEADER_SIZE);
    this.count(AvailabilityLinkCounter.DeliveredUnicast);
    return true;
  }

  /**
   * A first copy of an announce (hop already counted): verify it through the endpoint table (which
   * refuses forgeries and replays before they change anything), learn the route and potential it
   * brings, and relay it under the announce airtime budget.
   *
   * Under electric routing a node in a dense part of the mesh that already knew the endpoint, and is
   * not one of the origin's neighbours, relays its new announce — a refresh — with probability ¼
   * before Meshtastic's cancel rule: Haas, Halpern & Li's GOSSIP1(¼, 1) (2002). In a settled mesh
   * potentials travel in beacons, and a refresh only has to keep the endpoint's entry from expiring
   * (three intervals). Always relaying: the origin's neighbours (the origin hears its announce go on
   * and does not repeat it), nodes with at most ECHO_WHEN_NEIGHBOURS_AT_MOST neighbours (there each
   * relay is the way on, and a skipped one would make the relay before it repeat), and every node that
   * did not know the endpoint, so the nodes an earlier round missed still get it. Measured over four
   * simulated hours of a quiet 200-node mesh, whose second announce round crowds the channel
   * (docs/routing.md, "Announce rounds"): four seeds, delivered 89.8 → 91.5 %, losses from the round
   * on 45.5 → 32.5 per seed, 99.7 % of node pairs known at the end (99.9 % relaying every refresh, 90.1 %
   * delivered relaying half).
   */
  private receiveAnnounce(frame: PacketBuffer, slot: i32, ringKey: u64, packetId: u32): void {
    const routing = this.routing;
    if (routing === null) {
      // Managed flooding keeps no endpoint table; it still carries announces for nodes that do.
      this.considerRelay(frame, ringKey, packetId);
      return;
    }
    const header = this.header;
    const body = frame.pointer() + HEADER_SIZE;
    const length = frame.length - HEADER_SIZE;
    // The body's hop count is advisory and unsigned: keep it equal to the header's.
    if (length > ANNOUNCE_HOP_COUNT_OFFSET) store<u8>(body + ANNOUNCE_HOP_COUNT_OFFSET, <u8>header.hopCount());
    const endpoints = routing.endpoints;
    const known = endpoints.find(header.source());
    const linkQuality = frame.hasRadioQuality ? <i32>Math.round(<f64>frame.snrDb * 4) : 0;
    const result = endpoints.accept(body, length, this.nowMs, linkQuality);
    if (result != AvailabilityCounter.AnnouncesAccepted) {
      this.count(AvailabilityLinkCounter.AnnouncesRejected);
      return;
    }
    const index = endpoints.find(header.source());
    if (index == NO_ENDPOINT) {
      // A valid announce under a header naming someone else: believed for the key, not relayed.
      this.count(AvailabilityLinkCounter.AnnouncesRejected);
      return;
    }
    this.count(AvailabilityLinkCounter.AnnouncesAccepted);
    if (known != index) routing.endpointReplaced(index);
    routing.memberships.replaceFor(index, announceAppData(body), announceAppDataLength(body), header.source());
    if (slot != NO_NEIGHBOUR) routing.learnFromAnnounce(index, header, slot, header.hopCount(), true, this.nowMs, this.counters);
    if (header.hopLimit() == 0) {
      this.count(AvailabilityLinkCounter.HopLimitReached);
      return;
    }
    const airtimeUs = (<i64>frame.length + LOWER_OVERHEAD_BYTES) * routing.airtimeUsPerByte;
    if (!routing.limiter.mayAnnounce(airtimeUs, this.nowMs)) {
      this.count(AvailabilityLinkCounter.AnnounceBudgetExceeded);
      return;
    }
    const refresh = known == index && header.hopCount() > 1 && routing.strategy == RoutingStrategy.Electric;
    // The draw only for refreshes it decides: the first round's relays keep their random sequence.
    if (refresh && !this.inSparsePart(routing, this.nowMs) && (this.random.next() >>> (32 - REFRESH_RELAY_ONE_IN_LOG2)) != 0) {
      // A refresh of an endpoint this node already knew, beyond the origin's neighbours: relayed by
      // one node in four (above).
      this.count(AvailabilityLinkCounter.RefreshesNotRelayed);
      return;
    }
    this.considerRelay(frame, ringKey, packetId, this.controlRelayWindowMs);
  }

  /**
   * True when a copy of (source, id) was overheard sent at hop count `position` or beyond — by the
   * node this packet's sender tried first, most often, whose forwarding the sender missed hearing. A
   * resend of a packet already on its way further is a duplicate: forwarding it too would send two
   * copies down the same slope, where they collide with each other (measured: a third of the resends
   * of a 200-node mesh at one message per node per 10 minutes, docs/routing.md, "Passive
   * acknowledgements"). `position` is the packet's hop count with the hop that brought it here counted.
   */
  private overheardAhead(sourceKey: u64, packetId: u32, position: i32): bool {
    const progress = this.progress;
    if (progress === null) return false;
    for (let ahead = 0; ahead < PROGRESS_LOOKAHEAD_HOPS; ahead++) {
      if (progress.contains(progressKey(sourceKey, position + ahead), packetId)) return true;
    }
    return false;
  }

  /** This node is the named next hop of a routed unicast (hop already counted): pass it on. */
  private forward(frame: PacketBuffer): void {
    const header = this.header;
    if (header.hopLimit() == 0) {
      this.count(AvailabilityLinkCounter.HopLimitReached);
      return;
    }
    const routing = this.routing;
    if (routing === null) return;
    const copy = this.copyForRelay(frame);
    if (copy === null) return;
    const status = this.sendRouted(copy, this.targetFor(routing, header.destination()), header.ceiling(), 0, 0, true);
    if (status != Status.Ok) {
      this.pool.release(copy);
      this.count(AvailabilityLinkCounter.RelayRefused);
    }
  }

  /**
   * Sends `packet` (routed header at its front) towards endpoint `index` by this link's strategy:
   * to the learned next hop, or to a neighbour drawn downhill below `ceiling`, skipping the slots in
   * `excluded`; keeps a copy to resend when the next hop is not heard forwarding it. With no route
   * the packet is flooded instead (counted NoRoute). Ownership as in Link.push.
   */
  private sendRouted(
    packet: PacketBuffer,
    index: i32,
    ceiling: u32,
    excluded: u64,
    retries: i32,
    forwarded: bool,
    floodWhenStuck: bool = true,
  ): Status {
    const routing = changetype<RoutingState>(this.routing);
    const at = packet.pointer();
    setTransmitter(at, this.ownId);
    const now = this.nowMs;
    let slot = NO_NEIGHBOUR;
    let nextHop = NO_NEXT_HOP;
    let nextCeiling = NO_POTENTIAL;
    let own = NO_POTENTIAL;
    if (index != NO_ENDPOINT) {
      if (routing.strategy == RoutingStrategy.NextHop) {
        const via = routing.routes.nextHop(index, now);
        if (via != NO_NEXT_HOP) {
          const viaSlot = routing.neighbours.find(via);
          const usable = viaSlot == NO_NEIGHBOUR || (routing.neighbours.isUsable(viaSlot, now) && ((excluded >> <u64>viaSlot) & 1) == 0);
          if (usable) {
            nextHop = via;
            slot = viaSlot;
          }
        }
      } else {
        own = routing.routes.recompute(index, routing.neighbours, now);
        // Follow the current while the channel carries the traffic and the packet has hops to spare;
        // otherwise the fewest transmissions win (docs/routing.md, 4a and 4b).
        const steepest = this.saturated() || this.shortOfHops(routing, index, <i32>load<u8>(at + HOP_LIMIT_OFFSET));
        if (retries > 0) {
          // A resend follows a missed acknowledgement, and after a failure that is a neighbour gone
          // whose last report still looks downhill — as may others. A neighbour heard lately is up:
          // the resend goes to one of those when any leads down (docs/routing.md, "Passive
          // acknowledgements").
          const silent = routing.neighbours.notHeardWithin(now, routing.beaconIntervalMs / RESEND_HEARD_WITHIN_BEACON_FRACTION);
          slot = routing.routes.chooseDownhill(index, ceiling, excluded | silent, routing.neighbours, now, this.randomUnit(), steepest);
        }
        if (slot == NO_NEIGHBOUR) {
          slot = routing.routes.chooseDownhill(index, ceiling, excluded, routing.neighbours, now, this.randomUnit(), steepest);
        }
        if (slot != NO_NEIGHBOUR) {
          nextHop = routing.neighbours.id(slot);
          // The next hop must go strictly lower than what this node was allowed and than its own
          // potential: the ceiling falls at every hop, so no packet can loop however the potentials
          // move meanwhile — yet a next hop whose potential rose since it last reported (they rise
          // while the Jacobi iteration converges from below) keeps room to pass the packet on.
          nextCeiling = ceiling == NO_POTENTIAL ? own : min(own, ceiling - 1);
        }
      }
    }
    if (nextHop == NO_NEXT_HOP) {
      // A flood relay asking whether it can route the packet instead, or a resend out of neighbours
      // to try: it cannot, the caller decides.
      if (!floodWhenStuck) return Status.NoRoute;
      // No way known: the packet floods, and the first nodes that know a way put it back on a routed
      // path (relayFlooded). Under next-hop routing it floods as far as the hop limit lets it — the
      // baseline's route discovery. Under electric routing it floods only SCOPED_FLOOD_HOPS: the
      // neighbours hold potentials for the destination too (or heard the announce this node missed),
      // and almost surely one has a way down.
      this.count(AvailabilityLinkCounter.NoRoute);
      // The ceiling field of the flood keeps how far the packet was allowed to travel, so the node
      // that routes it again gives it back the rest of its hops (relayFlooded).
      let hopBound = NO_POTENTIAL;
      const hopLimit = <i32>load<u8>(at + HOP_LIMIT_OFFSET);
      // A packet stuck on its way asks its neighbours only; its origin, which may have missed the
      // destination's announce altogether, asks two rings while the channel is not saturated (the
      // share of acknowledged copies, as for resends).
      const scope = !forwarded && !this.saturated() ? SCOPED_FLOOD_HOPS : 1;
      const wholeMesh = !forwarded && index == NO_ENDPOINT && this.mayFloodWholeMesh(routing, now);
      if (wholeMesh) this.wholeFloodHeard(now);
      if (routing.strategy == RoutingStrategy.Electric && hopLimit > scope && !wholeMesh) {
        hopBound = <u32>(<i32>load<u8>(at + HOP_COUNT_OFFSET) + hopLimit);
        store<u8>(at + HOP_LIMIT_OFFSET, <u8>scope);
      }
      setRouting(at, NO_NEXT_HOP, hopBound, own);
      // Relays of this flood heard back are duplicates here, not packets to relay again.
      this.ring.remember(load<u64>(at + SOURCE_OFFSET) ^ FLOOD_KEY_SALT, load<u32>(at + PACKET_ID_OFFSET));
      return this.lower.push(packet);
    }
    setRouting(at, nextHop, nextCeiling, own);
    // The destination itself does not forward, so there is nothing to hear from it: no copy kept.
    let entry: PendingRelay | null = null;
    if (nextHop != shortIdOf(routing.endpoints.entryAddress(index))) {
      entry = this.trackAcknowledgement(packet, slot, nextHop, excluded, retries, index, ceiling, forwarded);
    }
    const status = this.lower.push(packet);
    if (status != Status.Ok) {
      if (entry !== null) this.free(entry, true);
      return status;
    }
    this.count(AvailabilityLinkCounter.RoutedSent);
    if (forwarded) this.count(AvailabilityLinkCounter.RoutedForwarded);
    return Status.Ok;
  }

  /** Electric routing, a quiet channel, and fewer than WHOLE_FLOODS_PER_WINDOW whole floods lately. */
  private mayFloodWholeMesh(routing: RoutingState, now: i64): bool {
    if (routing.strategy != RoutingStrategy.Electric || this.acknowledgedShare < WHOLE_FLOOD_WHILE_ACKNOWLEDGED_SHARE) return false;
    // 0: no such flood yet (one heard at exactly 0 ms counts as none — a clock starting at 0 only).
    const oldest = unchecked(this.wholeFloodsHeardMs[0]);
    return oldest == 0 || now - oldest > routing.beaconIntervalMs * WHOLE_FLOOD_WINDOW_BEACONS;
  }

  /** Records a mesh-wide fallback flood (a flooded unicast without a hop bound) heard or sent now. */
  private wholeFloodHeard(now: i64): void {
    const times = this.wholeFloodsHeardMs;
    for (let i = 1; i < times.length; i++) unchecked((times[i - 1] = times[i]));
    unchecked((times[times.length - 1] = now));
  }

  /**
   * A flooded unicast's relay is due: if this node knows a way towards its destination (a route, or
   * a neighbour downhill) it sends the packet routed instead of flooding it on — "the first packet
   * floods, then it is routed" — so fallback floods stay shallow. Returns true when the entry was
   * handled (sent routed and freed).
   */
  private relayFlooded(routing: RoutingState, entry: PendingRelay): bool {
    const packet = changetype<PacketBuffer>(entry.packet);
    const at = packet.pointer();
    if (load<u8>(at) != <u8>RoutedPacketType.Unicast) return false;
    const index = this.targetFor(routing, at + DESTINATION_OFFSET);
    if (index == NO_ENDPOINT) return false;
    // A scoped flood gets back the hops it had before it was scoped: without them the routed copy
    // died one hop further (measured: most routed copies made from scoped floods carried hop limit 1).
    const hopBound = scopedFloodHopBound(at);
    const floodHopLimit = load<u8>(at + HOP_LIMIT_OFFSET);
    if (hopBound != 0) store<u8>(at + HOP_LIMIT_OFFSET, <u8>(hopBound - <i32>load<u8>(at + HOP_COUNT_OFFSET)));
    const status = this.sendRouted(packet, index, NO_POTENTIAL, 0, 0, true, false);
    if (status == Status.NoRoute) {
      // Still a flood: sendRouted left the routing fields (no next hop, the hop bound) as they were.
      store<u8>(at + HOP_LIMIT_OFFSET, floodHopLimit);
      return false;
    }
    // Routed (or refused): either way the flood relay is over. A routed copy heard back later is a
    // duplicate here.
    this.ring.remember(load<u64>(at + SOURCE_OFFSET), load<u32>(at + PACKET_ID_OFFSET));
    this.free(entry, status != Status.Ok);
    this.count(status == Status.Ok ? AvailabilityLinkCounter.FloodsRouted : AvailabilityLinkCounter.RelayRefused);
    return true;
  }

  /** Keeps a copy of a routed packet until its next hop is heard forwarding it; null when no room. */
  private trackAcknowledgement(
    packet: PacketBuffer,
    slot: i32,
    nextHop: u32,
    excluded: u64,
    retries: i32,
    index: i32,
    ceiling: u32,
    forwarded: bool,
  ): PendingRelay | null {
    const routing = changetype<RoutingState>(this.routing);
    // Copies awaiting acknowledgement may fill half the table: flooded relays (announces above all)
    // keep the rest.
    if (this.awaitingAcks * 2 >= this.pending.length) return null;
    const at = packet.pointer();
    const entry = this.keepCopy(packet, PendingKind.AwaitAck, load<u64>(at + SOURCE_OFFSET), load<u32>(at + PACKET_ID_OFFSET));
    if (entry === null) return null;
    // Inside poll() the clock is current; from push() the timeout starts at the next poll.
    entry.deadline = this.insidePoll ? this.nowMs + routing.ackTimeoutMs : STARTS_AT_NEXT_POLL;
    entry.nextHop = nextHop;
    entry.neighbourSlot = slot;
    entry.excluded = excluded;
    entry.retries = retries;
    entry.destination = index;
    entry.ceiling = ceiling;
    entry.forwarded = forwarded;
    this.awaitingAcks++;
    return entry;
  }

  /** A frame of (source, id) sent by `transmitter`: if it is our next hop forwarding it, that is the ack. */
  private checkAcknowledgement(sourceKey: u64, packetId: u32, transmitter: u32): void {
    const entry = this.findPending(PendingKind.AwaitAck, sourceKey, packetId, true, transmitter);
    if (entry === null) return;
    const routing = this.routing;
    if (routing !== null && entry.neighbourSlot != NO_NEIGHBOUR) routing.neighbours.acknowledged(entry.neighbourSlot);
    this.acknowledgedShare += (1.0 - this.acknowledgedShare) * ACKNOWLEDGED_SHARE_GAIN;
    this.free(entry, true);
    this.count(AvailabilityLinkCounter.AcksHeard);
  }

  /** The next hop was not heard forwarding in time: lower its weight and resend elsewhere, or give up. */
  private acknowledgementMissed(entry: PendingRelay): void {
    const routing = changetype<RoutingState>(this.routing);
    this.count(AvailabilityLinkCounter.AckTimeouts);
    const resend = entry.retries == 0 ? !this.saturated() : this.quiet();
    this.acknowledgedShare -= this.acknowledgedShare * ACKNOWLEDGED_SHARE_GAIN;
    const slot = entry.neighbourSlot;
    if (slot != NO_NEIGHBOUR) routing.neighbours.missedAcknowledgement(slot);
    if (routing.strategy == RoutingStrategy.NextHop && entry.destination != NO_ENDPOINT) {
      routing.routes.invalidateRoute(entry.destination);
    }
    const packet = changetype<PacketBuffer>(entry.packet);
    const excluded = slot != NO_NEIGHBOUR ? entry.excluded | (<u64>1 << <u64>slot) : entry.excluded;
    const retries = entry.retries + 1;
    const index = entry.destination;
    const ceiling = entry.ceiling;
    const forwarded = entry.forwarded;
    this.free(entry, false);
    let status: Status;
    if (retries <= MAXIMUM_ACK_RETRIES && resend) {
      // Electric routing does not flood when no other neighbour leads downhill: under load a missed
      // acknowledgement is more often a collision than a dead path, and a flood per collision feeds
      // the collisions. Next-hop routing floods then, its way to discover a new route.
      const floodWhenStuck = routing.strategy != RoutingStrategy.Electric;
      status = this.sendRouted(packet, index, ceiling, excluded, retries, forwarded, floodWhenStuck);
      if (status == Status.Ok) this.count(AvailabilityLinkCounter.AckRetries);
    } else {
      status = Status.NoRoute;
    }
    if (status == Status.NoRoute) {
      this.count(AvailabilityLinkCounter.DroppedUnacknowledged);
      this.pool.release(packet);
      return;
    }
    if (status != Status.Ok) {
      this.pool.release(packet);
      this.count(AvailabilityLinkCounter.RelayRefused);
    }
  }

  /** Announces this node when due (within the airtime budget), and beacons its potentials (electric). */
  private runRoutingTimers(routing: RoutingState, now: i64): i64 {
    if (now >= routing.nextAnnounceMs) this.originateAnnounce(routing, now);
    if (routing.strategy == RoutingStrategy.Electric) {
      // A big change in a potential brings the next beacon forward to a quarter interval after the last.
      if (routing.potentialsChanged) {
        const early = routing.lastBeaconMs + routing.beaconIntervalMs / 4;
        if (early < routing.nextBeaconMs) routing.nextBeaconMs = early;
      }
      if (now >= routing.nextBeaconMs) this.sendBeacon(routing, now);
    }
    let next = routing.nextAnnounceMs;
    if (routing.strategy == RoutingStrategy.Electric && routing.nextBeaconMs < next) next = routing.nextBeaconMs;
    return next;
  }

  private originateAnnounce(routing: RoutingState, now: i64): void {
    const appDataLength = this.writeAppData();
    const length = HEADER_SIZE + ANNOUNCE_MINIMUM_SIZE + appDataLength;
    const airtimeUs = (<i64>length + LOWER_OVERHEAD_BYTES) * routing.airtimeUsPerByte;
    if (!routing.limiter.mayAnnounce(airtimeUs, now)) {
      this.count(AvailabilityLinkCounter.AnnounceBudgetExceeded);
      routing.nextAnnounceMs = now + 1000;
      return;
    }
    const packet = this.pool.take();
    if (packet === null) {
      routing.nextAnnounceMs = now + 1000;
      return;
    }
    const bodyLength = ANNOUNCE_MINIMUM_SIZE + appDataLength;
    const body = packet.append(bodyLength);
    const sequence = routing.announceSequence + 1;
    if (body == 0 || createAnnounce(body, bodyLength, routing.identity, sequence, this.appData, appDataLength) < 0) {
      this.pool.release(packet);
      routing.nextAnnounceMs = now + routing.announceIntervalMs;
      return;
    }
    const at = packet.prepend(HEADER_SIZE);
    emitHeader(at, this.hopLimit, this.random.next(), BROADCAST_ADDRESS, this.ownAddress, RoutedPacketType.Announce);
    // This node is the sink of its own potential.
    setSenderPotential(at, 0);
    packet.integrityLevel = <u8>this.controlLevel;
    const echo = this.copyToConfirm(routing, packet, load<u64>(at + SOURCE_OFFSET) ^ FLOOD_KEY_SALT, load<u32>(at + PACKET_ID_OFFSET), now, true);
    if (this.lower.push(packet) != Status.Ok) {
      if (echo !== null) this.free(echo, true);
      this.pool.release(packet);
      routing.nextAnnounceMs = now + 1000;
      return;
    }
    routing.announceSequence = sequence;
    routing.limiter.spend(airtimeUs, now);
    routing.endpoints.countSent();
    this.count(AvailabilityLinkCounter.AnnouncesOriginated);
    // The next one within ±25 % of the interval: nodes switched on together (as the simulator's are)
    // must not announce together again. Every announce floods the whole mesh, and a round of them
    // crowds the channel: over four simulated hours of a quiet 200-node mesh, the second round under
    // ±10 % jitter (spread over 36 minutes) cost up to a third of the messages of the 20-minute windows
    // it fell in; spread over 90 minutes, it cost up to a fifth (two seeds; docs/routing.md, "Announces").
    const interval = routing.announceIntervalMs;
    const jitter = <i64>(this.random.next() % <u32>(interval / 2 + 1));
    routing.nextAnnounceMs = now + interval - interval / 4 + jitter;
  }

  /** Fills the app-data scratch with this node's service proofs and topics; returns its length. */
  private writeAppData(): i32 {
    let length = 0;
    const out = this.appData;
    for (let i = 0; i < this.ownServiceCount; i++) {
      store<u8>(out + <usize>length, <u8>AppDataKind.Service);
      store<u8>(out + <usize>length + 1, <u8>SERVICE_PROOF_SIZE);
      memory.copy(out + <usize>(length + ENTRY_HEADER_SIZE), this.ownServiceProofs + <usize>(i * SERVICE_PROOF_SIZE), <usize>SERVICE_PROOF_SIZE);
      length += ENTRY_HEADER_SIZE + SERVICE_PROOF_SIZE;
    }
    for (let i = 0; i < this.ownTopicCount; i++) {
      if (length + ENTRY_HEADER_SIZE + TOPIC_SIZE > MAXIMUM_APP_DATA_SIZE) break;
      store<u8>(out + <usize>length, <u8>AppDataKind.Topic);
      store<u8>(out + <usize>length + 1, <u8>TOPIC_SIZE);
      memory.copy(out + <usize>(length + ENTRY_HEADER_SIZE), this.ownTopics + <usize>(i * TOPIC_SIZE), <usize>TOPIC_SIZE);
      length += ENTRY_HEADER_SIZE + TOPIC_SIZE;
    }
    return length;
  }

  /**
   * One beacon: this node's own 0, then up to `beaconEntries` − 1 destinations — first those whose
   * potential moved by more than a quarter since this node last advertised it, then round robin —
   * so changes spread fast and a quiet mesh still refreshes every entry in turn. The default 24
   * entries keep a beacon inside one 255-byte LoRa frame at BLAKE2b.
   */
  private sendBeacon(routing: RoutingState, now: i64): void {
    const interval = routing.beaconIntervalMs;
    routing.nextBeaconMs = now + interval - interval / 4 + <i64>(this.random.next() % <u32>(interval / 2 + 1));
    if (routing.bootBeaconsLeft > 0) {
      routing.bootBeaconsLeft--;
      // The second boot beacon comes after the neighbours' first ones, so its heard filter lists them.
      const spread = bootBeaconSpreadMs(interval);
      if (routing.bootBeaconsLeft > 0) routing.nextBeaconMs = now + spread + <i64>(this.random.next() % <u32>(spread / 2 + 1));
    }
    routing.lastBeaconMs = now;
    routing.potentialsChanged = false;
    const packet = this.pool.take();
    if (packet === null) return;
    const endpoints = routing.endpoints;
    const room = min(min(MAXIMUM_BEACON_ENTRIES, routing.beaconEntries), (this.mtu() - BEACON_FIXED_SIZE) / BEACON_ENTRY_SIZE);
    const body = packet.append(BEACON_FIXED_SIZE + room * BEACON_ENTRY_SIZE);
    if (body == 0) {
      this.pool.release(packet);
      return;
    }
    clearHeardFilter(body + BEACON_FILTER_OFFSET);
    routing.neighbours.writeHeardFilter(body + BEACON_FILTER_OFFSET, now);
    writeBeaconEntry(body, 0, this.ownAddress, 0);
    let entries = 1;
    const routes = routing.routes;
    for (let index = 0; index < endpoints.capacity && entries < room; index++) {
      if (!endpoints.isPresent(index)) continue;
      const potential = routes.recompute(index, routing.neighbours, now);
      if (potential == NO_POTENTIAL || !routes.movedSinceAdvertised(index)) continue;
      writeBeaconEntry(body, entries, endpoints.entryAddress(index), potential);
      routes.markAdvertised(index);
      entries++;
    }
    for (let scanned = 0; scanned < endpoints.capacity && entries < room; scanned++) {
      const index = routing.beaconCursor;
      routing.beaconCursor = index + 1 == endpoints.capacity ? 0 : index + 1;
      if (!endpoints.isPresent(index) || routes.advertisedNow(index)) continue;
      const potential = routes.recompute(index, routing.neighbours, now);
      if (potential == NO_POTENTIAL) continue;
      writeBeaconEntry(body, entries, endpoints.entryAddress(index), potential);
      routes.markAdvertised(index);
      entries++;
    }
    routes.endBeacon();
    store<u8>(body, <u8>entries);
    packet.stripBack((room - entries) * BEACON_ENTRY_SIZE);
    const at = packet.prepend(HEADER_SIZE);
    emitHeader(at, 1, this.random.next(), BROADCAST_ADDRESS, this.ownAddress, RoutedPacketType.Beacon);
    packet.integrityLevel = <u8>this.controlLevel;
    if (this.lower.push(packet) != Status.Ok) {
      this.pool.release(packet);
      return;
    }
    this.count(AvailabilityLinkCounter.BeaconsSent);
  }

  /** Relays carry their sender's current potential for the packet's target (electric routing). */
  private writeOwnPotential(routing: RoutingState, packet: PacketBuffer): void {
    if (routing.strategy != RoutingStrategy.Electric) return;
    const at = packet.pointer();
    const type = <i32>load<u8>(at);
    const target = type == RoutedPacketType.Announce ? at + SOURCE_OFFSET : at + DESTINATION_OFFSET;
    if (type != RoutedPacketType.Announce && type != RoutedPacketType.Unicast) return;
    const index = routing.endpoints.find(target);
    const potential = index == NO_ENDPOINT ? NO_POTENTIAL : routing.routes.recompute(index, routing.neighbours, this.nowMs);
    setSenderPotential(at, potential);
  }

  /** A uniform value in [0, 1) for the downhill draw. */
  @inline private randomUnit(): f64 {
    return <f64>this.random.next() / 4294967296.0;
  }

  /** A fresh pool copy of a received frame for relaying (hop-by-hop protection), or null (counted). */
  private copyForRelay(frame: PacketBuffer): PacketBuffer | null {
    const copy = this.pool.take();
    if (copy === null) {
      this.count(AvailabilityLinkCounter.RelayNoBuffer);
      return null;
    }
    const bytes = copy.append(frame.length);
    if (bytes == 0) {
      this.pool.release(copy);
      this.count(AvailabilityLinkCounter.RelayNoBuffer);
      return null;
    }
    memory.copy(bytes, frame.pointer(), <usize>frame.length);
    copy.contact = NO_CONTACT;
    // The sender chose the paranoia level for its packet: every hop keeps it, except SipHash, whose
    // key belongs to one pair of endpoints — a relay protects such a packet at its own profile.
    const level = <i32>frame.integrityLevel;
    copy.integrityLevel = level == IntegrityLevel.SipHash ? <u8>IntegrityLevel.Default : <u8>level;
    setTransmitter(bytes, this.ownId);
    return copy;
  }

  /**
   * Keeps a copy of an announce about to be sent, to send again unless another node is heard sending
   * it on: this node's `own` announce always (OWN_ANNOUNCE_REPEATS), a relay once and only in a sparse
   * part of the mesh (ECHO_WHEN_NEIGHBOURS_AT_MOST). Null when none is needed or there is no room —
   * the announce then goes out unconfirmed.
   */
  private copyToConfirm(routing: RoutingState, packet: PacketBuffer, ringKey: u64, packetId: u32, now: i64, own: bool): PendingRelay | null {
    if (!own && !this.inSparsePart(routing, now)) return null;
    // Confirmations never take the last quarter of the table: flooded relays and acknowledgements
    // come first.
    if ((this.pending.length - this.pendingCount) * 4 <= this.pending.length) return null;
    const entry = this.keepCopy(packet, PendingKind.AwaitEcho, ringKey, packetId);
    if (entry === null) return null;
    entry.retries = own ? OWN_ANNOUNCE_REPEATS : 1;
    this.awaitEcho(routing, entry, now);
    return entry;
  }

  /** At most ECHO_WHEN_NEIGHBOURS_AT_MOST live neighbours: each relay here is likely the only way on. */
  private inSparsePart(routing: RoutingState, now: i64): bool {
    return routing.neighbours.aliveCount(now) <= ECHO_WHEN_NEIGHBOURS_AT_MOST;
  }

  /**
   * Sets when an announce copy is sent again if nobody is heard sending it on: after the announce
   * relay window and the acknowledgement timeout, jittered over a further window — two nodes whose
   * copies collided at the node between them must not repeat them at the same moment again.
   */
  private awaitEcho(routing: RoutingState, entry: PendingRelay, now: i64): void {
    const jitter = <i64>(this.random.next() % <u32>(this.controlRelayWindowMs + 1));
    entry.deadline = now + <i64>this.controlRelayWindowMs + routing.ackTimeoutMs + jitter;
  }

  /** A pending-table entry of `kind` holding a pool copy of `packet` (the caller sets the rest); null when no room. */
  private keepCopy(packet: PacketBuffer, kind: PendingKind, sourceKey: u64, packetId: u32): PendingRelay | null {
    const entry = this.freeEntry();
    if (entry === null) return null;
    const copy = this.copyOf(packet);
    if (copy === null) return null;
    entry.packet = copy;
    entry.kind = kind;
    entry.sourceKey = sourceKey;
    entry.packetId = packetId;
    this.pendingCount++;
    return entry;
  }

  /** A pool buffer holding a copy of `packet`, or null when the pool is empty or the copy does not fit. */
  private copyOf(packet: PacketBuffer): PacketBuffer | null {
    const copy = this.pool.take();
    if (copy === null) return null;
    if (!copy.copyFrom(packet)) {
      this.pool.release(copy);
      return null;
    }
    return copy;
  }

  /** Another node sent on an announce this node sent: it travels on, no repeat needed. */
  private echoHeard(ringKey: u64, packetId: u32): void {
    const entry = this.findPending(PendingKind.AwaitEcho, ringKey, packetId);
    if (entry !== null) this.free(entry, true);
  }

  /**
   * Nobody was heard sending on an announce this node sent: send it again, within the budget — and,
   * while repeats are left, keep a copy to confirm that one too.
   */
  private repeatUnechoed(routing: RoutingState, entry: PendingRelay, now: i64): void {
    const packet = changetype<PacketBuffer>(entry.packet);
    const airtimeUs = (<i64>packet.length + LOWER_OVERHEAD_BYTES) * routing.airtimeUsPerByte;
    if (!routing.limiter.mayAnnounce(airtimeUs, now)) {
      this.count(AvailabilityLinkCounter.AnnounceBudgetExceeded);
      this.free(entry, true);
      return;
    }
    entry.retries--;
    const again = entry.retries > 0 ? this.copyOf(packet) : null;
    if (this.lower.push(packet) != Status.Ok) {
      if (again !== null) this.pool.release(again);
      this.free(entry, true);
      return;
    }
    routing.limiter.spend(airtimeUs, now);
    this.count(AvailabilityLinkCounter.AnnounceRepeats);
    if (again === null) {
      this.free(entry, false);
      return;
    }
    entry.packet = again;
    this.awaitEcho(routing, entry, now);
  }

  /** Queues a copy of `frame` (header still on, hop counted) for rebroadcast, or counts why it cannot be. */
  private considerRelay(frame: PacketBuffer, sourceKey: u64, packetId: u32, windowMs: i32 = this.relayWindowMs): void {
    // The last ring of a scoped fallback flood relays nothing more, but a node there that knows a way
    // still routes the packet on (relayFlooded): the flood's hops are spent, its routed hops are not.
    if (this.header.hopLimit() == 0 && !this.mayRouteSpentFlood(frame)) {
      this.count(AvailabilityLinkCounter.HopLimitReached);
      return;
    }
    const entry = this.freeEntry();
    if (entry === null) {
      this.count(AvailabilityLinkCounter.RelayTableFull);
      return;
    }
    const copy = this.copyForRelay(frame);
    if (copy === null) return;
    // A flooded copy names no next hop and carries no ceiling (a scoped unicast flood keeps its hop
    // bound there); its sender potential is written when it leaves (writeOwnPotential), as the node's
    // potentials may move while it waits.
    const isUnicast = load<u8>(copy.pointer()) == <u8>RoutedPacketType.Unicast;
    const hopBound = isUnicast ? scopedFloodHopBound(copy.pointer()) : 0;
    setRouting(copy.pointer(), NO_NEXT_HOP, hopBound == 0 ? NO_POTENTIAL : <u32>hopBound, NO_POTENTIAL);
    if (load<u8>(copy.pointer()) == <u8>RoutedPacketType.Announce) copy.integrityLevel = <u8>this.controlLevel;
    entry.packet = copy;
    entry.kind = PendingKind.FloodRelay;
    entry.sourceKey = sourceKey;
    entry.packetId = packetId;
    entry.relaysHeard = 0;
    // Meshtastic's rule: the weaker the frame was heard, the farther its sender probably is, so the
    // sooner this node relays (its relay covers more new ground).
    const snr = frame.hasRadioQuality ? <i32>Math.round(<f64>frame.snrDb * 4) : NO_SNR;
    const routing = this.routing;
    const delayMs =
      isUnicast && routing !== null && routing.strategy == RoutingStrategy.Electric
        ? this.fallbackRelayDelayMs(routing, copy.pointer(), windowMs, snr)
        : relayDelayMs(windowMs, snr, this.random.next());
    entry.deadline = this.nowMs + <i64>delayMs;
    this.pendingCount++;
    this.count(AvailabilityLinkCounter.RelaysScheduled);
  }

  /** Most of this node's recent routed copies went unacknowledged: its channel is saturated. */
  private saturated(): bool {
    return this.acknowledgedShare < SATURATED_BELOW_ACKNOWLEDGED_SHARE;
  }

  /** Three quarters of the recent routed copies acknowledged: a miss is a neighbour gone or busy, not the channel. */
  private quiet(): bool {
    return this.acknowledgedShare >= QUIET_FROM_ACKNOWLEDGED_SHARE;
  }

  /**
   * True when a packet for endpoint `index` with `hopsLeft` hops (this transmission included) has
   * little room beyond the destination's distance (its announce's hop count; unknown: 0, never short).
   */
  private shortOfHops(routing: RoutingState, index: i32, hopsLeft: i32): bool {
    const distance = routing.endpoints.entryHops(index);
    return distance > 0 && hopsLeft <= distance + STEEPEST_WITHIN_HOPS;
  }

  /**
   * Delay of an electric fallback flood's relay (a unicast whose sender knew no way down). A node
   * holding a potential for the destination will put the packet back on a routed path
   * (relayFlooded): it waits a uniform share of the window. A node without one can only flood it on:
   * it waits a window and a quarter more (SNR-weighted within the window; the quarter is time for the
   * last routed copy to be heard), so a routed copy — which cancels the flood relays waiting around
   * it — comes first. Meshtastic's SNR order is for coverage; here it put the neighbours that know the
   * way at nearly the same moment, and a flood's first ring sent ~9 routed copies of one packet into
   * each other (docs/routing.md, "Fallback floods under electric routing are scoped").
   */
  private fallbackRelayDelayMs(routing: RoutingState, at: usize, windowMs: i32, snr: i32): i32 {
    const index = this.targetFor(routing, at + DESTINATION_OFFSET);
    if (index != NO_ENDPOINT && routing.routes.recompute(index, routing.neighbours, this.nowMs) != NO_POTENTIAL) {
      return <i32>(this.random.next() % <u32>(windowMs + 1));
    }
    return windowMs + (windowMs >> 2) + relayDelayMs(windowMs, snr, this.random.next());
  }

  /** A flooded unicast whose flood hops are spent but which carries routed hops (scopedFloodHopBound). */
  private mayRouteSpentFlood(frame: PacketBuffer): bool {
    const routing = this.routing;
    if (routing === null || routing.strategy != RoutingStrategy.Electric) return false;
    const at = frame.pointer();
    if (load<u8>(at) != <u8>RoutedPacketType.Unicast || this.header.nextHop() != NO_NEXT_HOP) return false;
    return scopedFloodHopBound(at) != 0 && this.targetFor(routing, at + DESTINATION_OFFSET) != NO_ENDPOINT;
  }

  private cancelPendingRelay(sourceKey: u64, packetId: u32, always: bool = false): void {
    const entry = this.findPending(PendingKind.FloodRelay, sourceKey, packetId);
    if (entry === null) return;
    entry.relaysHeard++;
    if (always || (this.cancelThreshold > 0 && entry.relaysHeard >= this.cancelThreshold)) {
      this.free(entry, true);
      this.count(AvailabilityLinkCounter.RelaysCancelled);
    }
  }

  /**
   * The pending entry of `kind` for packet (sourceKey, packetId), or null. With `sentTo`, only a copy
   * sent to that next hop (acknowledgements: the transmitter must be the one we chose).
   */
  private findPending(kind: PendingKind, sourceKey: u64, packetId: u32, sentTo: bool = false, nextHop: u32 = 0): PendingRelay | null {
    if (this.pendingCount == 0) return null;
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      const entry = unchecked(pending[i]);
      if (entry.packet === null || entry.kind != kind || entry.packetId != packetId || entry.sourceKey != sourceKey) continue;
      if (!sentTo || entry.nextHop == nextHop) return entry;
    }
    return null;
  }

  private freeEntry(): PendingRelay | null {
    if (this.pendingCount == this.pending.length) return null;
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      const entry = unchecked(pending[i]);
      if (entry.packet === null) return entry;
    }
    return null;
  }

  /** Empties a table slot; `releaseBuffer` when the copy was not handed to the lower link. */
  private free(entry: PendingRelay, releaseBuffer: bool): void {
    const packet = entry.packet;
    if (packet !== null && releaseBuffer) this.pool.release(packet);
    if (entry.kind == PendingKind.AwaitAck) this.awaitingAcks--;
    entry.packet = null;
    entry.kind = PendingKind.FloodRelay;
    this.pendingCount--;
  }

  /** Counts a frame that is not delivered; always false so callers can `return this.drop(…)`. */
  private drop(reason: AvailabilityLinkCounter): bool {
    this.count(reason);
    return false;
  }

  @inline private count(which: AvailabilityLinkCounter): void {
    unchecked((this.counters[which] = this.counters[which] + 1));
  }
}

/** The all-ones address: every node. */
export const BROADCAST_ADDRESS: usize = memory.data<u8>([
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
]);

/** Valid hop limits for originated packets. */
export function isValidHopLimit(hopLimit: i32): bool {
  return hopLimit >= 1 && hopLimit <= MAXIMUM_HOP_LIMIT;
}

/** Removes entry `position` from the multicast list at `list` inside `packet` (shrinking the packet). */
function removeFromList(list: usize, packet: PacketBuffer, position: i32): void {
  const count = <i32>load<u8>(list);
  const entry = list + 1 + <usize>(position * LIST_ENTRY_SIZE);
  const tail = packet.pointer() + <usize>packet.length - (entry + <usize>LIST_ENTRY_SIZE);
  memory.copy(entry, entry + <usize>LIST_ENTRY_SIZE, tail);
  store<u8>(list, <u8>(count - 1));
  packet.stripBack(LIST_ENTRY_SIZE);
}
