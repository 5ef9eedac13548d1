// A loopback Data Link for tests and demos: two ends joined by in-memory queues, with seeded,
// reproducible fault injection (drops, duplicates, bit flips, truncation, reordering) so the layers
// above can be shown to survive a hostile channel.
import { Link, NO_DEADLINE } from "./link";
import { PacketBuffer } from "./packet-buffer";
import { PacketPool } from "./packet-pool";
import { PacketQueue } from "./packet-queue";
import { Status } from "./status";
import { Xorshift32 } from "../support/xorshift";

/** Probabilities of each fault, in parts per 65,536 per frame. */
export class FaultSettings {
  drop: u32 = 0;
  duplicate: u32 = 0;
  bitFlip: u32 = 0;
  truncate: u32 = 0;
  reorder: u32 = 0;
}

export const enum LoopbackCounter {
  FramesSent = 0,
  FramesDelivered = 1,
  Dropped = 2,
  Duplicated = 3,
  BitsFlipped = 4,
  Truncated = 5,
  Reordered = 6,
  ReceiveOverflow = 7,
  Count = 8,
}

export class LoopbackLink extends Link {
  peer: LoopbackLink | null = null;
  readonly faults: FaultSettings = new FaultSettings();
  private readonly receiveQueue: PacketQueue;
  private readonly counters: StaticArray<u32> = new StaticArray<u32>(LoopbackCounter.Count);
  /** Faults are reproducible from the seed. */
  private readonly random: Xorshift32;

  constructor(
    private readonly pool: PacketPool,
    private readonly maximumTransmissionUnit: i32,
    receiveQueueLength: i32,
    seed: u32,
  ) {
    super();
    this.receiveQueue = new PacketQueue(receiveQueueLength);
    this.random = new Xorshift32(seed);
  }

  /** Joins two ends into one wire. */
  static connect(a: LoopbackLink, b: LoopbackLink): void {
    a.peer = b;
    b.peer = a;
  }

  mtu(): i32 {
    return this.maximumTransmissionUnit;
  }

  counter(which: LoopbackCounter): u32 {
    return this.counters[which];
  }

  push(packet: PacketBuffer): Status {
    if (packet.length > this.maximumTransmissionUnit) return Status.TooBig;
    this.count(LoopbackCounter.FramesSent);
    const peer = this.peer;
    if (peer === null || this.chance(this.faults.drop)) {
      this.count(LoopbackCounter.Dropped);
      this.pool.release(packet);
      return Status.Ok;
    }
    // A duplicate is an independent copy, so later faults can hit the two copies differently.
    if (this.chance(this.faults.duplicate)) {
      const copy = this.pool.take();
      if (copy !== null && copy.copyFrom(packet)) {
        this.count(LoopbackCounter.Duplicated);
        this.deliver(peer, copy);
      } else if (copy !== null) {
        this.pool.release(copy);
      }
    }
    this.deliver(peer, packet);
    return Status.Ok;
  }

  pop(): PacketBuffer | null {
    return this.receiveQueue.popFront();
  }

  poll(now: i64): i64 {
    return NO_DEADLINE;
  }

  /** Applies per-frame faults and queues the frame at `peer`; a full queue drops it, like a radio. */
  private deliver(peer: LoopbackLink, frame: PacketBuffer): void {
    // What arrives is only the bytes: metadata set by the sender's layers does not cross the wire.
    frame.integrityLevel = 0;
    frame.contact = -1;
    frame.hasPeerKey = false;
    frame.hasRadioQuality = false;
    if (frame.length > 0 && this.chance(this.faults.bitFlip)) {
      const bit = this.nextRandom() % (<u32>frame.length * 8);
      const at = frame.pointer() + <usize>(bit >> 3);
      store<u8>(at, load<u8>(at) ^ (<u8>1 << <u8>(bit & 7)));
      this.count(LoopbackCounter.BitsFlipped);
    }
    if (frame.length > 0 && this.chance(this.faults.truncate)) {
      frame.stripBack(1 + <i32>(this.nextRandom() % <u32>frame.length));
      this.count(LoopbackCounter.Truncated);
    }
    let queued: bool;
    if (this.chance(this.faults.reorder) && !peer.receiveQueue.isEmpty()) {
      queued = peer.receiveQueue.pushBeforeLast(frame);
      if (queued) this.count(LoopbackCounter.Reordered);
    } else {
      queued = peer.receiveQueue.pushBack(frame);
    }
    if (queued) {
      this.count(LoopbackCounter.FramesDelivered);
    } else {
      this.count(LoopbackCounter.ReceiveOverflow);
      this.pool.release(frame);
    }
  }

  @inline private count(which: LoopbackCounter): void {
    unchecked((this.counters[which] = this.counters[which] + 1));
  }

  private chance(partsPer65536: u32): bool {
    if (partsPer65536 == 0) return false;
    return (this.nextRandom() & 0xffff) < partsPer65536;
  }

  @inline private nextRandom(): u32 {
    return this.random.next();
  }
}
