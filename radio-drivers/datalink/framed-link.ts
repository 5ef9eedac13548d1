// The part of every Data Link that does not depend on the radio: the 1280-byte-MTU Link contract over
// frames of a radio's size — transmit and receive queues, fragmentation of large packets into frames,
// bounded reassembly, and statistics. Subclasses decide when a frame may go on air (LoRa: after
// listen-before-talk and within the duty cycle; ESP-NOW and UDP: at once).
import { DATALINK_MTU } from "../../firmware/link/datalink";
import { Link } from "../../firmware/link/link";
import { PacketBuffer } from "../../firmware/link/packet-buffer";
import { PacketPool } from "../../firmware/link/packet-pool";
import { PacketQueue } from "../../firmware/link/packet-queue";
import { Status } from "../../firmware/link/status";
import { DataLinkCounter } from "./counters";
import {
  FRAGMENT_HEADER_SIZE,
  fragmentHeader,
  fragmentPayloadSize,
  framesFor,
  isFragment,
  isWholePacket,
  MAX_FRAGMENTS,
  WHOLE_HEADER_SIZE,
  WHOLE_PACKET_HEADER,
} from "./frame-format";
import { Reassembler } from "./reassembler";
import { Xorshift32 } from "../../firmware/support/xorshift";

/** Sizes fixed when a Data Link is built. */
export class FramedLinkOptions {
  transmitQueueLength: i32 = 8;
  receiveQueueLength: i32 = 8;
  reassemblySlots: i32 = 4;
  reassemblyTimeoutMs: i64 = 30_000;
}

export abstract class FramedLink extends Link {
  protected readonly counters: StaticArray<u64>;
  protected readonly transmitQueue: PacketQueue;
  protected readonly receiveQueue: PacketQueue;
  protected readonly reassembler: Reassembler;
  /** One frame being built for, or read from, the radio. */
  protected readonly frame: usize;

  // The packet being sent, one frame at a time.
  private current: PacketBuffer | null = null;
  private currentFrames: i32 = 0;
  private currentIndex: i32 = 0;
  private currentPacketId: u16 = 0;
  /** Packet ids (and subclasses' back-off) are reproducible from the node's seed. */
  private readonly random: Xorshift32;

  constructor(
    protected readonly pool: PacketPool,
    readonly maxFrameLength: i32,
    seed: u32,
    options: FramedLinkOptions,
  ) {
    super();
    // Eight fragments must hold an MTU: frames of at least ceil(1280 / 8) + 3 bytes.
    assert(fragmentPayloadSize(maxFrameLength) * MAX_FRAGMENTS >= DATALINK_MTU, "radio frames too small for the MTU");
    this.transmitQueue = new PacketQueue(options.transmitQueueLength);
    this.receiveQueue = new PacketQueue(options.receiveQueueLength);
    this.frame = heap.alloc(<usize>maxFrameLength);
    this.random = new Xorshift32(seed);
    const counters = new StaticArray<u64>(DataLinkCounter.Count);
    this.counters = counters;
    this.reassembler = new Reassembler(
      pool,
      maxFrameLength,
      DATALINK_MTU,
      options.reassemblySlots,
      options.reassemblyTimeoutMs,
      counters,
    );
  }

  mtu(): i32 {
    return DATALINK_MTU;
  }

  counter(which: DataLinkCounter): u64 {
    return this.counters[which];
  }

  push(packet: PacketBuffer): Status {
    if (packet.length > DATALINK_MTU) return Status.TooBig;
    if (!this.transmitQueue.pushBack(packet)) return Status.Full;
    return Status.Ok;
  }

  pop(): PacketBuffer | null {
    return this.receiveQueue.popFront();
  }

  /** Packets waiting to be sent, including the one on air. */
  transmitBacklog(): i32 {
    return this.transmitQueue.size() + (this.current !== null ? 1 : 0);
  }

  // ---- transmit side, for subclasses ----

  /** True when a frame is ready to go (a packet is in progress or waiting). */
  protected hasFrameToSend(): bool {
    if (this.current === null) this.startNextPacket();
    return this.current !== null;
  }

  /** Length of the frame buildFrame() would build next. Call only when hasFrameToSend(). */
  protected nextFrameLength(): i32 {
    const packet = this.current!;
    if (this.currentFrames == 1) return packet.length + WHOLE_HEADER_SIZE;
    const perFragment = fragmentPayloadSize(this.maxFrameLength);
    return min(perFragment, packet.length - this.currentIndex * perFragment) + FRAGMENT_HEADER_SIZE;
  }

  /** Builds the next frame into `this.frame`; returns its length. Call only when hasFrameToSend(). */
  protected buildFrame(): i32 {
    const packet = this.current!;
    if (this.currentFrames == 1) {
      store<u8>(this.frame, WHOLE_PACKET_HEADER);
      memory.copy(this.frame + WHOLE_HEADER_SIZE, packet.pointer(), <usize>packet.length);
      return packet.length + WHOLE_HEADER_SIZE;
    }
    const perFragment = fragmentPayloadSize(this.maxFrameLength);
    const offset = this.currentIndex * perFragment;
    const length = min(perFragment, packet.length - offset);
    store<u8>(this.frame, fragmentHeader(this.currentIndex, this.currentFrames));
    store<u16>(this.frame + 1, this.currentPacketId);
    memory.copy(this.frame + FRAGMENT_HEADER_SIZE, packet.pointer() + <usize>offset, <usize>length);
    return length + FRAGMENT_HEADER_SIZE;
  }

  /** Records that the frame from buildFrame() left the radio. */
  protected frameSent(frameLength: i32, airtimeMicroseconds: i64): void {
    this.add(DataLinkCounter.FramesSent, 1);
    this.add(DataLinkCounter.BytesSent, <u64>frameLength);
    this.add(DataLinkCounter.AirtimeMicroseconds, <u64>airtimeMicroseconds);
    this.currentIndex++;
    if (this.currentIndex == this.currentFrames) {
      this.add(DataLinkCounter.PacketsSent, 1);
      this.pool.release(this.current!);
      this.current = null;
    }
  }

  private startNextPacket(): void {
    const packet = this.transmitQueue.popFront();
    if (packet === null) return;
    this.current = packet;
    this.currentFrames = framesFor(packet.length, this.maxFrameLength);
    this.currentIndex = 0;
    // A random id keeps fragments of different senders' packets apart (the Data Link has no addresses).
    this.currentPacketId = <u16>this.nextRandom();
  }

  // ---- receive side, for subclasses ----

  // Radio quality of the frame being handled by frameReceived (set by radios that measure it).
  private frameHasQuality: bool = false;
  private frameRssiDbm: f32 = 0;
  private frameSnrDb: f32 = 0;

  /** Records the RSSI/SNR of the frame about to be handed to frameReceived(). */
  protected frameQuality(rssiDbm: f32, snrDb: f32): void {
    this.frameHasQuality = true;
    this.frameRssiDbm = rssiDbm;
    this.frameSnrDb = snrDb;
  }

  /** Handles one frame the radio received (`length` bytes at `this.frame` or `frame`). */
  protected frameReceived(frame: usize, length: i32, now: i64): void {
    this.handleFrame(frame, length, now);
    this.frameHasQuality = false;
  }

  private handleFrame(frame: usize, length: i32, now: i64): void {
    this.add(DataLinkCounter.FramesReceived, 1);
    this.add(DataLinkCounter.BytesReceived, <u64>length);
    if (length < 1) return this.add(DataLinkCounter.DroppedGarbage, 1);
    const header = load<u8>(frame);
    if (isWholePacket(header)) {
      const buffer = this.pool.take();
      if (buffer === null) return this.add(DataLinkCounter.DroppedNoBuffer, 1);
      memory.copy(buffer.append(length - WHOLE_HEADER_SIZE), frame + WHOLE_HEADER_SIZE, <usize>(length - WHOLE_HEADER_SIZE));
      this.deliver(buffer);
    } else if (isFragment(header) && length > FRAGMENT_HEADER_SIZE) {
      const packet = this.reassembler.accept(frame, length, now);
      if (packet !== null) this.deliver(packet);
    } else {
      this.add(DataLinkCounter.DroppedGarbage, 1);
    }
  }

  private deliver(packet: PacketBuffer): void {
    // A reassembled packet carries the quality of the frame that completed it.
    packet.hasRadioQuality = this.frameHasQuality;
    packet.rssiDbm = this.frameRssiDbm;
    packet.snrDb = this.frameSnrDb;
    if (this.receiveQueue.pushBack(packet)) {
      this.add(DataLinkCounter.PacketsReceived, 1);
    } else {
      this.pool.release(packet);
      this.add(DataLinkCounter.DroppedReceiveQueueFull, 1);
    }
  }

  @inline protected add(which: DataLinkCounter, amount: u64): void {
    unchecked((this.counters[which] = this.counters[which] + amount));
  }

  protected nextRandom(): u32 {
    return this.random.next();
  }
}
