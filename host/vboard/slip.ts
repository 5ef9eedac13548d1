// SLIP framing (RFC 1055) as the ESP serial bootloader uses it (esptool "Serial Protocol", Low Level
// Protocol): a packet begins and ends with 0xC0; inside it 0xC0 travels as 0xDB 0xDC and 0xDB as
// 0xDB 0xDD. Both directions frame every packet with its own pair of 0xC0 bytes.

export const SLIP_END = 0xc0;
export const SLIP_ESC = 0xdb;
export const SLIP_ESC_END = 0xdc;
export const SLIP_ESC_ESC = 0xdd;

/** `packet` framed: 0xC0, the escaped bytes, 0xC0. */
export function slipEncode(packet: Uint8Array): Uint8Array {
  let escapes = 0;
  for (const byte of packet) if (byte === SLIP_END || byte === SLIP_ESC) escapes++;
  const out = new Uint8Array(packet.length + escapes + 2);
  let at = 0;
  out[at++] = SLIP_END;
  for (const byte of packet) {
    if (byte === SLIP_END) {
      out[at++] = SLIP_ESC;
      out[at++] = SLIP_ESC_END;
    } else if (byte === SLIP_ESC) {
      out[at++] = SLIP_ESC;
      out[at++] = SLIP_ESC_ESC;
    } else {
      out[at++] = byte;
    }
  }
  out[at] = SLIP_END;
  return out;
}

/** Why a frame was thrown away instead of delivered. */
export type SlipDropReason = "bad-escape" | "too-long";

export interface SlipDecoderOptions {
  /** Longest packet (after unescaping) delivered; longer frames are dropped whole. */
  maxPacketBytes?: number;
  onDrop?: (reason: SlipDropReason) => void;
}

/**
 * Streaming decoder: bytes arrive in any chunking, whole packets come out. Bytes outside a frame
 * (a boot log, line noise) are skipped until the next 0xC0 opens one; 0xC0 0xC0 is one frame's
 * end and the next one's start, never an empty packet. RFC 1055 leaves an escape followed by anything but 0xDC/0xDD to the
 * implementation: the frame is corrupt, so it is dropped, as esptool's reader refuses it.
 */
export class SlipDecoder {
  private buffer: Uint8Array;
  private length = 0;
  private inFrame = false;
  private escaping = false;
  private dropping: SlipDropReason | null = null;
  private readonly maxPacketBytes: number;

  constructor(
    private readonly onPacket: (packet: Uint8Array) => void,
    private readonly options: SlipDecoderOptions = {},
  ) {
    // A command carries at most 65535 data bytes after its 8-byte header ("Command Packet").
    this.maxPacketBytes = options.maxPacketBytes ?? 8 + 0xffff;
    this.buffer = new Uint8Array(Math.min(this.maxPacketBytes, 0x4000 + 64));
  }

  push(bytes: Uint8Array): void {
    for (const byte of bytes) {
      if (!this.inFrame) {
        if (byte === SLIP_END) this.openFrame();
        continue;
      }
      if (byte === SLIP_END) {
        // An END right after an END opens the frame rather than closing an empty one, so a reader
        // that started listening mid-packet falls back into step at the next packet.
        if (this.length > 0 || this.dropping || this.escaping) this.closeFrame();
        continue;
      }
      if (this.dropping) continue;
      if (this.escaping) {
        this.escaping = false;
        if (byte === SLIP_ESC_END) this.append(SLIP_END);
        else if (byte === SLIP_ESC_ESC) this.append(SLIP_ESC);
        else this.dropping = "bad-escape";
      } else if (byte === SLIP_ESC) {
        this.escaping = true;
      } else {
        this.append(byte);
      }
    }
  }

  /** Forgets a half-received frame (the line was reset). */
  reset(): void {
    this.inFrame = false;
    this.escaping = false;
    this.dropping = null;
    this.length = 0;
  }

  private openFrame(): void {
    this.inFrame = true;
    this.escaping = false;
    this.dropping = null;
    this.length = 0;
  }

  private closeFrame(): void {
    const dropped = this.dropping ?? (this.escaping ? "bad-escape" : null);
    const length = this.length;
    this.reset();
    if (dropped) {
      this.options.onDrop?.(dropped);
      return;
    }
    this.onPacket(this.buffer.slice(0, length));
  }

  private append(byte: number): void {
    if (this.length === this.maxPacketBytes) {
      this.dropping = "too-long";
      return;
    }
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(Math.min(this.maxPacketBytes, this.buffer.length * 2));
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = byte;
  }
}
