// Host binding of the stack's crypto primitives: every call runs inside stack.wasm.
// Arguments are checked here (RangeError naming the argument) so bad sizes never reach the WASM;
// inputs longer than the stack's I/O window are streamed through it in chunks.
import { instantiateStack, type StackBuild, type StackInstance } from "./load-stack.js";

export interface Crypto {
  crc32c(data: Uint8Array): number;
  blake2b(data: Uint8Array, outLen?: number, key?: Uint8Array): Uint8Array;
  sipHash24(key: Uint8Array, data: Uint8Array): Uint8Array;
  sha512(data: Uint8Array): Uint8Array;
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  ed25519Sign(message: Uint8Array, seed: Uint8Array, publicKey?: Uint8Array): Uint8Array;
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  x25519(scalar: Uint8Array, point: Uint8Array): Uint8Array;
  chacha20(key: Uint8Array, nonce: Uint8Array, counter: number, data: Uint8Array): Uint8Array;
}

/** The WASM exports this binding calls (see firmware/exports/crypto-*.ts). Pointers are byte addresses. */
interface CryptoExports {
  ioDataPointer(): number;
  ioDataSize(): number;
  ioArgsPointer(): number;
  crc32cUpdate(crc: number, pointer: number, length: number): number;
  blake2bInit(outLength: number, keyPointer: number, keyLength: number): void;
  blake2bUpdate(pointer: number, length: number): void;
  blake2bFinal(outPointer: number): void;
  sha512Init(): void;
  sha512Update(pointer: number, length: number): void;
  sha512Final(outPointer: number): void;
  sipHashInit(keyPointer: number): void;
  sipHashUpdate(pointer: number, length: number): void;
  sipHashFinal(outPointer: number): void;
  chacha20Xor(
    outPointer: number,
    inPointer: number,
    length: number,
    keyPointer: number,
    noncePointer: number,
    counter: number,
  ): void;
  ed25519PublicKey(outPointer: number, seedPointer: number): void;
  ed25519SignInit(seedPointer: number, publicKeyPointer: number): void;
  ed25519SignNonceUpdate(pointer: number, length: number): void;
  ed25519SignCommit(): void;
  ed25519SignUpdate(pointer: number, length: number): void;
  ed25519SignFinal(outPointer: number): void;
  ed25519VerifyInit(signaturePointer: number, publicKeyPointer: number): void;
  ed25519VerifyUpdate(pointer: number, length: number): void;
  ed25519VerifyFinal(): number;
  x25519(outPointer: number, scalarPointer: number, pointPointer: number): void;
}

// Offsets inside the argument area (512 bytes); each slot is large enough for its argument.
const ARG_A = 0; // keys, seeds, scalars (≤ 64 bytes)
const ARG_B = 64; // nonces, points, public keys (≤ 64 bytes)
const ARG_C = 128; // signatures (64 bytes)
const ARG_OUT = 256; // results (≤ 64 bytes)

function requireBytes(name: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name}: expected a Uint8Array`);
}

function requireLength(name: string, value: unknown, length: number): asserts value is Uint8Array {
  requireBytes(name, value);
  if (value.length !== length) {
    throw new RangeError(`${name}: expected ${length} bytes, got ${value.length}`);
  }
}

class WasmCrypto implements Crypto {
  private readonly x: CryptoExports;
  private readonly dataPointer: number;
  private readonly dataSize: number;
  private readonly argsPointer: number;

  constructor(private readonly stack: StackInstance) {
    this.x = stack.exports as unknown as CryptoExports;
    this.dataPointer = this.x.ioDataPointer();
    this.dataSize = this.x.ioDataSize();
    this.argsPointer = this.x.ioArgsPointer();
  }

  private putArg(offset: number, bytes: Uint8Array): number {
    this.stack.bytes().set(bytes, this.argsPointer + offset);
    return this.argsPointer + offset;
  }

  private takeArg(offset: number, length: number): Uint8Array {
    const start = this.argsPointer + offset;
    return this.stack.bytes().slice(start, start + length);
  }

  /** Copies `data` through the data area chunk by chunk, calling `consume(pointer, length)` for each. */
  private stream(data: Uint8Array, consume: (pointer: number, length: number) => void): void {
    for (let offset = 0; offset < data.length; offset += this.dataSize) {
      const chunk = data.subarray(offset, Math.min(offset + this.dataSize, data.length));
      this.stack.bytes().set(chunk, this.dataPointer);
      consume(this.dataPointer, chunk.length);
    }
  }

  crc32c(data: Uint8Array): number {
    requireBytes("data", data);
    let crc = 0;
    this.stream(data, (pointer, length) => {
      crc = this.x.crc32cUpdate(crc, pointer, length);
    });
    return crc >>> 0;
  }

  blake2b(data: Uint8Array, outLen = 64, key?: Uint8Array): Uint8Array {
    requireBytes("data", data);
    if (!Number.isInteger(outLen) || outLen < 1 || outLen > 64) {
      throw new RangeError(`outLen: expected an integer from 1 to 64, got ${outLen}`);
    }
    let keyPointer = 0;
    let keyLength = 0;
    if (key !== undefined) {
      requireBytes("key", key);
      if (key.length > 64) throw new RangeError(`key: expected at most 64 bytes, got ${key.length}`);
      keyPointer = this.putArg(ARG_A, key);
      keyLength = key.length;
    }
    this.x.blake2bInit(outLen, keyPointer, keyLength);
    this.stream(data, (pointer, length) => this.x.blake2bUpdate(pointer, length));
    this.x.blake2bFinal(this.argsPointer + ARG_OUT);
    return this.takeArg(ARG_OUT, outLen);
  }

  sipHash24(key: Uint8Array, data: Uint8Array): Uint8Array {
    requireLength("key", key, 16);
    requireBytes("data", data);
    this.x.sipHashInit(this.putArg(ARG_A, key));
    this.stream(data, (pointer, length) => this.x.sipHashUpdate(pointer, length));
    this.x.sipHashFinal(this.argsPointer + ARG_OUT);
    return this.takeArg(ARG_OUT, 8);
  }

  sha512(data: Uint8Array): Uint8Array {
    requireBytes("data", data);
    this.x.sha512Init();
    this.stream(data, (pointer, length) => this.x.sha512Update(pointer, length));
    this.x.sha512Final(this.argsPointer + ARG_OUT);
    return this.takeArg(ARG_OUT, 64);
  }

  ed25519PublicKey(seed: Uint8Array): Uint8Array {
    requireLength("seed", seed, 32);
    this.x.ed25519PublicKey(this.argsPointer + ARG_OUT, this.putArg(ARG_A, seed));
    this.wipeArg(ARG_A, 32);
    return this.takeArg(ARG_OUT, 32);
  }

  /**
   * Signs `message` with `seed`. Passing the seed's own `publicKey` saves deriving it again (half the
   * work of a short message); it must be the key of that seed (see ed25519SignInit).
   */
  ed25519Sign(message: Uint8Array, seed: Uint8Array, publicKey?: Uint8Array): Uint8Array {
    requireBytes("message", message);
    requireLength("seed", seed, 32);
    if (publicKey !== undefined) requireLength("publicKey", publicKey, 32);
    // RFC 8032 §5.1.6 reads the message twice: once for the nonce r, once for the challenge k.
    const keyPointer = publicKey !== undefined ? this.putArg(ARG_B, publicKey) : 0;
    this.x.ed25519SignInit(this.putArg(ARG_A, seed), keyPointer);
    this.wipeArg(ARG_A, 32);
    this.stream(message, (pointer, length) => this.x.ed25519SignNonceUpdate(pointer, length));
    this.x.ed25519SignCommit();
    this.stream(message, (pointer, length) => this.x.ed25519SignUpdate(pointer, length));
    this.x.ed25519SignFinal(this.argsPointer + ARG_OUT);
    return this.takeArg(ARG_OUT, 64);
  }

  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
    requireLength("signature", signature, 64);
    requireBytes("message", message);
    requireLength("publicKey", publicKey, 32);
    this.x.ed25519VerifyInit(this.putArg(ARG_C, signature), this.putArg(ARG_B, publicKey));
    this.stream(message, (pointer, length) => this.x.ed25519VerifyUpdate(pointer, length));
    return this.x.ed25519VerifyFinal() === 1;
  }

  x25519(scalar: Uint8Array, point: Uint8Array): Uint8Array {
    requireLength("scalar", scalar, 32);
    requireLength("point", point, 32);
    this.x.x25519(this.argsPointer + ARG_OUT, this.putArg(ARG_A, scalar), this.putArg(ARG_B, point));
    this.wipeArg(ARG_A, 32);
    return this.takeArg(ARG_OUT, 32);
  }

  chacha20(key: Uint8Array, nonce: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
    requireLength("key", key, 32);
    requireLength("nonce", nonce, 12);
    requireBytes("data", data);
    if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) {
      throw new RangeError(`counter: expected an integer from 0 to 2^32-1, got ${counter}`);
    }
    // RFC 8439 §2.4: the 32-bit block counter must not wrap within one message.
    const blocks = Math.ceil(data.length / 64);
    if (counter + blocks > 0x100000000) {
      throw new RangeError(`counter: ${counter} + ${blocks} blocks would wrap the 32-bit block counter`);
    }
    const keyPointer = this.putArg(ARG_A, key);
    const noncePointer = this.putArg(ARG_B, nonce);
    const out = new Uint8Array(data.length);
    // The data area is a whole number of 64-byte blocks, so each chunk starts on a block boundary.
    let blockCounter = counter;
    let written = 0;
    this.stream(data, (pointer, length) => {
      this.x.chacha20Xor(pointer, pointer, length, keyPointer, noncePointer, blockCounter >>> 0);
      out.set(this.stack.bytes().subarray(pointer, pointer + length), written);
      written += length;
      blockCounter += length / 64;
    });
    this.wipeArg(ARG_A, 32);
    return out;
  }

  private wipeArg(offset: number, length: number): void {
    this.stack.bytes().fill(0, this.argsPointer + offset, this.argsPointer + offset + length);
  }
}

/** Instantiates stack.wasm and returns its crypto primitives. Each call gets its own instance. */
export async function loadCrypto(build: StackBuild = "release"): Promise<Crypto> {
  return new WasmCrypto(await instantiateStack(build));
}
