// CRC-32C in stack.wasm: the check value and RFC 3720 §B.4 examples, a bitwise reference implementation
// on seeded random inputs, and chaining through the raw crc32cUpdate export.
import { beforeAll, describe, expect, it } from "vitest";
import { type Crypto, loadCrypto } from "../../host/wasm/crypto.js";
import { instantiateStack } from "../../host/wasm/load-stack.js";
import { SeededRandom } from "../support/seeded-random.js";

let crypto: Crypto;
beforeAll(async () => {
  crypto = await loadCrypto();
});

/** The reflected CRC-32C register shifted one bit at a time (RFC 3720 §B.4), no tables. */
function referenceCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const range = (length: number, at: (i: number) => number) => Uint8Array.from({ length }, (_, i) => at(i));

describe("CRC-32C reproduces the published check values", () => {
  it('gives 0xE3069283 for "123456789"', () => {
    expect(crypto.crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
  });

  // RFC 3720 §B.4 lists the CRC as the bytes sent on the wire (little-endian); these are the values.
  it.each([
    ["32 bytes of zeros", new Uint8Array(32), 0x8a9136aa],
    ["32 bytes of 0xFF", new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ["32 incrementing bytes 00..1F", range(32, (i) => i), 0x46dd794e],
    ["32 decrementing bytes 1F..00", range(32, (i) => 31 - i), 0x113fdb5c],
  ])("gives the RFC 3720 §B.4 value for %s", (_, data, expected) => {
    expect(crypto.crc32c(data)).toBe(expected);
  });

  it("gives 0 for the empty input", () => {
    expect(crypto.crc32c(new Uint8Array(0))).toBe(0);
  });
});

describe("CRC-32C agrees with a bitwise reference implementation on seeded random inputs", () => {
  it("matches on 1,000 inputs of 0..700 bytes", () => {
    const random = new SeededRandom(0xc3c);
    for (let i = 0; i < 1000; i++) {
      const data = random.bytes(random.between(0, 700));
      expect(crypto.crc32c(data), `length ${data.length}`).toBe(referenceCrc32c(data));
    }
  });

  it("matches on inputs longer than the 4 KiB I/O window (the binding chains the chunks)", () => {
    const random = new SeededRandom(0x4000);
    for (const length of [4095, 4096, 4097, 10_000, 3 * 4096 + 7]) {
      const data = random.bytes(length);
      expect(crypto.crc32c(data), `length ${length}`).toBe(referenceCrc32c(data));
    }
  });
});

describe("crc32cUpdate continues a CRC across split inputs", () => {
  it("gives CRC-32C(a‖b) from crc32cUpdate(crc32cUpdate(0, a), b) at random split points and offsets", async () => {
    const stack = await instantiateStack();
    const x = stack.exports as unknown as {
      ioDataPointer(): number;
      crc32cUpdate(crc: number, pointer: number, length: number): number;
    };
    const base = x.ioDataPointer();
    const random = new SeededRandom(0x5917);
    for (let i = 0; i < 500; i++) {
      const data = random.bytes(random.between(0, 600));
      const split = random.between(0, data.length);
      // Start at an odd address too: the word-at-a-time loop must not assume alignment.
      const pointer = base + random.below(8);
      stack.bytes().set(data, pointer);
      const first = x.crc32cUpdate(0, pointer, split);
      const whole = x.crc32cUpdate(first, pointer + split, data.length - split) >>> 0;
      expect(whole, `length ${data.length}, split ${split}`).toBe(referenceCrc32c(data));
    }
  });
});

describe("CRC-32C rejects arguments that are not bytes", () => {
  it("throws a TypeError naming data", () => {
    expect(() => crypto.crc32c([1, 2, 3] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => crypto.crc32c([1, 2, 3] as unknown as Uint8Array)).toThrow(/^data: /);
  });
});
