// SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012): a 64-bit MAC/PRF with a
// 128-bit key, for hash-table keys and short authenticators. The 8-byte tag is the final u64 in
// little-endian byte order, as the reference implementation writes it. Only additions, XORs and
// rotations touch the key and message, so the time taken does not depend on secret data.
import { wipe } from "./constant-time";

/** Bytes in a key and in a tag. */
export const SIPHASH_KEY_SIZE: usize = 16;
export const SIPHASH_TAG_SIZE: usize = 8;

// §2 "Initialization": the ASCII text "somepseudorandomlygeneratedbytes" read as four big-endian words.
const INIT0: u64 = 0x736f6d6570736575; // "somepseu"
const INIT1: u64 = 0x646f72616e646f6d; // "dorandom"
const INIT2: u64 = 0x6c7967656e657261; // "lygenera"
const INIT3: u64 = 0x7465646279746573; // "tedbytes"

// The last, padded message word is assembled here before it is absorbed like any other. Shared by every
// context: WASM is single-threaded and the word is consumed within the call that writes it; wiped after.
const lastWord: usize = memory.data(8, 8);

/** Streaming SipHash-2-4. Call `init`, any number of `update`s, then `final`; `final` wipes the context. */
export class SipHash24 {
  private v0: u64 = 0;
  private v1: u64 = 0;
  private v2: u64 = 0;
  private v3: u64 = 0;
  /** Up to 7 message bytes not yet absorbed, packed little-endian, and how many there are. */
  private pending: u64 = 0;
  private pendingLength: usize = 0;
  /** Message bytes so far; only its low byte is used (§2 "Finalization"). */
  private totalLength: u64 = 0;

  /** Starts a tag under the 16-byte key at `keyPointer` (k0, k1 little-endian, §2). */
  init(keyPointer: usize): void {
    const k0 = load<u64>(keyPointer, 0);
    const k1 = load<u64>(keyPointer, 8);
    this.v0 = k0 ^ INIT0;
    this.v1 = k1 ^ INIT1;
    this.v2 = k0 ^ INIT2;
    this.v3 = k1 ^ INIT3;
    this.pending = 0;
    this.pendingLength = 0;
    this.totalLength = 0;
  }

  update(pointer: usize, length: usize): void {
    this.totalLength += <u64>length;
    let pending = this.pending;
    let pendingLength = this.pendingLength;
    // Top up a partial word left by the previous update; shifts by byte position, a public value.
    if (pendingLength != 0) {
      while (pendingLength < 8 && length != 0) {
        pending |= <u64>load<u8>(pointer) << (<u64>pendingLength << 3);
        pendingLength++;
        pointer++;
        length--;
      }
      if (pendingLength < 8) {
        this.pending = pending;
        this.pendingLength = pendingLength;
        return;
      }
      store<u64>(lastWord, pending);
      this.absorb(lastWord, 1);
      pending = 0;
      pendingLength = 0;
    }
    // Whole words straight from the caller's memory (§2 "Compression": little-endian words m_i).
    const words = length >>> 3;
    if (words != 0) this.absorb(pointer, words);
    pointer += words << 3;
    length &= 7;
    while (length != 0) {
      pending |= <u64>load<u8>(pointer) << (<u64>pendingLength << 3);
      pendingLength++;
      pointer++;
      length--;
    }
    this.pending = pending;
    this.pendingLength = pendingLength;
  }

  /** Writes the 8-byte tag to `outPointer` and wipes the context (call `init` to reuse it). */
  final(outPointer: usize): void {
    // §2: the last word carries the message length mod 256 in its top byte above the leftover bytes.
    store<u64>(lastWord, this.pending | (this.totalLength << 56));
    this.absorb(lastWord, 1);
    wipe(lastWord, 8);
    // §2 "Finalization": v2 ^= 0xff, then d = 4 SipRounds; the tag is v0 ⊕ v1 ⊕ v2 ⊕ v3.
    let v0 = this.v0;
    let v1 = this.v1;
    let v2 = this.v2 ^ 0xff;
    let v3 = this.v3;
    for (let round = 0; round < 4; round++) {
      v0 += v1;
      v1 = rotl<u64>(v1, 13);
      v1 ^= v0;
      v0 = rotl<u64>(v0, 32);
      v2 += v3;
      v3 = rotl<u64>(v3, 16);
      v3 ^= v2;
      v0 += v3;
      v3 = rotl<u64>(v3, 21);
      v3 ^= v0;
      v2 += v1;
      v1 = rotl<u64>(v1, 17);
      v1 ^= v2;
      v2 = rotl<u64>(v2, 32);
    }
    store<u64>(outPointer, v0 ^ v1 ^ v2 ^ v3);
    // The state is an invertible function of the key: wipe it.
    this.v0 = 0;
    this.v1 = 0;
    this.v2 = 0;
    this.v3 = 0;
    this.pending = 0;
    this.pendingLength = 0;
    this.totalLength = 0;
  }

  /** §2 "Compression": absorbs `words` little-endian words at `pointer`, c = 2 SipRounds each. */
  private absorb(pointer: usize, words: usize): void {
    let v0 = this.v0;
    let v1 = this.v1;
    let v2 = this.v2;
    let v3 = this.v3;
    for (const end = pointer + (words << 3); pointer < end; pointer += 8) {
      const m = load<u64>(pointer);
      v3 ^= m;
      // SipRound (Figure 2.1), twice, written out so the state stays in registers.
      v0 += v1;
      v1 = rotl<u64>(v1, 13);
      v1 ^= v0;
      v0 = rotl<u64>(v0, 32);
      v2 += v3;
      v3 = rotl<u64>(v3, 16);
      v3 ^= v2;
      v0 += v3;
      v3 = rotl<u64>(v3, 21);
      v3 ^= v0;
      v2 += v1;
      v1 = rotl<u64>(v1, 17);
      v1 ^= v2;
      v2 = rotl<u64>(v2, 32);

      v0 += v1;
      v1 = rotl<u64>(v1, 13);
      v1 ^= v0;
      v0 = rotl<u64>(v0, 32);
      v2 += v3;
      v3 = rotl<u64>(v3, 16);
      v3 ^= v2;
      v0 += v3;
      v3 = rotl<u64>(v3, 21);
      v3 ^= v0;
      v2 += v1;
      v1 = rotl<u64>(v1, 17);
      v1 ^= v2;
      v2 = rotl<u64>(v2, 32);
      v0 ^= m;
    }
    this.v0 = v0;
    this.v1 = v1;
    this.v2 = v2;
    this.v3 = v3;
  }
}

// The one-shot form's context, allocated once when this module starts. Sharing it is safe because WASM
// is single-threaded and `sipHash24` runs init → update → final without returning in between, and final
// wipes it, so no state survives a call.
const oneShot = new SipHash24();

/** Writes SipHash-2-4 of the data under the 16-byte key at `keyPointer` (8 bytes) to `outPointer`. */
export function sipHash24(outPointer: usize, keyPointer: usize, dataPointer: usize, dataLength: usize): void {
  oneShot.init(keyPointer);
  oneShot.update(dataPointer, dataLength);
  oneShot.final(outPointer);
}
