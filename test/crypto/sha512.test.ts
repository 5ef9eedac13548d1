// SHA-512 in stack.wasm: FIPS 180-4 examples, differential tests against node:crypto and @noble/hashes,
// and streaming through the raw exports.
import { createHash } from "node:crypto";
import { sha512 as nobleSha512 } from "@noble/hashes/sha2.js";
import { beforeAll, describe, expect, it } from "vitest";
import { type Crypto, loadCrypto } from "../../host/wasm/crypto.js";
import { instantiateStack } from "../../host/wasm/load-stack.js";
import { hex, SeededRandom } from "../support/seeded-random.js";

const text = (value: string) => new TextEncoder().encode(value);
const nodeSha512 = (data: Uint8Array) => createHash("sha512").update(data).digest("hex");

let crypto: Crypto;
beforeAll(async () => {
  crypto = await loadCrypto();
});

/** Hashes `data` through the raw streaming exports, cutting it into the given chunk lengths. */
async function sha512InChunks(): Promise<(data: Uint8Array, chunkLengths: number[]) => string> {
  const stack = await instantiateStack();
  const x = stack.exports as unknown as {
    ioDataPointer(): number;
    ioArgsPointer(): number;
    sha512Init(): void;
    sha512Update(pointer: number, length: number): void;
    sha512Final(outPointer: number): void;
  };
  const data = x.ioDataPointer();
  const out = x.ioArgsPointer();
  return (message, chunkLengths) => {
    x.sha512Init();
    let offset = 0;
    for (const length of chunkLengths) {
      stack.bytes().set(message.subarray(offset, offset + length), data);
      x.sha512Update(data, length);
      offset += length;
    }
    x.sha512Final(out);
    return hex(stack.bytes().slice(out, out + 64));
  };
}

describe("SHA-512 reproduces the FIPS 180-4 example digests", () => {
  // NIST "Examples with intermediate values" for SHA-512, and the one-million-'a' long message.
  it("hashes 'abc' (one block)", () => {
    expect(hex(crypto.sha512(text("abc")))).toBe(
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
  });

  it("hashes the empty message", () => {
    expect(hex(crypto.sha512(new Uint8Array(0)))).toBe(
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce" +
        "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
    );
  });

  it("hashes the 896-bit message (padding spills into a second block)", () => {
    const message = text(
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    );
    expect(message.length * 8).toBe(896);
    expect(hex(crypto.sha512(message))).toBe(
      "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018" +
        "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
    );
  });

  it("hashes one million 'a' (streamed through the 4 KiB I/O window)", () => {
    expect(hex(crypto.sha512(new Uint8Array(1_000_000).fill(0x61)))).toBe(
      "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb" +
        "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b",
    );
  });
});

describe("SHA-512 agrees with node:crypto and @noble/hashes on seeded random inputs", () => {
  it("matches both on 1,000 inputs of 0..700 bytes", () => {
    const random = new SeededRandom(0x5a512);
    for (let i = 0; i < 1000; i++) {
      const data = random.bytes(random.between(0, 700));
      const digest = hex(crypto.sha512(data));
      expect(digest, `length ${data.length}`).toBe(nodeSha512(data));
      expect(digest, `length ${data.length}`).toBe(hex(nobleSha512(data)));
    }
  });

  it("matches node:crypto at every length around the padding boundaries (100..260 bytes)", () => {
    const random = new SeededRandom(7);
    for (let length = 100; length <= 260; length++) {
      const data = random.bytes(length);
      expect(hex(crypto.sha512(data)), `length ${length}`).toBe(nodeSha512(data));
    }
  });
});

describe("SHA-512 hashes inputs longer than the I/O window", () => {
  it("matches node:crypto at and around multiples of the 4 KiB window", () => {
    const random = new SeededRandom(4096);
    for (const length of [4095, 4096, 4097, 8192, 8192 + 129, 20_000, 65_536 + 3]) {
      const data = random.bytes(length);
      expect(hex(crypto.sha512(data)), `length ${length}`).toBe(nodeSha512(data));
    }
  });
});

describe("SHA-512 streamed in random chunks through the exports equals the one-shot digest", () => {
  it("gives the same digest for 300 seeded messages cut at random points, empty chunks included", async () => {
    const hashInChunks = await sha512InChunks();
    const random = new SeededRandom(0xc4a7);
    for (let i = 0; i < 300; i++) {
      const data = random.bytes(random.between(0, 1200));
      const chunks: number[] = [];
      for (let left = data.length; left > 0; ) {
        const length = Math.min(left, random.below(5) === 0 ? 0 : random.between(1, 300));
        chunks.push(length);
        left -= length;
      }
      expect(hashInChunks(data, chunks), `length ${data.length}, chunks ${chunks}`).toBe(nodeSha512(data));
    }
  });

  it("can be reused after final (init starts afresh)", async () => {
    const hashInChunks = await sha512InChunks();
    expect(hashInChunks(text("abc"), [1, 2])).toBe(nodeSha512(text("abc")));
    expect(hashInChunks(text("abc"), [3])).toBe(nodeSha512(text("abc")));
  });
});

describe("SHA-512 rejects arguments that are not bytes", () => {
  it("throws a TypeError naming data", () => {
    expect(() => crypto.sha512("abc" as unknown as Uint8Array)).toThrow(/^data: /);
    expect(() => crypto.sha512("abc" as unknown as Uint8Array)).toThrow(TypeError);
  });
});
