// X25519 (RFC 7748 §5) as stack.wasm computes it: the RFC's vectors, every Wycheproof case, and
// differential tests against @noble/curves and node:crypto (OpenSSL) on seeded random scalars and
// u-coordinates, including the high bit set and non-canonical u ≥ p.
//
// Small-order policy: the primitive returns the all-zero string for small-order u, exactly as RFC 7748
// §5 computes it; callers that must not accept it (§6.1 "MAY check") compare with zero. noble instead
// throws on those inputs (before the ladder, to avoid a timing oracle in BigInt arithmetic); our
// ladder's field arithmetic takes the same time for every operand, zero included.
import { createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";
import { readFileSync } from "node:fs";
import { x25519 } from "@noble/curves/ed25519.js";
import { beforeAll, describe, expect, it } from "vitest";
import { type Crypto, loadCrypto } from "../../host/wasm/crypto.js";
import { fromHex, hex, SeededRandom } from "../support/seeded-random.js";

const P = 2n ** 255n - 19n; // RFC 7748 §4.1

function toLittleEndian(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

// RFC 8410 §7: PKCS#8 and SubjectPublicKeyInfo prefixes for a raw X25519 key.
const PKCS8_PREFIX = fromHex("302e020100300506032b656e04220420");
const SPKI_PREFIX = fromHex("302a300506032b656e032100");
function nodeX25519(scalar: Uint8Array, point: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, scalar]), format: "der", type: "pkcs8" });
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, point]), format: "der", type: "spki" });
  return new Uint8Array(diffieHellman({ privateKey, publicKey }));
}

const BASE_POINT = toLittleEndian(9n); // RFC 7748 §4.1: u = 9

let stack: Crypto;
beforeAll(async () => {
  stack = await loadCrypto();
});

describe("X25519 reproduces the RFC 7748 §5.2 test vectors", () => {
  it("computes both scalar × u-coordinate vectors", () => {
    expect(
      hex(
        stack.x25519(
          fromHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
          fromHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
        ),
      ),
    ).toBe("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    expect(
      hex(
        stack.x25519(
          fromHex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
          fromHex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"),
        ),
      ),
    ).toBe("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
  });

  // k = u = 9, then k ← X25519(k, u), u ← old k. (The 1,000,000-iteration value is too slow for CI.)
  function iterate(times: number): string {
    let k: Uint8Array = BASE_POINT.slice();
    let u: Uint8Array = BASE_POINT.slice();
    for (let i = 0; i < times; i++) {
      const next = stack.x25519(k, u);
      u = k;
      k = next;
    }
    return hex(k);
  }

  it("matches the iterated value after 1 iteration", () => {
    expect(iterate(1)).toBe("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
  });

  it("matches the iterated value after 1,000 iterations", () => {
    expect(iterate(1000)).toBe("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
  });
});

describe("X25519 Diffie–Hellman agrees with RFC 7748 §6.1", () => {
  it("derives both public keys and the same shared secret on both sides", () => {
    const alicePrivate = fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const bobPrivate = fromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    const alicePublic = stack.x25519(alicePrivate, BASE_POINT);
    const bobPublic = stack.x25519(bobPrivate, BASE_POINT);
    expect(hex(alicePublic)).toBe("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    expect(hex(bobPublic)).toBe("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    expect(hex(stack.x25519(alicePrivate, bobPublic))).toBe(shared);
    expect(hex(stack.x25519(bobPrivate, alicePublic))).toBe(shared);
  });
});

describe("X25519 matches every Wycheproof x25519 case", () => {
  interface WycheproofTest {
    tcId: number;
    comment: string;
    flags: string[];
    public: string;
    private: string;
    shared: string;
    result: "valid" | "invalid" | "acceptable";
  }
  const file = JSON.parse(readFileSync(new URL("../vectors/wycheproof/x25519_test.json", import.meta.url), "utf8")) as {
    numberOfTests: number;
    testGroups: { tests: WycheproofTest[] }[];
  };
  const cases = file.testGroups.flatMap((group) => group.tests);

  it("covers all 518 cases", () => {
    expect(cases.length).toBe(file.numberOfTests);
    expect(cases.length).toBe(518);
  });

  it("returns the expected shared value for valid and acceptable cases alike, all-zero ones included", () => {
    // "acceptable" marks inputs a protocol may refuse (twist points, low order, non-canonical u); the
    // primitive computes RFC 7748 §5 for all of them, so its output equals `shared` in every case.
    const disagreements: string[] = [];
    let zeroResults = 0;
    for (const test of cases) {
      expect(test.result).not.toBe("invalid");
      const shared = hex(stack.x25519(fromHex(test.private), fromHex(test.public)));
      if (shared !== test.shared) disagreements.push(`tcId ${test.tcId} (${test.comment})`);
      if (/^0+$/.test(shared)) {
        zeroResults++;
        expect(test.flags).toContain("ZeroSharedSecret");
      }
    }
    expect(disagreements).toEqual([]);
    expect(zeroResults).toBe(cases.filter((test) => test.flags.includes("ZeroSharedSecret")).length);
  });
});

describe("X25519 agrees with @noble/curves and node:crypto on 1,000 seeded random inputs", () => {
  it("computes the same result for random scalars and random, high-bit and non-canonical u-coordinates", () => {
    const rng = new SeededRandom(0x7748);
    for (let i = 0; i < 1000; i++) {
      const scalar = rng.bytes(32); // unclamped: the primitive clamps (RFC 7748 §5 decodeScalar25519)
      let point: Uint8Array;
      switch (i % 4) {
        case 0: // uniform 256-bit strings: bit 255 set half of the time (it is ignored)
          point = rng.bytes(32);
          break;
        case 1: // bit 255 set
          point = rng.bytes(32);
          point[31] |= 0x80;
          break;
        case 2: // non-canonical u in [p + 2, 2^255): the same point as u − p (p and p + 1 are low order)
          point = toLittleEndian(P + BigInt(rng.between(2, 18)));
          if (rng.below(2)) point[31] |= 0x80;
          break;
        default: // near the top of the range, mostly non-canonical when bit 255 is ignored
          point = rng.bytes(32);
          point[31] = 0x7f | (rng.below(2) << 7);
          for (let j = 1; j < 31; j++) point[j] = 0xff;
      }
      const ours = hex(stack.x25519(scalar, point));
      const context = `case ${i}: scalar ${hex(scalar)}, u ${hex(point)}`;
      expect(ours, context).toBe(hex(x25519.scalarMult(scalar, point)));
      expect(ours, context).toBe(hex(nodeX25519(scalar, point)));
    }
  });

  it("derives the public keys noble and node:crypto derive (scalar × 9)", () => {
    const rng = new SeededRandom(9);
    for (let i = 0; i < 200; i++) {
      const scalar = rng.bytes(32);
      const ours = hex(stack.x25519(scalar, BASE_POINT));
      expect(ours).toBe(hex(x25519.getPublicKey(scalar)));
      const nodeKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, scalar]), format: "der", type: "pkcs8" });
      expect(ours).toBe(hex(createPublicKey(nodeKey).export({ format: "der", type: "spki" }).subarray(12)));
    }
  });

  it("is symmetric: X25519(a, X25519(b, 9)) = X25519(b, X25519(a, 9))", () => {
    const rng = new SeededRandom(0xd1ff1e);
    for (let i = 0; i < 50; i++) {
      const a = rng.bytes(32);
      const b = rng.bytes(32);
      expect(hex(stack.x25519(a, stack.x25519(b, BASE_POINT)))).toBe(hex(stack.x25519(b, stack.x25519(a, BASE_POINT))));
    }
  });
});

describe("X25519 returns all zeros for small-order u-coordinates and leaves the refusal to callers", () => {
  // Every u whose point (on the curve or its twist) has order dividing 8: 0, 1, p − 1 and the two
  // order-8 u values (the ones noble lists), plus the non-canonical encodings p and p + 1 of 0 and 1.
  const orderEight = [
    325606250916557431795983626356110631294008115727848805560023387167927233504n,
    39382357235489614581723060781553021112529911719440698176882885853963445705823n,
  ];
  const smallOrder = [0n, 1n, P - 1n, ...orderEight, P, P + 1n];

  it("gives the all-zero result for every small-order u, with and without bit 255, where noble and OpenSSL refuse", () => {
    const rng = new SeededRandom(0x0);
    for (const u of smallOrder) {
      for (const highBit of [0, 0x80]) {
        const point = toLittleEndian(u);
        point[31] |= highBit;
        for (let i = 0; i < 4; i++) {
          const scalar = rng.bytes(32);
          expect(hex(stack.x25519(scalar, point)), `u = ${u}`).toBe("00".repeat(32));
          expect(() => x25519.scalarMult(scalar, point)).toThrow();
          expect(() => nodeX25519(scalar, point)).toThrow();
        }
      }
    }
  });
});

describe("X25519 rejects arguments of the wrong size with a RangeError naming the argument", () => {
  it("names scalar and point", () => {
    expect(() => stack.x25519(new Uint8Array(31), BASE_POINT)).toThrow(/^scalar: expected 32 bytes, got 31$/);
    expect(() => stack.x25519(new Uint8Array(33), BASE_POINT)).toThrow(RangeError);
    expect(() => stack.x25519(new Uint8Array(32), new Uint8Array(31))).toThrow(/^point: expected 32 bytes, got 31$/);
    expect(() => stack.x25519(new Uint8Array(32), new Uint8Array(64))).toThrow(RangeError);
  });
});
