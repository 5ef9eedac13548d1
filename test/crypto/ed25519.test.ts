// Ed25519 (RFC 8032 §5.1) as stack.wasm computes it: the RFC's own vectors, every Wycheproof verdict,
// differential tests against @noble/curves and node:crypto (OpenSSL) on seeded random inputs, and the
// verification policy of firmware/crypto/ed25519.ts (strict encodings, S < L, no small-order key,
// cofactorless equation) case by case, each next to noble's strict-mode (`zip215: false`) verdict.
import { createHash, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { readFileSync } from "node:fs";
import { ED25519_TORSION_SUBGROUP, ed25519 } from "@noble/curves/ed25519.js";
import { beforeAll, describe, expect, it } from "vitest";
import { type Crypto, loadCrypto } from "../../host/wasm/crypto.js";
import { fromHex, hex, SeededRandom } from "../support/seeded-random.js";

// RFC 8032 §5.1: the field prime and the group order L.
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const Point = ed25519.Point;

/** noble in strict RFC 8032 mode: canonical encodings only, small-order keys rejected. */
const nobleStrictVerify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) =>
  ed25519.verify(signature, message, publicKey, { zip215: false });

// RFC 8410 §7: PKCS#8 OneAsymmetricKey and SubjectPublicKeyInfo prefixes for a raw Ed25519 key.
const PKCS8_PREFIX = fromHex("302e020100300506032b657004220420");
const SPKI_PREFIX = fromHex("302a300506032b6570032100");
const nodePrivateKey = (seed: Uint8Array) =>
  createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
const nodePublicKey = (publicKey: Uint8Array) =>
  createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });

function toLittleEndian(value: bigint, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}
function fromLittleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
/** k = SHA-512(R ‖ A ‖ M) mod L (RFC 8032 §5.1.6 step 4). */
const challenge = (r: Uint8Array, a: Uint8Array, m: Uint8Array) =>
  fromLittleEndian(
    new Uint8Array(
      createHash("sha512")
        .update(concat(r, a, m))
        .digest(),
    ),
  ) % L;
const randomScalar = (rng: SeededRandom) => (fromLittleEndian(rng.bytes(40)) % (L - 1n)) + 1n;
const withS = (signature: Uint8Array, s: bigint) => concat(signature.subarray(0, 32), toLittleEndian(s));

let stack: Crypto;
beforeAll(async () => {
  stack = await loadCrypto();
});

describe("Ed25519 reproduces the RFC 8032 §7.1 test vectors", () => {
  // Transcribed from RFC 8032 §7.1; noble and OpenSSL agree with every byte (checked below as well).
  const vectors = [
    {
      name: "TEST 1",
      seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
      publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
      message: "",
      signature:
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    },
    {
      name: "TEST 2",
      seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
      publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
      message: "72",
      signature:
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    },
    {
      name: "TEST 3",
      seed: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
      publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
      message: "af82",
      signature:
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    },
    {
      name: "TEST 1024",
      seed: "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
      publicKey: "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
      message:
        "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8" +
        "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc" +
        "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e" +
        "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7" +
        "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2" +
        "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270" +
        "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07" +
        "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128bab27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a" +
        "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7" +
        "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8" +
        "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08" +
        "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4" +
        "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e" +
        "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5" +
        "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d" +
        "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
      signature:
        "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03",
    },
    {
      name: "TEST SHA(abc)",
      seed: "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
      publicKey: "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
      // The message is SHA-512("abc") (FIPS 180-4 example), derived here rather than retyped.
      message: createHash("sha512").update("abc").digest("hex"),
      signature:
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    },
  ];

  for (const vector of vectors) {
    it(`${vector.name}: public key, signature and verification`, () => {
      const seed = fromHex(vector.seed);
      const message = fromHex(vector.message);
      expect(hex(stack.ed25519PublicKey(seed))).toBe(vector.publicKey);
      expect(hex(stack.ed25519Sign(message, seed))).toBe(vector.signature);
      expect(stack.ed25519Verify(fromHex(vector.signature), message, fromHex(vector.publicKey))).toBe(true);
      expect(hex(ed25519.sign(message, seed))).toBe(vector.signature);
    });
  }

  it("TEST 1024 has the 1023-byte message of the RFC", () => {
    expect(fromHex(vectors[3].message).length).toBe(1023);
  });
});

describe("Ed25519 verification matches every Wycheproof ed25519 verdict", () => {
  interface WycheproofTest {
    tcId: number;
    comment: string;
    flags: string[];
    msg: string;
    sig: string;
    result: "valid" | "invalid" | "acceptable";
  }
  interface WycheproofFile {
    numberOfTests: number;
    testGroups: { publicKey: { pk: string }; tests: WycheproofTest[] }[];
  }
  const file = JSON.parse(
    readFileSync(new URL("../vectors/wycheproof/ed25519_test.json", import.meta.url), "utf8"),
  ) as WycheproofFile;
  const cases = file.testGroups.flatMap((group) =>
    group.tests.map((test) => ({ publicKey: group.publicKey.pk, test })),
  );

  it("covers all 151 cases", () => {
    expect(cases.length).toBe(file.numberOfTests);
    expect(cases.length).toBe(151);
  });

  it("accepts exactly the valid ones (a wrong-length signature is a RangeError, i.e. rejected)", () => {
    const disagreements: string[] = [];
    for (const { publicKey, test } of cases) {
      expect(test.result).not.toBe("acceptable"); // none in this file; a new copy must be looked at
      const signature = fromHex(test.sig);
      let accepted: boolean;
      if (signature.length !== 64) {
        expect(() => stack.ed25519Verify(signature, fromHex(test.msg), fromHex(publicKey))).toThrow(RangeError);
        accepted = false;
      } else {
        accepted = stack.ed25519Verify(signature, fromHex(test.msg), fromHex(publicKey));
        // noble's strict mode reaches the same verdict on every well-formed case.
        expect(nobleStrictVerify(signature, fromHex(test.msg), fromHex(publicKey))).toBe(accepted);
      }
      if (accepted !== (test.result === "valid")) disagreements.push(`tcId ${test.tcId} (${test.comment})`);
    }
    expect(disagreements).toEqual([]);
  });
});

describe("Ed25519 agrees with @noble/curves and node:crypto on 1,000 seeded random keys and messages", () => {
  it("derives the same public keys, signs the same bytes and verifies each other's signatures", () => {
    const rng = new SeededRandom(0x25519);
    for (let i = 0; i < 1000; i++) {
      const seed = rng.bytes(32);
      const message = rng.bytes(rng.between(0, 600));
      const publicKey = stack.ed25519PublicKey(seed);
      const signature = stack.ed25519Sign(message, seed);
      const context = `case ${i}`;
      expect(hex(publicKey), context).toBe(hex(ed25519.getPublicKey(seed)));
      const nodeDerived = createPublicKey(nodePrivateKey(seed)).export({ format: "der", type: "spki" }).subarray(12);
      expect(hex(publicKey), context).toBe(hex(nodeDerived));
      expect(hex(signature), context).toBe(hex(ed25519.sign(message, seed)));
      expect(hex(signature), context).toBe(hex(nodeSign(null, message, nodePrivateKey(seed))));
      // Given the seed's own public key (as libsodium's secret key holds it), the same signature.
      expect(hex(stack.ed25519Sign(message, seed, publicKey)), context).toBe(hex(signature));
      expect(stack.ed25519Verify(signature, message, publicKey), context).toBe(true);
      expect(nodeVerify(null, message, nodePublicKey(publicKey), signature), context).toBe(true);
    }
  });
});

describe("Ed25519 signs and verifies messages longer than the stack's I/O window", () => {
  it("streams 4,096-byte chunks through both passes of signing and through verification", () => {
    const rng = new SeededRandom(42);
    for (const length of [4095, 4096, 4097, 8192, 12_345]) {
      const seed = rng.bytes(32);
      const message = rng.bytes(length);
      const signature = stack.ed25519Sign(message, seed);
      expect(hex(signature)).toBe(hex(ed25519.sign(message, seed)));
      expect(stack.ed25519Verify(signature, message, stack.ed25519PublicKey(seed))).toBe(true);
      message[length - 1] ^= 1;
      expect(stack.ed25519Verify(signature, message, stack.ed25519PublicKey(seed))).toBe(false);
    }
  });
});

describe("Ed25519 rejects tampered messages, signatures and keys, as noble's strict mode does", () => {
  const rng = new SeededRandom(0xbad5eed);
  const keys = Array.from({ length: 20 }, () => {
    const seed = rng.bytes(32);
    return { seed, publicKey: ed25519.getPublicKey(seed) };
  });

  it("rejects 1,000 single-bit flips in the message, in R, in S and in the public key", () => {
    for (let i = 0; i < 1000; i++) {
      const { seed, publicKey } = keys[i % keys.length];
      const message = rng.bytes(rng.between(1, 300));
      const signature = ed25519.sign(message, seed);
      const target = i % 4;
      const flipped = [message, signature.subarray(0, 32), signature.subarray(32), publicKey][target].slice();
      flipped[rng.below(flipped.length)] ^= 1 << rng.below(8);
      const [m, s, a] =
        target === 0
          ? [flipped, signature, publicKey]
          : target === 1
            ? [message, concat(flipped, signature.subarray(32)), publicKey]
            : target === 2
              ? [message, concat(signature.subarray(0, 32), flipped), publicKey]
              : [message, signature, flipped];
      const context = `case ${i}, flip in ${["message", "R", "S", "public key"][target]}`;
      expect(stack.ed25519Verify(s, m, a), context).toBe(false);
      expect(nobleStrictVerify(s, m, a), context).toBe(false);
    }
  });

  it("rejects a valid signature checked under another key", () => {
    const message = rng.bytes(40);
    const signature = ed25519.sign(message, keys[0].seed);
    expect(stack.ed25519Verify(signature, message, keys[1].publicKey)).toBe(false);
    expect(nobleStrictVerify(signature, message, keys[1].publicKey)).toBe(false);
  });
});

describe("Ed25519 rejects S ≥ L (RFC 8032 §5.1.7 step 1, malleability)", () => {
  const rng = new SeededRandom(0x5);
  const seed = rng.bytes(32);
  const publicKey = ed25519.getPublicKey(seed);

  it("rejects S + L, which satisfies the group equation just as S does", () => {
    for (let i = 0; i < 20; i++) {
      const message = rng.bytes(32);
      const signature = stack.ed25519Sign(message, seed);
      const s = fromLittleEndian(signature.subarray(32));
      expect(stack.ed25519Verify(signature, message, publicKey)).toBe(true);
      const malleated = withS(signature, s + L);
      expect(stack.ed25519Verify(malleated, message, publicKey)).toBe(false);
      expect(nobleStrictVerify(malleated, message, publicKey)).toBe(false);
    }
  });

  it("rejects S = L, S = L + 1 and S = 2^256 − 1", () => {
    const message = rng.bytes(32);
    const signature = stack.ed25519Sign(message, seed);
    for (const s of [L, L + 1n, 2n ** 256n - 1n]) {
      expect(stack.ed25519Verify(withS(signature, s), message, publicKey)).toBe(false);
      expect(nobleStrictVerify(withS(signature, s), message, publicKey)).toBe(false);
    }
  });
});

describe("Ed25519 rejects encodings of R and A that are not canonical points on the curve", () => {
  const rng = new SeededRandom(0xc0de);
  const seed = rng.bytes(32);
  const publicKey = ed25519.getPublicKey(seed);
  const message = rng.bytes(64);
  const signature = ed25519.sign(message, seed);

  /** y in [0, 19) on the curve: y + p < 2^255 is then a second, non-canonical encoding of (x, y). */
  const smallY = [...Array(19).keys()].filter((y) => {
    try {
      Point.fromBytes(toLittleEndian(BigInt(y)), true);
      return true;
    } catch {
      return false;
    }
  });

  it("rejects public keys with y ≥ p (both signs), which noble's lenient ZIP-215 mode still decodes", () => {
    expect(smallY.length).toBeGreaterThan(2);
    for (const y of smallY) {
      for (const sign of [0, 0x80]) {
        const encoding = toLittleEndian(BigInt(y) + P);
        encoding[31] |= sign;
        expect(() => Point.fromBytes(encoding, true)).not.toThrow();
        expect(() => Point.fromBytes(encoding, false)).toThrow();
        expect(stack.ed25519Verify(signature, message, encoding), `y = p + ${y}`).toBe(false);
        expect(nobleStrictVerify(signature, message, encoding)).toBe(false);
      }
    }
  });

  it("rejects R with y ≥ p even when S is computed for those exact bytes", () => {
    // The signer knows a; R' is a non-canonical encoding, k is hashed over R' and S = k·a mod L makes
    // the equation hold exactly when R' is read as the identity (y = p + 1). A lenient decoder accepts.
    const { scalar } = ed25519.utils.getExtendedPublicKey(seed);
    const rPrime = toLittleEndian(P + 1n);
    const s = (challenge(rPrime, publicKey, message) * scalar) % L;
    const forged = concat(rPrime, toLittleEndian(s));
    expect(stack.ed25519Verify(forged, message, publicKey)).toBe(false);
    expect(nobleStrictVerify(forged, message, publicKey)).toBe(false);
    expect(ed25519.verify(forged, message, publicKey, { zip215: true })).toBe(true);
    // The same signature with the canonical identity encoding (and k recomputed for it) is valid.
    const rCanonical = toLittleEndian(1n);
    const sCanonical = (challenge(rCanonical, publicKey, message) * scalar) % L;
    expect(stack.ed25519Verify(concat(rCanonical, toLittleEndian(sCanonical)), message, publicKey)).toBe(true);
  });

  it("rejects x = 0 with the sign bit set (RFC 8032 §5.1.3 step 4) for A and R", () => {
    const negativeZeroIdentity = toLittleEndian(1n);
    negativeZeroIdentity[31] |= 0x80;
    expect(stack.ed25519Verify(signature, message, negativeZeroIdentity)).toBe(false);
    expect(nobleStrictVerify(signature, message, negativeZeroIdentity)).toBe(false);
    const { scalar } = ed25519.utils.getExtendedPublicKey(seed);
    const s = (challenge(negativeZeroIdentity, publicKey, message) * scalar) % L;
    const forged = concat(negativeZeroIdentity, toLittleEndian(s));
    expect(stack.ed25519Verify(forged, message, publicKey)).toBe(false);
    expect(nobleStrictVerify(forged, message, publicKey)).toBe(false);
  });

  it("rejects A and R that are not on the curve", () => {
    let checked = 0;
    while (checked < 40) {
      const candidate = rng.bytes(32);
      candidate[31] &= 0x7f; // y < 2^255; most such values are below p
      try {
        Point.fromBytes(candidate, true);
        continue; // on the curve: not what this test wants
      } catch {
        checked++;
      }
      expect(stack.ed25519Verify(signature, message, candidate)).toBe(false);
      expect(nobleStrictVerify(signature, message, candidate)).toBe(false);
      const badR = concat(candidate, signature.subarray(32));
      expect(stack.ed25519Verify(badR, message, publicKey)).toBe(false);
      expect(nobleStrictVerify(badR, message, publicKey)).toBe(false);
    }
  });
});

describe("Ed25519 rejects small-order public keys, as noble's strict mode does", () => {
  const rng = new SeededRandom(0x8);

  it("rejects all 8 torsion points as A, with signatures that satisfy [S]B = R + [k]A", () => {
    expect(ED25519_TORSION_SUBGROUP.length).toBe(8);
    for (const encoded of ED25519_TORSION_SUBGROUP) {
      const a = fromHex(encoded);
      const torsion = Point.fromBytes(a);
      const message = rng.bytes(16);
      // R = [S]B makes the equation hold when [k]A is the identity; retry S until k·A = 0 (≤ 8 tries on average).
      let forged: Uint8Array | undefined;
      for (let attempt = 0; attempt < 200 && !forged; attempt++) {
        const s = randomScalar(rng);
        const r = Point.BASE.multiply(s).toBytes();
        const k = challenge(r, a, message);
        // [8]T = 0, so [k]T = [k mod 8]T.
        if (torsion.multiplyUnsafe(k % 8n).is0()) forged = concat(r, toLittleEndian(s));
      }
      if (!forged) throw new Error(`no forgery found for ${encoded}`);
      expect(stack.ed25519Verify(forged, message, a), encoded).toBe(false);
      expect(nobleStrictVerify(forged, message, a), encoded).toBe(false);
      // The signature is "valid" for a verifier without the small-order check (noble's ZIP-215 mode).
      expect(ed25519.verify(forged, message, a, { zip215: true }), encoded).toBe(true);
    }
  });

  it("accepts a small-order R (the identity) when the equation holds, as RFC 8032 and noble do", () => {
    const seed = rng.bytes(32);
    const publicKey = ed25519.getPublicKey(seed);
    const { scalar } = ed25519.utils.getExtendedPublicKey(seed);
    const message = rng.bytes(50);
    const identity = fromHex(ED25519_TORSION_SUBGROUP[0]);
    const s = (challenge(identity, publicKey, message) * scalar) % L;
    const signature = concat(identity, toLittleEndian(s));
    expect(stack.ed25519Verify(signature, message, publicKey)).toBe(true);
    expect(nobleStrictVerify(signature, message, publicKey)).toBe(true);
  });
});

describe("Ed25519 uses the cofactorless equation, which parts from noble's cofactored one only for keys with a torsion component", () => {
  it("accepts a signature under A + T (T of order 8) exactly when k ≡ 0 (mod 8), where noble always accepts", () => {
    // RFC 8032 §5.1.7 step 3 allows either check. A signer who publishes a mixed-order key A' = A + T
    // and signs with a gets [S]B = R + [k]A = R + [k]A' − [k]T: cofactorless verification fails
    // unless [k]T = 0, cofactored verification ([8]·both sides) always passes. Honest keys have no T.
    const rng = new SeededRandom(0x10);
    const seed = rng.bytes(32);
    const { scalar, prefix } = ed25519.utils.getExtendedPublicKey(seed);
    const torsion = Point.fromBytes(fromHex(ED25519_TORSION_SUBGROUP[1]));
    const mixedKey = Point.BASE.multiply(scalar).add(torsion).toBytes();
    let accepted = 0;
    for (let i = 0; i < 48; i++) {
      const message = rng.bytes(20);
      const r = fromLittleEndian(new Uint8Array(createHash("sha512").update(concat(prefix, message)).digest())) % L;
      const rBytes = Point.BASE.multiply(r).toBytes();
      const k = challenge(rBytes, mixedKey, message);
      const signature = concat(rBytes, toLittleEndian((r + k * scalar) % L));
      const ours = stack.ed25519Verify(signature, message, mixedKey);
      expect(ours).toBe(k % 8n === 0n);
      expect(nobleStrictVerify(signature, message, mixedKey)).toBe(true);
      if (ours) accepted++;
    }
    expect(accepted).toBeLessThan(48);
  });
});

describe("Ed25519 rejects arguments of the wrong size with a RangeError naming the argument", () => {
  it("names seed, signature and publicKey", () => {
    const seed = new Uint8Array(32);
    const signature = stack.ed25519Sign(new Uint8Array(0), seed);
    const publicKey = stack.ed25519PublicKey(seed);
    expect(() => stack.ed25519PublicKey(new Uint8Array(31))).toThrow(/^seed: expected 32 bytes, got 31$/);
    expect(() => stack.ed25519PublicKey(new Uint8Array(31))).toThrow(RangeError);
    expect(() => stack.ed25519Sign(new Uint8Array(1), new Uint8Array(33))).toThrow(RangeError);
    expect(() => stack.ed25519Sign(new Uint8Array(1), new Uint8Array(33))).toThrow(/^seed:/);
    expect(() => stack.ed25519Verify(signature.subarray(0, 63), new Uint8Array(0), publicKey)).toThrow(
      /^signature: expected 64 bytes, got 63$/,
    );
    expect(() => stack.ed25519Verify(signature, new Uint8Array(0), new Uint8Array(33))).toThrow(
      /^publicKey: expected 32 bytes, got 33$/,
    );
    expect(() => stack.ed25519Verify(signature, new Uint8Array(0), new Uint8Array(33))).toThrow(RangeError);
    // A rejected call leaves the stack usable.
    expect(stack.ed25519Verify(signature, new Uint8Array(0), publicKey)).toBe(true);
  });
});
