// Serial frames (docs/serial-protocol.md, "Frames"): FE FF · length · length ^ FFFF · payload ·
// CRC-32C. An encoder that writes into the caller's buffer, and an incremental decoder with one fixed
// buffer that resynchronises on the byte after a bad candidate's magic.
import { crc32c } from "../crypto/crc32c";

/** Neither byte can occur in UTF-8 (RFC 3629 §1), so boot-log text never holds a frame start. */
export const MAGIC_FIRST: u8 = 0xfe;
export const MAGIC_SECOND: u8 = 0xff;
export const MAGIC_SIZE: i32 = 2;
const LENGTH_OFFSET: i32 = 2;
const LENGTH_CHECK_OFFSET: i32 = 4;
/** Magic, length, length check. */
export const FRAME_HEADER_SIZE: i32 = 6;
export const FRAME_CRC_SIZE: i32 = 4;
/** Room for a 1280-byte Data Link packet plus the largest message header (45 bytes), with spare. */
export const MAX_FRAME_PAYLOAD: i32 = 1400;
export const MAX_FRAME_SIZE: i32 = FRAME_HEADER_SIZE + MAX_FRAME_PAYLOAD + FRAME_CRC_SIZE;

/**
 * Completes a frame whose payload the caller has already written at `frame + FRAME_HEADER_SIZE`:
 * writes the header before it and the CRC after it. Returns the frame's length, or 0 if the payload
 * is longer than MAX_FRAME_PAYLOAD. Building in place saves a copy of every outgoing message.
 */
export function sealFrame(frame: usize, payloadLength: i32): i32 {
  if (payloadLength < 0 || payloadLength > MAX_FRAME_PAYLOAD) return 0;
  store<u8>(frame, MAGIC_FIRST);
  store<u8>(frame + 1, MAGIC_SECOND);
  store<u16>(frame + <usize>LENGTH_OFFSET, <u16>payloadLength);
  store<u16>(frame + <usize>LENGTH_CHECK_OFFSET, <u16>payloadLength ^ 0xffff);
  // The CRC covers the length fields too: a length and check corrupted into another consistent
  // pair still fails.
  const covered = <usize>(FRAME_HEADER_SIZE - LENGTH_OFFSET + payloadLength);
  const crc = crc32c(frame + <usize>LENGTH_OFFSET, covered);
  store<u32>(frame + <usize>(FRAME_HEADER_SIZE + payloadLength), crc);
  return FRAME_HEADER_SIZE + payloadLength + FRAME_CRC_SIZE;
}

/**
 * Writes the frame of `length` payload bytes at `payload` into `out` (`capacity` bytes). Returns the
 * frame's length, or 0 if it does not fit or the payload is too long. `payload` may lie inside `out`.
 */
export function encodeFrame(out: usize, capacity: i32, payload: usize, length: i32): i32 {
  if (length < 0 || length > MAX_FRAME_PAYLOAD || capacity < FRAME_HEADER_SIZE + length + FRAME_CRC_SIZE) return 0;
  memory.copy(out + <usize>FRAME_HEADER_SIZE, payload, <usize>length);
  return sealFrame(out, length);
}

export const enum FrameDecoderCounter {
  /** Frames that passed every check. */
  FramesReceived = 0,
  /** Header valid, CRC did not match. */
  BadCrc = 1,
  /** Self-consistent length above MAX_FRAME_PAYLOAD. */
  Oversize = 2,
  /** A magic followed by a length that does not match its check. */
  BadHeader = 3,
  /** Bytes outside every valid frame (a board expects nothing but frames). */
  GarbageBytes = 4,
  Count = 5,
}

/**
 * Splits a byte stream into frames. Usage, for each chunk that arrives:
 *
 *     let taken = 0;
 *     for (;;) {
 *       taken += decoder.feed(chunk + taken, length - taken);
 *       if (!decoder.frameReady()) break;      // the whole chunk was taken
 *       handle(decoder.payload(), decoder.payloadLength());
 *       decoder.releaseFrame();
 *     }
 *
 * The buffer holds the current candidate — bytes from a first magic byte on — and never more than
 * one largest frame. When a candidate fails, its bytes after the magic are examined again from the
 * start, so a real frame that began inside a corrupt one is not lost.
 */
export class FrameDecoder {
  private readonly buffer: usize = heap.alloc(<usize>MAX_FRAME_SIZE);
  /** Bytes of the candidate in `buffer`; when non-zero, buffer[0] is MAGIC_FIRST. */
  private count: i32 = 0;
  /** A whole valid frame sits at the start of `buffer` until releaseFrame(). */
  private ready: bool = false;
  private readyPayloadLength: i32 = 0;
  private readonly counters: StaticArray<u64> = new StaticArray<u64>(FrameDecoderCounter.Count);

  counter(which: FrameDecoderCounter): u64 {
    return unchecked(this.counters[which]);
  }

  @inline frameReady(): bool {
    return this.ready;
  }

  /** Address of the ready frame's payload; valid until releaseFrame(). */
  @inline payload(): usize {
    return this.buffer + <usize>FRAME_HEADER_SIZE;
  }

  @inline payloadLength(): i32 {
    return this.readyPayloadLength;
  }

  /**
   * Takes bytes from `input` until a frame is ready or the input is used up; returns how many it
   * took. Takes nothing while a frame is ready.
   */
  feed(input: usize, length: i32): i32 {
    if (this.ready) return 0;
    let taken: i32 = 0;
    while (taken < length) {
      if (this.count == 0) {
        // Outside a frame: everything up to the next magic byte is garbage.
        let at = taken;
        while (at < length && load<u8>(input + <usize>at) != MAGIC_FIRST) at++;
        this.add(FrameDecoderCounter.GarbageBytes, at - taken);
        taken = at;
        if (taken == length) break;
        store<u8>(this.buffer, MAGIC_FIRST);
        this.count = 1;
        taken++;
        continue;
      }
      // Copy only what the next check needs, so the buffer never holds more than one frame.
      const wanted = max(this.bytesForNextCheck() - this.count, 1);
      const copied = min(wanted, length - taken);
      memory.copy(this.buffer + <usize>this.count, input + <usize>taken, <usize>copied);
      this.count += copied;
      taken += copied;
      this.examine();
      if (this.ready) break;
    }
    return taken;
  }

  /** Drops the ready frame and goes on with any bytes buffered after it. */
  releaseFrame(): void {
    if (!this.ready) return;
    this.ready = false;
    this.discardFront(FRAME_HEADER_SIZE + this.readyPayloadLength + FRAME_CRC_SIZE, false);
    this.examine();
  }

  /** Forgets a partial frame (after a reset of the line). */
  reset(): void {
    this.ready = false;
    this.count = 0;
  }

  /** How many candidate bytes the next check looks at. */
  private bytesForNextCheck(): i32 {
    if (this.count < MAGIC_SIZE) return MAGIC_SIZE;
    if (this.count < FRAME_HEADER_SIZE) return FRAME_HEADER_SIZE;
    // examine() has checked the header, so the length is in range.
    return FRAME_HEADER_SIZE + <i32>load<u16>(this.buffer + <usize>LENGTH_OFFSET) + FRAME_CRC_SIZE;
  }

  /** Runs the checks the buffered bytes allow, cheapest first; stops at a ready frame or for more bytes. */
  private examine(): void {
    while (this.count > 0) {
      if (this.count < MAGIC_SIZE) return;
      if (load<u8>(this.buffer + 1) != MAGIC_SECOND) {
        this.abandon(1);
        continue;
      }
      if (this.count < FRAME_HEADER_SIZE) return;
      const length = <i32>load<u16>(this.buffer + <usize>LENGTH_OFFSET);
      const check = <i32>load<u16>(this.buffer + <usize>LENGTH_CHECK_OFFSET);
      if ((length ^ check) != 0xffff) {
        this.add(FrameDecoderCounter.BadHeader, 1);
        this.abandon(MAGIC_SIZE);
        continue;
      }
      if (length > MAX_FRAME_PAYLOAD) {
        this.add(FrameDecoderCounter.Oversize, 1);
        this.abandon(MAGIC_SIZE);
        continue;
      }
      const total = FRAME_HEADER_SIZE + length + FRAME_CRC_SIZE;
      if (this.count < total) return;
      const covered = <usize>(FRAME_HEADER_SIZE - LENGTH_OFFSET + length);
      const crc = crc32c(this.buffer + <usize>LENGTH_OFFSET, covered);
      if (crc != load<u32>(this.buffer + <usize>(FRAME_HEADER_SIZE + length))) {
        this.add(FrameDecoderCounter.BadCrc, 1);
        this.abandon(MAGIC_SIZE);
        continue;
      }
      this.add(FrameDecoderCounter.FramesReceived, 1);
      this.ready = true;
      this.readyPayloadLength = length;
      return;
    }
  }

  /** Gives up the candidate: its first `magicBytes` are garbage, the rest is read again. */
  private abandon(magicBytes: i32): void {
    this.discardFront(magicBytes, true);
  }

  /**
   * Removes `count` bytes from the front, then garbage up to the next magic byte, so the buffer
   * again starts with a candidate (or is empty).
   */
  private discardFront(count: i32, countAsGarbage: bool): void {
    if (countAsGarbage) this.add(FrameDecoderCounter.GarbageBytes, count);
    let next = count;
    while (next < this.count && load<u8>(this.buffer + <usize>next) != MAGIC_FIRST) next++;
    this.add(FrameDecoderCounter.GarbageBytes, next - count);
    const remaining = this.count - next;
    if (remaining > 0) memory.copy(this.buffer, this.buffer + <usize>next, <usize>remaining);
    this.count = remaining;
  }

  @inline private add(which: FrameDecoderCounter, amount: i32): void {
    unchecked((this.counters[which] = this.counters[which] + <u64>amount));
  }
}
