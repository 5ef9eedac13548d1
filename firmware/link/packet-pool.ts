// A fixed pool of packet buffers, allocated once at start-up. take() and release() are O(1) and never
// allocate, so the memory a node needs is known before the first packet arrives.
import { PacketBuffer, PEER_KEY_SIZE } from "./packet-buffer";

export class PacketPool {
  private readonly buffers: StaticArray<PacketBuffer>;
  /** Stack of free buffer indices; `freeCount` entries are valid. */
  private readonly freeList: StaticArray<i32>;
  private freeCount: i32;
  /** Times take() found the pool empty. */
  exhausted: u32 = 0;

  /** `count` buffers of `capacity` payload bytes each (headroom included). */
  constructor(readonly count: i32, readonly capacity: i32) {
    const stride = <usize>((capacity + PEER_KEY_SIZE + 15) & ~15);
    const region = heap.alloc(stride * <usize>count);
    memory.fill(region, 0, stride * <usize>count);
    const buffers = new StaticArray<PacketBuffer>(count);
    const freeList = new StaticArray<i32>(count);
    for (let i = 0; i < count; i++) {
      buffers[i] = new PacketBuffer(region + stride * <usize>i, capacity, i);
      freeList[i] = count - 1 - i;
    }
    this.buffers = buffers;
    this.freeList = freeList;
    this.freeCount = count;
  }

  /** A reset buffer, or null when all are in use. */
  take(): PacketBuffer | null {
    if (this.freeCount == 0) {
      this.exhausted++;
      return null;
    }
    const buffer = unchecked(this.buffers[unchecked(this.freeList[--this.freeCount])]);
    buffer.reset();
    buffer.taken = true;
    return buffer;
  }

  /** Returns a buffer to the pool. Releasing a buffer twice, or another pool's, is ignored. */
  release(buffer: PacketBuffer): void {
    const index = buffer.index;
    if (index < 0 || index >= this.count || unchecked(this.buffers[index]) !== buffer || !buffer.taken) return;
    buffer.taken = false;
    unchecked((this.freeList[this.freeCount++] = index));
  }

  available(): i32 {
    return this.freeCount;
  }
}
