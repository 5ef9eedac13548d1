// The host-to-board direction of the QEMU board's UART carries two writers: the console side (the
// pseudo-terminal `mesh monitor` and `mesh hil` open) and the tunnel server's BusReply and
// BusInterrupt frames. A tunnel frame dropped into the middle of a console frame would corrupt it
// (and hide the reply from the board until the console frame's length had passed), so console
// bytes that may be a frame are held until the frame is whole; tunnel frames go between. Text and
// anything that fails a frame header check go through at once; the CRC is the board's to check.
// A frame the writer never finishes is not released early: the board's reader (firmware/native
// boards/qemu-rv32/tunnel.c) would pass every byte up to the announced length to the console,
// tunnel replies included, so the aligner waits for as many bytes as the board would.
import {
  FRAME_CRC_SIZE,
  FRAME_HEADER_SIZE,
  MAGIC_FIRST,
  MAGIC_SECOND,
  MAX_FRAME_PAYLOAD,
} from "../serial/frame-codec.js";

export class ConsoleInputAligner {
  private held: number[] = [];

  /** `write` receives console bytes in order, each call ending on a frame boundary. */
  constructor(private readonly write: (bytes: Uint8Array) => void) {}

  push(chunk: Uint8Array): void {
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.held.length === 0 && byte !== MAGIC_FIRST) {
        out.push(byte);
        continue;
      }
      this.held.push(byte);
      this.release(out);
    }
    if (out.length > 0) this.write(Uint8Array.from(out));
  }

  /** Bytes held back: part of a console frame. */
  pendingBytes(): number {
    return this.held.length;
  }

  /** Moves whatever the held bytes have turned out to be to `out`. */
  private release(out: number[]): void {
    const held = this.held;
    if (held.length === 2 && held[1] !== MAGIC_SECOND) {
      // Not a frame start: both bytes are console bytes, unless the second starts a frame itself.
      out.push(held[0]);
      this.held = [];
      if (held[1] === MAGIC_FIRST) this.held.push(held[1]);
      else out.push(held[1]);
      return;
    }
    if (held.length === FRAME_HEADER_SIZE) {
      const length = held[2] | (held[3] << 8);
      const check = held[4] | (held[5] << 8);
      if ((length ^ check) !== 0xffff || length > MAX_FRAME_PAYLOAD) {
        // The board's decoder will throw this away too; nothing to wait for.
        out.push(...held);
        this.held = [];
      }
      return;
    }
    if (held.length > FRAME_HEADER_SIZE) {
      const length = held[2] | (held[3] << 8);
      if (held.length === FRAME_HEADER_SIZE + length + FRAME_CRC_SIZE) {
        out.push(...held);
        this.held = [];
      }
    }
  }
}
