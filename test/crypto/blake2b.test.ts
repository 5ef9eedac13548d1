// BLAKE2b in stack.wasm: RFC 7693 Appendix A and the Appendix E self-test, reference keyed vectors,
// differential tests against @noble/hashes and node:crypto, and streaming through the raw exports.
import { createHash } from "node:crypto";
import { blake2b as nobleBlake2b } from "@noble/hashes/blake2.js";
import { beforeAll, describe, expect, it } from "vitest";
import { type Crypto, loadCrypto } from "../../host/wasm/crypto.js";
import { instantiateStack, StackTrap } from "../../host/wasm/load-stack.js";
import { hex, SeededRandom } from "../support/seeded-random.js";

let crypto: Crypto;
beforeAll(async () => {
  crypto = await loadCrypto();
});

const counting = (length: number) => Uint8Array.from({ length }, (_, i) => i);
const expectedBlake2b = (data: Uint8Array, outLen: number, key?: Uint8Array) =>
  hex(nobleBlake2b(data, key === undefined || key.length === 0 ? { dkLen: outLen } : { dkLen: outLen, key }));

interface Blake2bExports {
  ioDataPointer(): number;
  ioArgsPointer(): number;
  blake2bInit(outLength: number, keyPointer: number, keyLength: number): void;
  blake2bUpdate(pointer: number, length: number): void;
  blake2bFinal(outPointer: number): void;
}

async function rawExports() {
  const stack = await instantiateStack();
  return { stack, x: stack.exports as unknown as Blake2bExports };
}

describe("BLAKE2b reproduces the RFC 7693 and reference vectors", () => {
  it("gives the RFC 7693 Appendix A digest of 'abc'", () => {
    expect(hex(crypto.blake2b(new TextEncoder().encode("abc")))).toBe(
      "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1" +
        "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
    );
  });

  // The reference implementation's keyed known answers (blake2b-kat.txt): key 00..3f, input 00..(n-1).
  it("gives the reference keyed digests of the empty input and of one byte", () => {
    const key = counting(64);
    expect(hex(crypto.blake2b(new Uint8Array(0), 64, key))).toBe(
      "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786" +
        "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568",
    );
    expect(hex(crypto.blake2b(counting(1), 64, key))).toBe(
      "961f6dd1e4dd30f63901690c512e78e4b45e4742ed197c3c5e45c549fd25f2e4" +
        "187b0bc9fe30492b16b0d0bc4ef9b0f34c7003fac09a5ef1532e69430234cebd",
    );
  });

  it("matches the reference keyed construction at the block boundaries (127, 128, 129, 255, 256 bytes)", () => {
    const key = counting(64);
    for (const length of [127, 128, 129, 255, 256]) {
      expect(hex(crypto.blake2b(counting(length), 64, key)), `length ${length}`).toBe(
        expectedBlake2b(counting(length), 64, key),
      );
    }
  });

  it("passes the RFC 7693 Appendix E self-test (grand hash over digest and input lengths)", () => {
    // Appendix E selftest_seq: a Fibonacci-like sequence mod 2^32 seeded with 0xDEAD4BAD·seed, top bytes.
    const sequence = (length: number, seed: number) => {
      const out = new Uint8Array(length);
      let a = Math.imul(0xdead4bad, seed) >>> 0;
      let b = 1;
      for (let i = 0; i < length; i++) {
        const t = (a + b) >>> 0;
        a = b;
        b = t;
        out[i] = t >>> 24;
      }
      return out;
    };
    const digests: Uint8Array[] = [];
    for (const outLen of [20, 32, 48, 64]) {
      for (const inLen of [0, 3, 128, 129, 255, 1024]) {
        const input = sequence(inLen, inLen);
        digests.push(crypto.blake2b(input, outLen));
        digests.push(crypto.blake2b(input, outLen, sequence(outLen, outLen)));
      }
    }
    // Hashing every digest in turn into one BLAKE2b-256 equals hashing their concatenation.
    const grand = crypto.blake2b(Buffer.concat(digests), 32);
    expect(hex(grand)).toBe("c23a7800d98123bd10f506c61e29da5603d763b8bbad2e737f5e765a7bccd475");
  });
});

describe("BLAKE2b agrees with @noble/hashes and node:crypto on seeded random inputs", () => {
  it("matches @noble/hashes on 1,000 inputs of 0..700 bytes with random digest and key lengths", () => {
    const random = new SeededRandom(0xb1a2b);
    for (let i = 0; i < 1000; i++) {
      const data = random.bytes(random.between(0, 700));
      const outLen = random.between(1, 64);
      const key = random.below(3) === 0 ? undefined : random.bytes(random.between(1, 64));
      expect(
        hex(crypto.blake2b(data, outLen, key)),
        `length ${data.length}, outLen ${outLen}, key ${key?.length}`,
      ).toBe(expectedBlake2b(data, outLen, key));
    }
  });

  it("matches node:crypto's blake2b512 on 1,000 unkeyed inputs of 0..700 bytes", () => {
    const random = new SeededRandom(0x512);
    for (let i = 0; i < 1000; i++) {
      const data = random.bytes(random.between(0, 700));
      expect(hex(crypto.blake2b(data)), `length ${data.length}`).toBe(
        createHash("blake2b512").update(data).digest("hex"),
      );
    }
  });

  it("treats an empty key as no key", () => {
    const data = counting(10);
    expect(hex(crypto.blake2b(data, 32, new Uint8Array(0)))).toBe(hex(crypto.blake2b(data, 32)));
  });
});

describe("BLAKE2b hashes inputs longer than the I/O window", () => {
  it("matches @noble/hashes at and around multiples of the 4 KiB window, keyed and unkeyed", () => {
    const random = new SeededRandom(0x1000);
    for (const length of [4095, 4096, 4097, 8192, 8192 + 129, 30_000]) {
      const data = random.bytes(length);
      const key = random.bytes(32);
      expect(hex(crypto.blake2b(data)), `length ${length}`).toBe(expectedBlake2b(data, 64));
      expect(hex(crypto.blake2b(data, 16, key)), `keyed, length ${length}`).toBe(expectedBlake2b(data, 16, key));
    }
  });
});

describe("BLAKE2b streamed in random chunks through the exports equals the one-shot digest", () => {
  it("gives the same digest for 300 seeded messages cut at random points, keyed or not", async () => {
    const { stack, x } = await rawExports();
    const data = x.ioDataPointer();
    const keyPointer = x.ioArgsPointer();
    const out = x.ioArgsPointer() + 256;
    const random = new SeededRandom(0xb10c);
    for (let i = 0; i < 300; i++) {
      const message = random.bytes(random.between(0, 1000));
      const outLen = random.between(1, 64);
      const key = random.bytes(random.below(2) === 0 ? 0 : random.between(1, 64));
      stack.bytes().set(key, keyPointer);
      x.blake2bInit(outLen, keyPointer, key.length);
      for (let offset = 0; offset < message.length; ) {
        const length = Math.min(message.length - offset, random.below(5) === 0 ? 0 : random.between(1, 300));
        stack.bytes().set(message.subarray(offset, offset + length), data);
        x.blake2bUpdate(data, length);
        offset += length;
      }
      x.blake2bFinal(out);
      expect(hex(stack.bytes().slice(out, out + outLen)), `length ${message.length}, key ${key.length}`).toBe(
        hex(crypto.blake2b(message, outLen, key)),
      );
    }
  });

  it("leaves neither the key nor the chaining value in memory after final", async () => {
    const { stack, x } = await rawExports();
    const keyPointer = x.ioArgsPointer();
    const out = x.ioArgsPointer() + 256;
    const key = new Uint8Array(64).fill(0xa5);
    stack.bytes().set(key, keyPointer);
    x.blake2bInit(64, keyPointer, 64);
    x.blake2bFinal(out);
    const digest = stack.bytes().slice(out, out + 64);
    expect(hex(digest)).toBe(expectedBlake2b(new Uint8Array(0), 64, key));
    // Clear the host's own copies; any other copy would be in the context (key block, h0..h7).
    stack.bytes().fill(0, keyPointer, keyPointer + 64);
    stack.bytes().fill(0, out, out + 64);
    const memory = Buffer.from(stack.bytes());
    expect(memory.indexOf(Buffer.from(key.subarray(0, 16)))).toBe(-1);
    expect(memory.indexOf(Buffer.from(digest.subarray(0, 16)))).toBe(-1);
  });
});

describe("BLAKE2b rejects out-of-range arguments", () => {
  it("throws a RangeError naming outLen for 0, 65 and non-integers", () => {
    for (const outLen of [0, 65, 1.5, -1]) {
      expect(() => crypto.blake2b(new Uint8Array(1), outLen)).toThrow(RangeError);
      expect(() => crypto.blake2b(new Uint8Array(1), outLen)).toThrow(/^outLen: /);
    }
  });

  it("throws a RangeError naming key for a key longer than 64 bytes", () => {
    expect(() => crypto.blake2b(new Uint8Array(1), 64, new Uint8Array(65))).toThrow(RangeError);
    expect(() => crypto.blake2b(new Uint8Array(1), 64, new Uint8Array(65))).toThrow(/^key: /);
  });

  it("traps inside the WASM when the binding's checks are bypassed", async () => {
    const { x } = await rawExports();
    expect(() => x.blake2bInit(65, 0, 0)).toThrow(StackTrap);
    expect(() => x.blake2bInit(0, 0, 0)).toThrow(StackTrap);
    expect(() => x.blake2bInit(32, x.ioArgsPointer(), 65)).toThrow(StackTrap);
  });
});
