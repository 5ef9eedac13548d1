// Duplicate suppression for managed flooding: a fixed ring of the packets heard most recently, each
// named by (source key, packet id). A relay forwards a packet only the first time it hears it, and a
// destination delivers it once. The ring never grows: the oldest entry is overwritten, so its size
// bounds how long a packet is remembered — size it above the packets a node hears in a flood's
// lifetime (hop limit × relay window).

export class DuplicateRing {
  private readonly sources: StaticArray<u64>;
  private readonly packetIds: StaticArray<u32>;
  /** Slot the next packet overwrites. */
  private next: i32 = 0;
  private filled: i32 = 0;

  constructor(readonly capacity: i32) {
    this.sources = new StaticArray<u64>(capacity);
    this.packetIds = new StaticArray<u32>(capacity);
  }

  /** Linear scan: rings are small (tens to hundreds) and this runs once per received frame. */
  contains(sourceKey: u64, packetId: u32): bool {
    for (let i = 0; i < this.filled; i++) {
      if (unchecked(this.packetIds[i]) == packetId && unchecked(this.sources[i]) == sourceKey) return true;
    }
    return false;
  }

  remember(sourceKey: u64, packetId: u32): void {
    unchecked((this.sources[this.next] = sourceKey));
    unchecked((this.packetIds[this.next] = packetId));
    this.next = this.next + 1 == this.capacity ? 0 : this.next + 1;
    if (this.filled < this.capacity) this.filled++;
  }

  /** Entries held (≤ capacity). */
  size(): i32 {
    return this.filled;
  }
}
