// Splits the QEMU board's UART output into its two users: BusRequest frames for the tunnel server
// (host/native/tunnel-protocol.ts), and everything else — boot text, console frames, junk — passed
// to the console side byte for byte, in order. Frames are found as docs/serial-protocol.md describes
// (FE FF, length and its complement, payload, CRC-32C), with the same resynchronisation: a candidate
// that fails a check gives up its first byte and the rest is read again.
import {
  crc32c,
  FRAME_CRC_SIZE,
  FRAME_HEADER_SIZE,
  MAGIC_FIRST,
  MAGIC_SECOND,
  MAX_FRAME_PAYLOAD,
  MAX_FRAME_SIZE,
} from "../serial/frame-codec.js";
import { isBusRequest } from "./tunnel-protocol.js";

const MAGIC_SIZE = 2;
const LENGTH_OFFSET = 2;
const LENGTH_CHECK_OFFSET = 4;

export interface UartDemultiplexerSinks {
  /** Bytes for the console side, in the order the board wrote them. */
  console(bytes: Uint8Array): void;
  /** A complete BusRequest frame's payload (type byte included). */
  busRequest(payload: Uint8Array): void;
}

/**
 * Feed it what QEMU's UART wrote. A possible frame is held back until it is known to be a
 * BusRequest (consumed) or not (released unchanged), so the console side never sees part of a
 * tunnel frame and never loses a byte of anything else. Holds at most one frame.
 */
export class UartDemultiplexer {
  private readonly candidate = new Uint8Array(MAX_FRAME_SIZE);
  private candidateLength = 0;
  private consoleRun: Uint8Array[] = [];

  constructor(private readonly sinks: UartDemultiplexerSinks) {}

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.candidateLength === 0) {
        const magic = chunk.indexOf(MAGIC_FIRST, at);
        const end = magic < 0 ? chunk.length : magic;
        if (end > at) this.consoleRun.push(chunk.slice(at, end));
        if (magic < 0) break;
        this.candidate[0] = MAGIC_FIRST;
        this.candidateLength = 1;
        at = magic + 1;
        continue;
      }
      const wanted = Math.max(this.bytesForNextCheck() - this.candidateLength, 1);
      const copied = Math.min(wanted, chunk.length - at);
      this.candidate.set(chunk.subarray(at, at + copied), this.candidateLength);
      this.candidateLength += copied;
      at += copied;
      this.examine();
    }
    this.flushConsole();
  }

  /** Bytes held back: a partial frame that may yet turn out to be a BusRequest. */
  pendingBytes(): number {
    return this.candidateLength;
  }

  /**
   * The board has gone quiet with a partial frame held. If a whole frame sits inside it, the partial
   * one was cut short (the board reset in the middle of writing it and wrote on), and the board may
   * now wait for an answer to a BusRequest held inside: give the cut frame up — its first byte to
   * the console, the rest read again — until no such frame is held. A partial frame with no whole
   * frame inside is only waiting for its writer (QEMU descheduled on a busy host) and keeps waiting:
   * giving up a BusRequest being written would leave the board without its answer.
   */
  onStall(): void {
    while (this.candidateLength > 0 && this.holdsWholeFrameInside()) {
      this.abandon();
      this.examine();
    }
    this.flushConsole();
  }

  /** True when a complete frame, CRC and all, starts after the candidate's first byte. */
  private holdsWholeFrameInside(): boolean {
    const held = this.candidate.subarray(0, this.candidateLength);
    for (let at = held.indexOf(MAGIC_FIRST, 1); at > 0; at = held.indexOf(MAGIC_FIRST, at + 1)) {
      if (at + FRAME_HEADER_SIZE > held.length || held[at + 1] !== MAGIC_SECOND) continue;
      const length = held[at + LENGTH_OFFSET] | (held[at + LENGTH_OFFSET + 1] << 8);
      const check = held[at + LENGTH_CHECK_OFFSET] | (held[at + LENGTH_CHECK_OFFSET + 1] << 8);
      if ((length ^ check) !== 0xffff || length > MAX_FRAME_PAYLOAD) continue;
      const end = at + FRAME_HEADER_SIZE + length + FRAME_CRC_SIZE;
      if (end > held.length) continue;
      const crc = crc32c(held.subarray(at + LENGTH_OFFSET, end - FRAME_CRC_SIZE));
      if (crc === new DataView(held.buffer, held.byteOffset).getUint32(end - FRAME_CRC_SIZE, true)) return true;
    }
    return false;
  }

  /** Forgets a partial frame (QEMU restarted: what it had written belongs to a dead process). */
  reset(): void {
    this.candidateLength = 0;
    this.consoleRun = [];
  }

  private bytesForNextCheck(): number {
    if (this.candidateLength < MAGIC_SIZE) return MAGIC_SIZE;
    if (this.candidateLength < FRAME_HEADER_SIZE) return FRAME_HEADER_SIZE;
    return FRAME_HEADER_SIZE + this.payloadLength() + FRAME_CRC_SIZE;
  }

  private payloadLength(): number {
    return this.candidate[LENGTH_OFFSET] | (this.candidate[LENGTH_OFFSET + 1] << 8);
  }

  /** Runs every check the buffered bytes allow, cheapest first (docs/serial-protocol.md). */
  private examine(): void {
    while (this.candidateLength > 0) {
      if (this.candidateLength < MAGIC_SIZE) return;
      if (this.candidate[1] !== MAGIC_SECOND) {
        this.abandon();
        continue;
      }
      if (this.candidateLength < FRAME_HEADER_SIZE) return;
      const length = this.payloadLength();
      const check = this.candidate[LENGTH_CHECK_OFFSET] | (this.candidate[LENGTH_CHECK_OFFSET + 1] << 8);
      if ((length ^ check) !== 0xffff || length > MAX_FRAME_PAYLOAD) {
        this.abandon();
        continue;
      }
      const total = FRAME_HEADER_SIZE + length + FRAME_CRC_SIZE;
      if (this.candidateLength < total) return;
      const crc = crc32c(this.candidate.subarray(LENGTH_OFFSET, FRAME_HEADER_SIZE + length));
      const view = new DataView(this.candidate.buffer);
      if (crc !== view.getUint32(FRAME_HEADER_SIZE + length, true)) {
        this.abandon();
        continue;
      }
      const payload = this.candidate.subarray(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + length);
      if (isBusRequest(payload)) {
        // Console bytes before the request are released first: the sinks see the stream's order.
        this.flushConsole();
        this.sinks.busRequest(payload.slice());
      } else {
        this.consoleRun.push(this.candidate.slice(0, total));
      }
      this.reread(total);
    }
  }

  /** The candidate is not a frame: its magic byte is console text, the rest is read again. */
  private abandon(): void {
    this.consoleRun.push(this.candidate.slice(0, 1));
    this.reread(1);
  }

  /** Reads the candidate's bytes from `from` on again: console bytes up to the next magic, which starts the next candidate. */
  private reread(from: number): void {
    const end = this.candidateLength;
    let magic = this.candidate.indexOf(MAGIC_FIRST, from);
    if (magic < 0 || magic >= end) magic = end;
    if (magic > from) this.consoleRun.push(this.candidate.slice(from, magic));
    this.candidate.copyWithin(0, magic, end);
    this.candidateLength = end - magic;
  }

  private flushConsole(): void {
    if (this.consoleRun.length === 0) return;
    const run = this.consoleRun.length === 1 ? this.consoleRun[0] : concat(this.consoleRun);
    this.consoleRun = [];
    this.sinks.console(run);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
