// The Availability layer as a Link (DESIGN.md layer 4) with the baseline strategy, managed
// flooding as Meshtastic does it (docs/routing.md, "Managed flooding"): every node rebroadcasts each
// packet it hears for the first time, after a delay weighted by SNR, unless the hop limit is spent or
// it hears another node relay the same packet first. Nothing is allocated after construction: relays
// are copies in pool buffers held in a fixed pending-relay table.
import { Link, NO_DEADLINE } from "../link/link";
import { NO_CONTACT, PacketBuffer } from "../link/packet-buffer";
import { PacketPool } from "../link/packet-pool";
import { Status } from "../link/status";
import { Xorshift32 } from "../support/xorshift";
import { ADDRESS_SIZE } from "./address";
import { DuplicateRing } from "./duplicate-ring";
import {
  AvailabilityHeaderView,
  emitHeader,
  HEADER_SIZE,
  HeaderVerdict,
  isBroadcastAddress,
  MAXIMUM_HOP_LIMIT,
  sameAddress,
} from "./header";
import { AvailabilityLinkCounter, malformedCounter } from "./link-counters";

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

/** A relay waiting for its delay to pass, in the pending-relay table. */
class PendingRelay {
  /** The copy to send (header already updated), or null when the slot is free. */
  packet: PacketBuffer | null = null;
  sourceKey: u64 = 0;
  packetId: u32 = 0;
  deadline: i64 = 0;
  /** Relays of the same packet heard by others while this one waited. */
  relaysHeard: i32 = 0;
}

export class AvailabilityLink extends Link {
  /** Hop limit of packets this node originates (1..MAXIMUM_HOP_LIMIT). */
  hopLimit: i32;
  /** Relay delays are spread over this window (ms). */
  relayWindowMs: i32;
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
  private readonly header: AvailabilityHeaderView = new AvailabilityHeaderView();
  private readonly counters: StaticArray<u32> = new StaticArray<u32>(AvailabilityLinkCounter.Count);
  /** Packet ids and relay jitter. Not a secret: ids only need to differ, not be unguessable. */
  private readonly random: Xorshift32;
  /** Time of the latest poll: pop() has no clock, so relays it schedules start from here. */
  private nowMs: i64 = 0;

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
    this.random = new Xorshift32(seed);
    memory.copy(this.ownAddress, ownAddress, <usize>ADDRESS_SIZE);
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
    const status = this.lower.push(packet);
    if (status != Status.Ok) {
      packet.stripFront(HEADER_SIZE);
      return status;
    }
    this.count(broadcast ? AvailabilityLinkCounter.SentBroadcast : AvailabilityLinkCounter.SentUnicast);
    return Status.Ok;
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

  /** Sends the relays whose delay has passed, then polls the lower link; returns the next deadline. */
  poll(now: i64): i64 {
    this.nowMs = now;
    let next = NO_DEADLINE;
    const pending = this.pending;
    for (let i = 0; i < pending.length && this.pendingCount > 0; i++) {
      const entry = unchecked(pending[i]);
      const packet = entry.packet;
      if (packet === null) continue;
      if (entry.deadline <= now) {
        const status = this.lower.push(packet);
        if (status == Status.Ok) {
          this.free(entry, false);
          this.count(AvailabilityLinkCounter.RelaysSent);
          continue;
        }
        if (status != Status.Full) {
          this.free(entry, true);
          this.count(AvailabilityLinkCounter.RelayRefused);
          continue;
        }
        entry.deadline = now + RETRY_AFTER_FULL_MS;
      }
      if (entry.deadline < next) next = entry.deadline;
    }
    const lowerNext = this.lower.poll(now);
    return lowerNext < next ? lowerNext : next;
  }

  /**
   * Decides a received frame: cheap header checks, then duplicate suppression, then relay and
   * delivery. Returns true when the frame is to be delivered (header stripped); false after counting
   * why not.
   */
  private receive(frame: PacketBuffer): bool {
    this.count(AvailabilityLinkCounter.FramesReceived);
    const header = this.header;
    const verdict = header.check(frame.pointer(), frame.length);
    if (verdict != HeaderVerdict.Valid) return this.drop(malformedCounter(verdict));
    if (sameAddress(header.source(), this.ownAddress)) return this.drop(AvailabilityLinkCounter.OwnEchoes);
    const sourceKey = header.sourceKey();
    const packetId = header.packetId();
    if (this.ring.contains(sourceKey, packetId)) {
      // Someone relayed a packet we are waiting to relay: our rebroadcast would mostly cover ground
      // theirs already covered, so it is cancelled (Meshtastic's "cancel on hearing a relay").
      this.cancelPendingRelay(sourceKey, packetId);
      return this.drop(AvailabilityLinkCounter.Duplicates);
    }
    this.ring.remember(sourceKey, packetId);
    // From here the header describes the packet as this node holds it: the relay copy carries the
    // lowered limit, and the destination reads how many hops the packet travelled.
    header.countArrivalHop();

    const forThisNode = sameAddress(header.destination(), this.ownAddress);
    const broadcast = header.isBroadcast();
    if (!forThisNode) this.considerRelay(frame, sourceKey, packetId);
    if (!forThisNode && !broadcast) return this.drop(AvailabilityLinkCounter.ForOthers);
    frame.stripFront(HEADER_SIZE);
    this.count(broadcast ? AvailabilityLinkCounter.DeliveredBroadcast : AvailabilityLinkCounter.DeliveredUnicast);
    return true;
  }

  /** Queues a copy of `frame` (header still on, hop counted) for rebroadcast, or counts why it cannot be. */
  private considerRelay(frame: PacketBuffer, sourceKey: u64, packetId: u32): void {
    if (this.header.hopLimit() == 0) {
      this.count(AvailabilityLinkCounter.HopLimitReached);
      return;
    }
    const entry = this.freeEntry();
    if (entry === null) {
      this.count(AvailabilityLinkCounter.RelayTableFull);
      return;
    }
    const copy = this.pool.take();
    if (copy === null) {
      this.count(AvailabilityLinkCounter.RelayNoBuffer);
      return;
    }
    // A fresh buffer (full headroom, no metadata): the relay is protected hop by hop at this node's
    // own Integrity profile, not with what the previous hop verified.
    const bytes = copy.append(frame.length);
    if (bytes == 0) {
      this.pool.release(copy);
      this.count(AvailabilityLinkCounter.RelayNoBuffer);
      return;
    }
    memory.copy(bytes, frame.pointer(), <usize>frame.length);
    copy.contact = NO_CONTACT;
    entry.packet = copy;
    entry.sourceKey = sourceKey;
    entry.packetId = packetId;
    entry.relaysHeard = 0;
    // Meshtastic's rule: the weaker the frame was heard, the farther its sender probably is, so the
    // sooner this node relays (its relay covers more new ground).
    const snr = frame.hasRadioQuality ? <i32>Math.round(<f64>frame.snrDb * 4) : NO_SNR;
    entry.deadline = this.nowMs + <i64>relayDelayMs(this.relayWindowMs, snr, this.random.next());
    this.pendingCount++;
    this.count(AvailabilityLinkCounter.RelaysScheduled);
  }

  private cancelPendingRelay(sourceKey: u64, packetId: u32): void {
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) {
      const entry = unchecked(pending[i]);
      if (entry.packet !== null && entry.packetId == packetId && entry.sourceKey == sourceKey) {
        entry.relaysHeard++;
        if (this.cancelThreshold > 0 && entry.relaysHeard >= this.cancelThreshold) {
          this.free(entry, true);
          this.count(AvailabilityLinkCounter.RelaysCancelled);
        }
        return;
      }
    }
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
    entry.packet = null;
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
