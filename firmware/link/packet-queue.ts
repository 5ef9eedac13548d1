// A bounded FIFO of packet buffers: the transmit and receive queues of every Link.
import { PacketBuffer } from "./packet-buffer";

export class PacketQueue {
  private readonly slots: StaticArray<PacketBuffer | null>;
  private head: i32 = 0;
  private count: i32 = 0;

  constructor(readonly capacity: i32) {
    this.slots = new StaticArray<PacketBuffer | null>(capacity);
  }

  @inline isFull(): bool {
    return this.count == this.capacity;
  }

  @inline isEmpty(): bool {
    return this.count == 0;
  }

  @inline size(): i32 {
    return this.count;
  }

  /** Appends at the tail; false when full (the caller keeps the buffer). */
  pushBack(buffer: PacketBuffer): bool {
    if (this.count == this.capacity) return false;
    unchecked((this.slots[(this.head + this.count) % this.capacity] = buffer));
    this.count++;
    return true;
  }

  /** Inserts `buffer` one place before the tail (used to reorder); false when full. */
  pushBeforeLast(buffer: PacketBuffer): bool {
    if (this.count == 0) return this.pushBack(buffer);
    if (this.count == this.capacity) return false;
    const lastSlot = (this.head + this.count - 1) % this.capacity;
    const last = unchecked(this.slots[lastSlot]);
    unchecked((this.slots[lastSlot] = buffer));
    unchecked((this.slots[(this.head + this.count) % this.capacity] = last));
    this.count++;
    return true;
  }

  popFront(): PacketBuffer | null {
    if (this.count == 0) return null;
    const buffer = unchecked(this.slots[this.head]);
    unchecked((this.slots[this.head] = null));
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return buffer;
  }
}
