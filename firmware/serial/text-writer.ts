// Formats log text into a caller's buffer. AssemblyScript's toString() and String.UTF8 allocate, and
// nothing may allocate after start-up, so numbers, keys and strings are written here byte by byte.
// Output past the end of the buffer is dropped: a log line is cut, never a trap.

const BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const HEX_DIGITS = "0123456789abcdef";

export class TextWriter {
  private start: usize = 0;
  private at: usize = 0;
  private end: usize = 0;

  /** Starts writing at `pointer`, at most `capacity` bytes. */
  begin(pointer: usize, capacity: i32): void {
    this.start = pointer;
    this.at = pointer;
    this.end = pointer + <usize>max(capacity, 0);
  }

  /** Bytes written since begin(). */
  @inline length(): i32 {
    return <i32>(this.at - this.start);
  }

  byte(value: u8): TextWriter {
    if (this.at < this.end) {
      store<u8>(this.at, value);
      this.at++;
    }
    return this;
  }

  bytes(pointer: usize, length: i32): TextWriter {
    const room = <i32>(this.end - this.at);
    const count = min(max(length, 0), room);
    memory.copy(this.at, pointer, <usize>count);
    this.at += <usize>count;
    return this;
  }

  /** A string as UTF-8 (log text and names are ASCII, but the conversion is exact for any string). */
  string(text: string): TextWriter {
    for (let i = 0; i < text.length; i++) {
      let code = <u32>text.charCodeAt(i);
      if (code >= 0xd800 && code < 0xdc00 && i + 1 < text.length) {
        const low = <u32>text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low < 0xe000) {
          code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          i++;
        }
      }
      if (code < 0x80) {
        this.byte(<u8>code);
      } else if (code < 0x800) {
        this.byte(<u8>(0xc0 | (code >> 6))).byte(<u8>(0x80 | (code & 0x3f)));
      } else if (code < 0x10000) {
        this.byte(<u8>(0xe0 | (code >> 12)))
          .byte(<u8>(0x80 | ((code >> 6) & 0x3f)))
          .byte(<u8>(0x80 | (code & 0x3f)));
      } else {
        this.byte(<u8>(0xf0 | (code >> 18)))
          .byte(<u8>(0x80 | ((code >> 12) & 0x3f)))
          .byte(<u8>(0x80 | ((code >> 6) & 0x3f)))
          .byte(<u8>(0x80 | (code & 0x3f)));
      }
    }
    return this;
  }

  decimal(value: i64): TextWriter {
    if (value < 0) {
      this.byte(0x2d);
      // Negated as unsigned, so i64.MIN_VALUE prints correctly too.
      return this.unsignedDecimal(<u64>0 - <u64>value);
    }
    return this.unsignedDecimal(<u64>value);
  }

  unsignedDecimal(value: u64): TextWriter {
    // 20 digits hold any u64; find the largest power of ten not above the value, then walk down.
    let divisor: u64 = 1;
    while (value / divisor >= 10) divisor *= 10;
    while (divisor > 0) {
      this.byte(<u8>(0x30 + (value / divisor) % 10));
      divisor /= 10;
    }
    return this;
  }

  /** A value given in tenths, as a decimal with one fractional digit: -805 → "-80.5". */
  tenths(value: i32): TextWriter {
    if (value < 0) this.byte(0x2d);
    const magnitude = <u32>abs(value);
    this.unsignedDecimal(<u64>(magnitude / 10));
    return this.byte(0x2e).byte(<u8>(0x30 + magnitude % 10));
  }

  hex(pointer: usize, length: i32): TextWriter {
    for (let i = 0; i < length; i++) {
      const value = load<u8>(pointer + <usize>i);
      this.byte(<u8>HEX_DIGITS.charCodeAt(value >> 4)).byte(<u8>HEX_DIGITS.charCodeAt(value & 15));
    }
    return this;
  }

  /**
   * A key fingerprint as people see it (host/identity/fingerprint.ts): the 10-byte digest at
   * `digest` in lower-case base32 (RFC 4648 alphabet), 16 characters in groups of four.
   */
  fingerprint(digest: usize): TextWriter {
    let bits: u32 = 0;
    let pending: u32 = 0;
    let written = 0;
    for (let i = 0; i < 10; i++) {
      // At most 12 bits are pending before the shift, so 16 bits of `pending` suffice.
      pending = ((pending << 8) | load<u8>(digest + <usize>i)) & 0xffff;
      bits += 8;
      while (bits >= 5) {
        if (written > 0 && written % 4 == 0) this.byte(0x2d);
        this.byte(<u8>BASE32_ALPHABET.charCodeAt((pending >> (bits - 5)) & 31));
        bits -= 5;
        written++;
      }
    }
    return this;
  }
}
