// The table of known endpoints (docs/routing.md, "Endpoint table"): fixed size, filled only by
// announces that verified. Its rules bound what an attacker can do with announces:
// - nothing changes before the announce verified (structure → puzzle → signature);
// - a replay (sequence ≤ stored) changes nothing, and is refused before the costly signature check;
// - a new endpoint may take a free slot, or evict the stalest entry only if that entry has not been
//   heard for `evictionAgeMs`: a flood of valid announces from freshly ground identities can churn
//   stale slots but never displace an endpoint heard recently;
// - entries not heard for `maximumAgeMs` are removed by expire().
import { ADDRESS_SIZE, endpointAddressOf, PUBLIC_KEY_SIZE } from "./address";
import {
  AnnounceVerdict,
  announceHopCount,
  announcePublicKey,
  announceSequence,
  announceSignatureValid,
  checkAnnounceStructure,
} from "./announce";
import { AvailabilityCounter, rejectionCounter } from "./counters";
import { puzzleSatisfied } from "./puzzle";

// One 64-byte record per entry, in one region allocated at construction.
const ADDRESS_OFFSET: usize = 0;
const PUBLIC_KEY_OFFSET: usize = ADDRESS_OFFSET + <usize>ADDRESS_SIZE;
const SEQUENCE_OFFSET: usize = PUBLIC_KEY_OFFSET + <usize>PUBLIC_KEY_SIZE;
const HOPS_OFFSET: usize = SEQUENCE_OFFSET + 4;
const PRESENT_OFFSET: usize = HOPS_OFFSET + 1;
const LINK_QUALITY_OFFSET: usize = PRESENT_OFFSET + 1;
const LAST_HEARD_OFFSET: usize = LINK_QUALITY_OFFSET + 2;
const RECORD_SIZE: usize = LAST_HEARD_OFFSET + 8;

export const NO_ENDPOINT: i32 = -1;

export class EndpointTable {
  private readonly records: usize;
  private readonly counters: StaticArray<u32> = new StaticArray<u32>(AvailabilityCounter.Count);
  /** Address of the announce being checked (scratch, so accept() allocates nothing). */
  private readonly candidateAddress: usize = heap.alloc(<usize>ADDRESS_SIZE);

  constructor(
    readonly capacity: i32,
    /** Identity-puzzle difficulty in leading zero bits (puzzle.ts), a network-wide setting. */
    readonly difficulty: i32,
    /** expire() removes entries not heard for this long. */
    readonly maximumAgeMs: i64,
    /** A new endpoint may only evict an entry that has not been heard for this long. */
    readonly evictionAgeMs: i64,
  ) {
    const size = <usize>capacity * RECORD_SIZE;
    this.records = heap.alloc(size);
    memory.fill(this.records, 0, size);
  }

  @inline private record(index: i32): usize {
    return this.records + <usize>index * RECORD_SIZE;
  }

  @inline isPresent(index: i32): bool {
    return index >= 0 && index < this.capacity && load<u8>(this.record(index) + PRESENT_OFFSET) != 0;
  }

  counter(which: AvailabilityCounter): u32 {
    return this.counters[which];
  }

  /** Counts an announce this node sent (the table holds the node's availability statistics). */
  countSent(): void {
    this.count(AvailabilityCounter.AnnouncesSent);
  }

  // Entry fields; callers check isPresent first.
  entryAddress(index: i32): usize {
    return this.record(index) + ADDRESS_OFFSET;
  }
  entryPublicKey(index: i32): usize {
    return this.record(index) + PUBLIC_KEY_OFFSET;
  }
  entrySequence(index: i32): u32 {
    return load<u32>(this.record(index) + SEQUENCE_OFFSET);
  }
  entryHops(index: i32): i32 {
    return <i32>load<u8>(this.record(index) + HOPS_OFFSET);
  }
  /** Quality of the link the latest announce arrived on (caller's unit, e.g. SNR in ¼ dB); for routing. */
  entryLinkQuality(index: i32): i32 {
    return <i32>load<i16>(this.record(index) + LINK_QUALITY_OFFSET);
  }
  entryLastHeard(index: i32): i64 {
    return load<i64>(this.record(index) + LAST_HEARD_OFFSET);
  }

  /** Entries in use. */
  size(): i32 {
    let used = 0;
    for (let i = 0; i < this.capacity; i++) if (this.isPresent(i)) used++;
    return used;
  }

  /** Index of the entry with the 16-byte `address`, or NO_ENDPOINT. */
  find(address: usize): i32 {
    const first = load<u64>(address);
    const second = load<u64>(address, 8);
    for (let i = 0; i < this.capacity; i++) {
      const record = this.record(i);
      if (load<u8>(record + PRESENT_OFFSET) == 0) continue;
      if (load<u64>(record + ADDRESS_OFFSET) == first && load<u64>(record + ADDRESS_OFFSET, 8) == second) return i;
    }
    return NO_ENDPOINT;
  }

  /**
   * Offers a received announce heard at `nowMs` over a link of quality `linkQuality`. Returns the
   * counter it incremented: AnnouncesAccepted, or the reason for the rejection. The table changes only
   * on AnnouncesAccepted.
   */
  accept(frame: usize, length: i32, nowMs: i64, linkQuality: i32): AvailabilityCounter {
    const structure = checkAnnounceStructure(frame, length);
    if (structure != AnnounceVerdict.Valid) return this.count(rejectionCounter(structure));
    const publicKey = announcePublicKey(frame);
    if (!puzzleSatisfied(publicKey, this.difficulty)) return this.count(rejectionCounter(AnnounceVerdict.Puzzle));

    // Table reads before the signature check are safe (they change nothing) and let replays, the
    // cheapest flood to mount, be refused without an Ed25519 verification each.
    const address = this.candidateAddress;
    endpointAddressOf(address, publicKey);
    const sequence = announceSequence(frame);
    let index = this.find(address);
    let evicting = false;
    if (index != NO_ENDPOINT) {
      if (memory.compare(this.entryPublicKey(index), publicKey, <usize>PUBLIC_KEY_SIZE) != 0) {
        return this.count(AvailabilityCounter.RejectedAddressTaken);
      }
      if (sequence <= this.entrySequence(index)) return this.count(AvailabilityCounter.RejectedReplay);
    } else {
      index = this.freeSlot();
      if (index == NO_ENDPOINT) {
        index = this.stalestEntry();
        if (ageMs(nowMs, this.entryLastHeard(index)) < this.evictionAgeMs) {
          return this.count(AvailabilityCounter.RejectedTableFull);
        }
        evicting = true;
      }
    }

    if (!announceSignatureValid(frame)) return this.count(rejectionCounter(AnnounceVerdict.Signature));

    // Verified: from here on the table changes.
    if (evicting) this.count(AvailabilityCounter.Evictions);
    const record = this.record(index);
    memory.copy(record + ADDRESS_OFFSET, address, <usize>ADDRESS_SIZE);
    memory.copy(record + PUBLIC_KEY_OFFSET, publicKey, <usize>PUBLIC_KEY_SIZE);
    store<u32>(record + SEQUENCE_OFFSET, sequence);
    store<u8>(record + HOPS_OFFSET, <u8>announceHopCount(frame));
    store<u8>(record + PRESENT_OFFSET, 1);
    store<i16>(record + LINK_QUALITY_OFFSET, <i16>clampLinkQuality(linkQuality));
    store<i64>(record + LAST_HEARD_OFFSET, nowMs);
    return this.count(AvailabilityCounter.AnnouncesAccepted);
  }

  /** Removes entries not heard for `maximumAgeMs` at `nowMs`; returns how many. */
  expire(nowMs: i64): i32 {
    let removed = 0;
    for (let i = 0; i < this.capacity; i++) {
      if (!this.isPresent(i) || ageMs(nowMs, this.entryLastHeard(i)) < this.maximumAgeMs) continue;
      memory.fill(this.record(i), 0, RECORD_SIZE);
      this.count(AvailabilityCounter.Expiries);
      removed++;
    }
    return removed;
  }

  private freeSlot(): i32 {
    for (let i = 0; i < this.capacity; i++) if (!this.isPresent(i)) return i;
    return NO_ENDPOINT;
  }

  /** The entry heard longest ago (the table is full when this is called). */
  private stalestEntry(): i32 {
    let stalest = 0;
    for (let i = 1; i < this.capacity; i++) {
      if (this.entryLastHeard(i) < this.entryLastHeard(stalest)) stalest = i;
    }
    return stalest;
  }

  private count(which: AvailabilityCounter): AvailabilityCounter {
    this.counters[which]++;
    return which;
  }
}

/** Time since `thenMs`; a clock that went backwards counts as no time, so nothing looks older than it is. */
@inline function ageMs(nowMs: i64, thenMs: i64): i64 {
  return nowMs > thenMs ? nowMs - thenMs : 0;
}

@inline function clampLinkQuality(value: i32): i32 {
  return max(-32768, min(32767, value));
}
