// Serial frames on the host (docs/serial-protocol.md, "Frames"): FE FF · length · length ^ FFFF ·
// payload · CRC-32C. The stream decoder splits what a board writes into text lines, frames and
// garbage, with one frame buffer and one line buffer whatever arrives.

export const MAGIC_FIRST = 0xfe;
export const MAGIC_SECOND = 0xff;
const MAGIC_SIZE = 2;
const LENGTH_OFFSET = 2;
const LENGTH_CHECK_OFFSET = 4;
export const FRAME_HEADER_SIZE = 6;
export const FRAME_CRC_SIZE = 4;
export const MAX_FRAME_PAYLOAD = 1400;
export const MAX_FRAME_SIZE = FRAME_HEADER_SIZE + MAX_FRAME_PAYLOAD + FRAME_CRC_SIZE;
/** Longest text line kept; a longer one is cut into pieces of this size. */
export const MAX_LINE_LENGTH = 1024;

/** The reflected Castagnoli polynomial (RFC 3720 §B.4: 0x1EDC6F41 with its bits reversed). */
const CRC32C_POLYNOMIAL = 0x82f63b78;

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ CRC32C_POLYNOMIAL : crc >>> 1;
    table[n] = crc >>> 0;
  }
  return table;
})();

/** CRC-32C of `bytes`, continuing from `crc` (0 to start): crc32c(b, crc32c(a)) = CRC-32C(a ‖ b). */
export function crc32c(bytes: Uint8Array, crc = 0): number {
  let register = ~crc >>> 0;
  for (const byte of bytes) register = (register >>> 8) ^ crcTable[(register ^ byte) & 0xff];
  return ~register >>> 0;
}

/** The frame carrying `payload`; throws a RangeError above MAX_FRAME_PAYLOAD (a caller's mistake). */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_FRAME_PAYLOAD) {
    throw new RangeError(`frame payload: ${payload.length} bytes, at most ${MAX_FRAME_PAYLOAD}`);
  }
  const frame = new Uint8Array(FRAME_HEADER_SIZE + payload.length + FRAME_CRC_SIZE);
  const view = new DataView(frame.buffer);
  frame[0] = MAGIC_FIRST;
  frame[1] = MAGIC_SECOND;
  view.setUint16(LENGTH_OFFSET, payload.length, true);
  view.setUint16(LENGTH_CHECK_OFFSET, payload.length ^ 0xffff, true);
  frame.set(payload, FRAME_HEADER_SIZE);
  // The CRC covers the length fields too, so a corrupted but self-consistent length still fails.
  const crc = crc32c(frame.subarray(LENGTH_OFFSET, FRAME_HEADER_SIZE + payload.length));
  view.setUint32(FRAME_HEADER_SIZE + payload.length, crc, true);
  return frame;
}

/** What a byte stream from a board holds. */
export type StreamItem =
  | { kind: "text"; line: string }
  | { kind: "frame"; payload: Uint8Array }
  /** Bytes thrown away: failed frame magics and lines that are not text. */
  | { kind: "garbage"; bytes: Uint8Array };

export interface FrameDecoderCounters {
  framesReceived: number;
  badCrc: number;
  oversize: number;
  badHeader: number;
  garbageBytes: number;
  textLines: number;
  /** Bytes of the text lines, line ends included. */
  textBytes: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });
const REPLACEMENT = 0xfffd;
const TAB = 0x09;
const ESCAPE = 0x1b;

function isBadCharacter(code: number): boolean {
  return code === REPLACEMENT || (code < 0x20 && code !== TAB && code !== ESCAPE) || code === 0x7f;
}

/**
 * True when a line is mostly text: at most a quarter of its characters are undecodable bytes or C0
 * controls (tab and ESC excepted: ESP-IDF colours its logs with ESC sequences). A corrupt frame's
 * payload, read again as out-of-frame bytes, fails this and is counted instead of shown.
 */
function looksLikeText(line: string): boolean {
  let bad = 0;
  let total = 0;
  for (const character of line) {
    total++;
    if (isBadCharacter(character.codePointAt(0)!)) bad++;
  }
  return bad * 4 <= total;
}

/**
 * A line with bad characters may still end in text: a board that resets in the middle of a frame
 * prints its first boot line right after the cut, so the frame's remains and that line arrive as
 * one line. A clean tail after the last bad character is its own line when it is long enough not to
 * be a chance run of printable bytes in binary data ((95/256)^12 ≈ 7·10⁻⁶).
 */
const MIN_CLEAN_TAIL = 12;

/** Where the clean tail of `line` starts, or undefined when it has no bad character or no long tail. */
function cleanTailStart(line: string): number | undefined {
  const characters = [...line];
  for (let at = characters.length - 1; at >= 0; at--) {
    if (isBadCharacter(characters[at].codePointAt(0)!)) {
      if (characters.length - 1 - at < MIN_CLEAN_TAIL) return undefined;
      return characters.slice(0, at + 1).join("").length;
    }
  }
  return undefined;
}

/**
 * Splits a board's byte stream into text lines, frames and garbage. Feed chunks as they arrive;
 * nothing it is given can make it throw or hold more than one frame and one line.
 *
 * Out of a frame, bytes are text up to each "\n" (a trailing "\r" is dropped). From FE on the bytes
 * form a candidate frame, checked as soon as each part is in: FF, then the length against its check
 * and the maximum, then the CRC. A candidate that fails gives up its magic as garbage, and its other
 * bytes are read again from the start — as text, or as the next candidate.
 */
export class FrameStreamDecoder {
  readonly counters: FrameDecoderCounters = {
    framesReceived: 0,
    badCrc: 0,
    oversize: 0,
    badHeader: 0,
    garbageBytes: 0,
    textLines: 0,
    textBytes: 0,
  };
  private readonly candidate = new Uint8Array(MAX_FRAME_SIZE);
  private candidateLength = 0;
  private readonly line = new Uint8Array(MAX_LINE_LENGTH);
  private lineLength = 0;
  private items: StreamItem[] = [];

  /** Decodes one chunk; returns what it completed, in stream order. */
  push(chunk: Uint8Array): StreamItem[] {
    let at = 0;
    while (at < chunk.length) {
      if (this.candidateLength === 0) {
        at = this.takeText(chunk, at);
        continue;
      }
      const wanted = Math.max(this.bytesForNextCheck() - this.candidateLength, 1);
      const copied = Math.min(wanted, chunk.length - at);
      this.candidate.set(chunk.subarray(at, at + copied), this.candidateLength);
      this.candidateLength += copied;
      at += copied;
      this.examine();
    }
    return this.take();
  }

  /**
   * Emits a pending partial text line (for a board that went quiet mid-line). A partial frame stays:
   * its remaining bytes may still come.
   */
  flush(): StreamItem[] {
    this.endLine();
    return this.take();
  }

  /** Bytes held back: a partial frame and a partial line. */
  pendingBytes(): number {
    return this.candidateLength + this.lineLength;
  }

  /** Forgets a partial frame and line (the port was closed and reopened). */
  reset(): void {
    this.candidateLength = 0;
    this.lineLength = 0;
  }

  private take(): StreamItem[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  /** Text bytes from `start` up to the next frame magic; returns where it stopped. */
  private takeText(bytes: Uint8Array, start: number): number {
    let at = start;
    while (at < bytes.length) {
      const byte = bytes[at];
      if (byte === MAGIC_FIRST) {
        // Boards write whole lines, so text before a frame start is a line of its own, and a
        // candidate that fails is not glued to it when its bytes are read again.
        this.endLine();
        this.candidate[0] = byte;
        this.candidateLength = 1;
        return at + 1;
      }
      this.addTextByte(byte);
      at++;
    }
    return at;
  }

  private addTextByte(byte: number): void {
    if (byte === 0x0a) {
      this.endLine();
      this.counters.textBytes++;
      return;
    }
    this.line[this.lineLength++] = byte;
    if (this.lineLength === MAX_LINE_LENGTH) this.endLine();
  }

  private endLine(): void {
    if (this.lineLength === 0) return;
    let end = this.lineLength;
    if (this.line[end - 1] === 0x0d) end--;
    if (end === 0) {
      // A blank line ("\r\n") says nothing; its bytes are still text.
      this.counters.textBytes += this.lineLength;
      this.lineLength = 0;
      return;
    }
    const bytes = this.line.subarray(0, end);
    const line = utf8.decode(bytes);
    const tail = cleanTailStart(line);
    if (tail === undefined) {
      this.textOrGarbage(line, this.line.slice(0, this.lineLength));
    } else {
      // Valid UTF-8 decodes and re-encodes to the same bytes, so the tail's byte count is exact.
      const tailText = line.slice(tail);
      const tailBytes = new TextEncoder().encode(tailText).length + (this.lineLength - end);
      const headBytes = this.line.slice(0, this.lineLength - tailBytes);
      this.textOrGarbage(utf8.decode(headBytes), headBytes);
      this.text(tailText, tailBytes);
    }
    this.lineLength = 0;
  }

  private textOrGarbage(line: string, bytes: Uint8Array): void {
    if (looksLikeText(line)) this.text(line, bytes.length);
    else this.garbage(bytes);
  }

  private text(line: string, byteCount: number): void {
    this.counters.textLines++;
    this.counters.textBytes += byteCount;
    this.items.push({ kind: "text", line });
  }

  private garbage(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.counters.garbageBytes += bytes.length;
    this.items.push({ kind: "garbage", bytes });
  }

  private bytesForNextCheck(): number {
    if (this.candidateLength < MAGIC_SIZE) return MAGIC_SIZE;
    if (this.candidateLength < FRAME_HEADER_SIZE) return FRAME_HEADER_SIZE;
    return FRAME_HEADER_SIZE + this.payloadLength() + FRAME_CRC_SIZE;
  }

  private payloadLength(): number {
    return this.candidate[LENGTH_OFFSET] | (this.candidate[LENGTH_OFFSET + 1] << 8);
  }

  /** Runs every check the buffered bytes allow, cheapest first. */
  private examine(): void {
    while (this.candidateLength > 0) {
      if (this.candidateLength < MAGIC_SIZE) return;
      if (this.candidate[1] !== MAGIC_SECOND) {
        this.abandon(1);
        continue;
      }
      if (this.candidateLength < FRAME_HEADER_SIZE) return;
      const length = this.payloadLength();
      const check = this.candidate[LENGTH_CHECK_OFFSET] | (this.candidate[LENGTH_CHECK_OFFSET + 1] << 8);
      if ((length ^ check) !== 0xffff) {
        this.counters.badHeader++;
        this.abandon(MAGIC_SIZE);
        continue;
      }
      if (length > MAX_FRAME_PAYLOAD) {
        this.counters.oversize++;
        this.abandon(MAGIC_SIZE);
        continue;
      }
      const total = FRAME_HEADER_SIZE + length + FRAME_CRC_SIZE;
      if (this.candidateLength < total) return;
      const crc = crc32c(this.candidate.subarray(LENGTH_OFFSET, FRAME_HEADER_SIZE + length));
      const view = new DataView(this.candidate.buffer);
      if (crc !== view.getUint32(FRAME_HEADER_SIZE + length, true)) {
        this.counters.badCrc++;
        this.abandon(MAGIC_SIZE);
        continue;
      }
      this.endLine();
      this.counters.framesReceived++;
      this.items.push({ kind: "frame", payload: this.candidate.slice(FRAME_HEADER_SIZE, FRAME_HEADER_SIZE + length) });
      this.reread(total);
    }
  }

  /** Gives up the candidate: its first `magicBytes` are garbage, the rest is read again. */
  private abandon(magicBytes: number): void {
    this.garbage(this.candidate.slice(0, magicBytes));
    this.reread(magicBytes);
  }

  /**
   * Reads the candidate's bytes from `from` on again as if they had just arrived: text up to the
   * next magic, which starts the next candidate (moved to the front of the buffer).
   */
  private reread(from: number): void {
    const end = this.candidateLength;
    let at = from;
    while (at < end && this.candidate[at] !== MAGIC_FIRST) this.addTextByte(this.candidate[at++]);
    this.candidate.copyWithin(0, at, end);
    this.candidateLength = end - at;
  }
}
