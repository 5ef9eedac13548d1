// SipHash-2-4 in stack.wasm: the paper's reference vector, Project Wycheproof's 40 cases, an
// independent BigInt implementation on seeded random inputs, and streaming through the raw exports.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { type Crypto, loadCrypto } from "../../host/wasm/crypto.js";
import { instantiateStack } from "../../host/wasm/load-stack.js";
import { fromHex, hex, SeededRandom } from "../support/seeded-random.js";

let crypto: Crypto;
beforeAll(async () => {
  crypto = await loadCrypto();
});

const counting = (length: number) => Uint8Array.from({ length }, (_, i) => i);

/** SipHash-2-4 from the paper (Aumasson & Bernstein 2012, §2), on BigInts; returns the tag's 8 bytes. */
function referenceSipHash24(key: Uint8Array, message: Uint8Array): Uint8Array {
  const mask = (1n << 64n) - 1n;
  const word = (bytes: Uint8Array, at: number) =>
    new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigUint64(0, true);
  const rotl = (x: bigint, bits: bigint) => ((x << bits) | (x >> (64n - bits))) & mask;
  const k0 = word(key, 0);
  const k1 = word(key, 8);
  const v = [k0 ^ 0x736f6d6570736575n, k1 ^ 0x646f72616e646f6dn, k0 ^ 0x6c7967656e657261n, k1 ^ 0x7465646279746573n];
  const sipRound = () => {
    v[0] = (v[0] + v[1]) & mask;
    v[1] = rotl(v[1], 13n) ^ v[0];
    v[0] = rotl(v[0], 32n);
    v[2] = (v[2] + v[3]) & mask;
    v[3] = rotl(v[3], 16n) ^ v[2];
    v[0] = (v[0] + v[3]) & mask;
    v[3] = rotl(v[3], 21n) ^ v[0];
    v[2] = (v[2] + v[1]) & mask;
    v[1] = rotl(v[1], 17n) ^ v[2];
    v[2] = rotl(v[2], 32n);
  };
  // The message padded to whole words, the last word's top byte holding the length mod 256.
  const padded = new Uint8Array(Math.floor(message.length / 8) * 8 + 8);
  padded.set(message);
  padded[padded.length - 1] = message.length & 0xff;
  for (let at = 0; at < padded.length; at += 8) {
    const m = word(padded, at);
    v[3] ^= m;
    sipRound();
    sipRound();
    v[0] ^= m;
  }
  v[2] ^= 0xffn;
  for (let i = 0; i < 4; i++) sipRound();
  const tag = new Uint8Array(8);
  new DataView(tag.buffer).setBigUint64(0, v[0] ^ v[1] ^ v[2] ^ v[3], true);
  return tag;
}

describe("SipHash-2-4 reproduces the reference vector", () => {
  it("gives a129ca6149be45e5 for key 00..0f and message 00..0e, written as a little-endian u64", () => {
    const tag = crypto.sipHash24(counting(16), counting(15));
    // The paper prints the 64-bit value; the reference implementation (vectors.h) stores it
    // little-endian, so the bytes read e5 45 be 49 61 ca 29 a1.
    expect(new DataView(tag.buffer, tag.byteOffset).getBigUint64(0, true)).toBe(0xa129ca6149be45e5n);
    expect(hex(tag)).toBe("e545be4961ca29a1");
  });

  it("matches the BigInt reference for key 00..0f and messages 00..(n-1), n = 0..63 (the vectors.h set)", () => {
    for (let length = 0; length < 64; length++) {
      expect(hex(crypto.sipHash24(counting(16), counting(length))), `length ${length}`).toBe(
        hex(referenceSipHash24(counting(16), counting(length))),
      );
    }
  });
});

describe("SipHash-2-4 passes every Project Wycheproof case", () => {
  const suite = JSON.parse(
    readFileSync(new URL("../vectors/wycheproof/siphash_2_4_test.json", import.meta.url), "utf8"),
  ) as { testGroups: { tests: { tcId: number; key: string; msg: string; tag: string; result: string }[] }[] };
  const cases = suite.testGroups.flatMap((group) => group.tests);

  it("has the 40 cases of siphash_2_4_test.json, all valid", () => {
    expect(cases).toHaveLength(40);
    expect(cases.every((test) => test.result === "valid")).toBe(true);
  });

  it.each(cases.map((test) => [test.tcId, test] as const))("tcId %i", (_, test) => {
    expect(hex(crypto.sipHash24(fromHex(test.key), fromHex(test.msg)))).toBe(test.tag);
  });
});

describe("SipHash-2-4 agrees with an independent BigInt implementation on seeded random inputs", () => {
  it("matches on 1,000 random keys and messages of 0..300 bytes", () => {
    const random = new SeededRandom(0x51f);
    for (let i = 0; i < 1000; i++) {
      const key = random.bytes(16);
      const message = random.bytes(random.between(0, 300));
      expect(hex(crypto.sipHash24(key, message)), `length ${message.length}`).toBe(
        hex(referenceSipHash24(key, message)),
      );
    }
  });

  it("matches on inputs longer than the 4 KiB I/O window, including lengths past 255 (length byte wraps)", () => {
    const random = new SeededRandom(0x5194);
    for (const length of [255, 256, 257, 4095, 4096, 4097, 9000]) {
      const key = random.bytes(16);
      const message = random.bytes(length);
      expect(hex(crypto.sipHash24(key, message)), `length ${length}`).toBe(hex(referenceSipHash24(key, message)));
    }
  });
});

describe("SipHash-2-4 streamed in random chunks through the exports equals the one-shot tag", () => {
  it("gives the same tag for 500 seeded messages cut at random points (partial words carried over)", async () => {
    const stack = await instantiateStack();
    const x = stack.exports as unknown as {
      ioDataPointer(): number;
      ioArgsPointer(): number;
      sipHashInit(keyPointer: number): void;
      sipHashUpdate(pointer: number, length: number): void;
      sipHashFinal(outPointer: number): void;
    };
    const data = x.ioDataPointer();
    const keyPointer = x.ioArgsPointer();
    const out = x.ioArgsPointer() + 256;
    const random = new SeededRandom(0x5c);
    for (let i = 0; i < 500; i++) {
      const key = random.bytes(16);
      const message = random.bytes(random.between(0, 200));
      stack.bytes().set(key, keyPointer);
      x.sipHashInit(keyPointer);
      for (let offset = 0; offset < message.length; ) {
        const length = Math.min(message.length - offset, random.below(5) === 0 ? 0 : random.between(1, 20));
        stack.bytes().set(message.subarray(offset, offset + length), data);
        x.sipHashUpdate(data, length);
        offset += length;
      }
      x.sipHashFinal(out);
      expect(hex(stack.bytes().slice(out, out + 8)), `length ${message.length}`).toBe(
        hex(crypto.sipHash24(key, message)),
      );
    }
  });
});

describe("SipHash-2-4 rejects keys that are not 16 bytes", () => {
  it("throws a RangeError naming key for 15 and 17 bytes", () => {
    for (const length of [0, 15, 17, 32]) {
      expect(() => crypto.sipHash24(new Uint8Array(length), new Uint8Array(1))).toThrow(RangeError);
      expect(() => crypto.sipHash24(new Uint8Array(length), new Uint8Array(1))).toThrow(/^key: /);
    }
  });

  it("throws a TypeError naming data when the message is not bytes", () => {
    expect(() => crypto.sipHash24(new Uint8Array(16), "x" as unknown as Uint8Array)).toThrow(/^data: /);
  });
});
