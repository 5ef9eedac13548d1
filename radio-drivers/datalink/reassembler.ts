// Bounded reassembly of fragmented packets: a fixed number of slots, each holding one partial packet
// in a pool buffer. Duplicate fragments are ignored, fragments may come in any order, a partial
// packet that does not complete within the timeout is dropped and its buffer freed, and when every
// slot is busy the oldest partial packet gives way to the newest.
import { PacketBuffer } from "../../firmware/link/packet-buffer";
import { PacketPool } from "../../firmware/link/packet-pool";
import { DataLinkCounter } from "./counters";
import { fragmentCount, fragmentIndex, fragmentPayloadSize, FRAGMENT_HEADER_SIZE, MAX_FRAGMENTS } from "./frame-format";

class ReassemblySlot {
  buffer: PacketBuffer | null = null;
  packetId: u32 = 0;
  count: i32 = 0;
  /** Bit i set when fragment i has arrived. */
  receivedMask: u32 = 0;
  /** Packet length, known once the last fragment has arrived (−1 before). */
  length: i32 = -1;
  startedAt: i64 = 0;

  @inline isFree(): bool {
    return this.buffer === null;
  }
}

/** Completed packets remembered, so late duplicates of their fragments do not start them again. */
const RECENT_PACKETS: i32 = 8;

export class Reassembler {
  private readonly slots: StaticArray<ReassemblySlot>;
  /** Ring of recently completed packets: key (id | count << 16) and completion time. */
  private readonly recentKeys: StaticArray<u32> = new StaticArray<u32>(RECENT_PACKETS);
  private readonly recentTimes: StaticArray<i64> = new StaticArray<i64>(RECENT_PACKETS);
  private recentNext: i32 = 0;

  constructor(
    private readonly pool: PacketPool,
    private readonly maxFrameLength: i32,
    private readonly maxPacketLength: i32,
    slotCount: i32,
    /** How long a partial packet may wait for its missing fragments, in milliseconds. */
    public timeoutMs: i64,
    private readonly counters: StaticArray<u64>,
  ) {
    const slots = new StaticArray<ReassemblySlot>(slotCount);
    for (let i = 0; i < slotCount; i++) slots[i] = new ReassemblySlot();
    this.slots = slots;
  }

  /**
   * Takes one fragment (`frame` points at its header). Returns the completed packet, owned by the
   * caller, or null while the packet is incomplete or when the fragment was dropped (counted).
   */
  accept(frame: usize, frameLength: i32, now: i64): PacketBuffer | null {
    const header = load<u8>(frame);
    const index = fragmentIndex(header);
    const count = fragmentCount(header);
    const payloadLength = frameLength - FRAGMENT_HEADER_SIZE;
    const perFragment = fragmentPayloadSize(this.maxFrameLength);
    const isLast = index == count - 1;
    // A fragment that contradicts the format is garbage: a lone "fragment", an index past the count,
    // a short middle fragment, or a packet that would exceed the MTU.
    if (
      count < 2 ||
      count > MAX_FRAGMENTS ||
      index >= count ||
      payloadLength < 1 ||
      (!isLast && payloadLength != perFragment) ||
      index * perFragment + payloadLength > this.maxPacketLength
    ) {
      this.count(DataLinkCounter.DroppedGarbage);
      return null;
    }
    const packetId = <u32>load<u16>(frame + 1);
    if (this.completedRecently(packetId, count, now)) {
      this.count(DataLinkCounter.DuplicateFragments);
      return null;
    }
    const slot = this.slotFor(packetId, count, now);
    if (slot === null) return null;
    const bit: u32 = 1 << index;
    if ((slot.receivedMask & bit) != 0) {
      this.count(DataLinkCounter.DuplicateFragments);
      return null;
    }
    const buffer = slot.buffer!;
    memory.copy(buffer.pointer() + <usize>(index * perFragment), frame + FRAGMENT_HEADER_SIZE, <usize>payloadLength);
    slot.receivedMask |= bit;
    if (isLast) slot.length = index * perFragment + payloadLength;
    if (slot.receivedMask != (<u32>1 << count) - 1) return null;
    buffer.length = slot.length;
    slot.buffer = null;
    this.rememberCompleted(packetId, count, now);
    return buffer;
  }

  private rememberCompleted(packetId: u32, count: i32, now: i64): void {
    unchecked((this.recentKeys[this.recentNext] = packetId | (<u32>count << 16)));
    unchecked((this.recentTimes[this.recentNext] = now));
    this.recentNext = (this.recentNext + 1) % RECENT_PACKETS;
  }

  /** True for a fragment of a packet completed within the timeout (a late duplicate). */
  private completedRecently(packetId: u32, count: i32, now: i64): bool {
    const key = packetId | (<u32>count << 16);
    for (let i = 0; i < RECENT_PACKETS; i++) {
      if (unchecked(this.recentKeys[i]) == key && now - unchecked(this.recentTimes[i]) < this.timeoutMs) return true;
    }
    return false;
  }

  /** Drops partial packets older than the timeout; returns the next expiry time (or i64.MAX). */
  expire(now: i64): i64 {
    let next = i64.MAX_VALUE;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = unchecked(this.slots[i]);
      if (slot.isFree()) continue;
      const deadline = slot.startedAt + this.timeoutMs;
      if (now >= deadline) {
        this.free(slot);
        this.count(DataLinkCounter.DroppedReassemblyTimeout);
      } else if (deadline < next) {
        next = deadline;
      }
    }
    return next;
  }

  /** Partial packets currently held. */
  inProgress(): i32 {
    let n = 0;
    for (let i = 0; i < this.slots.length; i++) if (!unchecked(this.slots[i]).isFree()) n++;
    return n;
  }

  private slotFor(packetId: u32, count: i32, now: i64): ReassemblySlot | null {
    let free: ReassemblySlot | null = null;
    let oldest: ReassemblySlot | null = null;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = unchecked(this.slots[i]);
      if (slot.isFree()) {
        if (free === null) free = slot;
        continue;
      }
      if (slot.packetId == packetId && slot.count == count) return slot;
      if (oldest === null || slot.startedAt < oldest.startedAt) oldest = slot;
    }
    let slot = free;
    if (slot === null) {
      slot = oldest!;
      this.free(slot);
      this.count(DataLinkCounter.DroppedReassemblyEvicted);
    }
    const buffer = this.pool.take();
    if (buffer === null) {
      this.count(DataLinkCounter.DroppedNoBuffer);
      return null;
    }
    slot.buffer = buffer;
    slot.packetId = packetId;
    slot.count = count;
    slot.receivedMask = 0;
    slot.length = -1;
    slot.startedAt = now;
    return slot;
  }

  private free(slot: ReassemblySlot): void {
    const buffer = slot.buffer;
    if (buffer !== null) this.pool.release(buffer);
    slot.buffer = null;
  }

  @inline private count(which: DataLinkCounter): void {
    unchecked((this.counters[which] = this.counters[which] + 1));
  }
}
