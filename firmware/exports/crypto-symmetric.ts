// Host-facing exports of the symmetric primitives (CRC-32C, BLAKE2b, SHA-512, SipHash-2-4, ChaCha20),
// matching the ABI that host/wasm/crypto.ts calls. Pointers are byte addresses in linear memory, in
// practice inside the I/O window (exports/io-window.ts).
//
// The streaming exports drive one context per primitive, held here and allocated once when the module
// starts: the host is single-threaded and runs one init → update… → final sequence at a time per
// primitive. Each final wipes its context, so no key or chaining value outlives a call sequence.
// Arguments are checked by the host binding; the primitives trap on sizes that would overrun memory.
import { Blake2b } from "../crypto/blake2b";
import { Sha512 } from "../crypto/sha512";
import { SipHash24 } from "../crypto/siphash";

export { crc32cUpdate } from "../crypto/crc32c";
export { chacha20Xor } from "../crypto/chacha20";

const blake2bContext = new Blake2b();
const sha512Context = new Sha512();
const sipHashContext = new SipHash24();

export function blake2bInit(outLength: i32, keyPointer: usize, keyLength: i32): void {
  blake2bContext.init(outLength, keyPointer, keyLength);
}

export function blake2bUpdate(pointer: usize, length: usize): void {
  blake2bContext.update(pointer, length);
}

export function blake2bFinal(outPointer: usize): void {
  blake2bContext.final(outPointer);
}

export function sha512Init(): void {
  sha512Context.init();
}

export function sha512Update(pointer: usize, length: usize): void {
  sha512Context.update(pointer, length);
}

export function sha512Final(outPointer: usize): void {
  sha512Context.final(outPointer);
}

export function sipHashInit(keyPointer: usize): void {
  sipHashContext.init(keyPointer);
}

export function sipHashUpdate(pointer: usize, length: usize): void {
  sipHashContext.update(pointer, length);
}

export function sipHashFinal(outPointer: usize): void {
  sipHashContext.final(outPointer);
}
