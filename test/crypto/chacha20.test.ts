// ChaCha20 in stack.wasm: RFC 8439 §2.3.2, §2.4.2 and Appendix A.1/A.2 vectors, the keystream of Project
// Wycheproof's ChaCha20-Poly1305 cases, differential tests against @noble/ciphers and node:crypto, and
// the cipher's properties (involution, counter offset, block-counter limit).
import { createCipheriv } from "node:crypto";
import { readFileSync } from "node:fs";
import { chacha20 as nobleChacha20 } from "@noble/ciphers/chacha.js";
import { beforeAll, describe, expect, it } from "vitest";
import { type Crypto, loadCrypto } from "../../host/wasm/crypto.js";
import { instantiateStack, StackTrap } from "../../host/wasm/load-stack.js";
import { fromHex, hex, SeededRandom } from "../support/seeded-random.js";

let crypto: Crypto;
beforeAll(async () => {
  crypto = await loadCrypto();
});

const counting = (length: number) => Uint8Array.from({ length }, (_, i) => i);
const text = (value: string) => new TextEncoder().encode(value);

/** node:crypto's "chacha20" takes a 16-byte IV: the 32-bit block counter (little-endian), then the nonce. */
function nodeChacha20(key: Uint8Array, nonce: Uint8Array, counter: number, data: Uint8Array): string {
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(counter, 0);
  iv.set(nonce, 4);
  const cipher = createCipheriv("chacha20", key, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]).toString("hex");
}

describe("ChaCha20 reproduces the RFC 8439 vectors", () => {
  it("gives the §2.3.2 serialized block (key 00..1f, nonce 000000090000004a00000000, counter 1)", () => {
    const keystream = crypto.chacha20(counting(32), fromHex("000000090000004a00000000"), 1, new Uint8Array(64));
    expect(hex(keystream)).toBe(
      "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
        "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
    );
  });

  it("gives the §2.4.2 sunscreen ciphertext (two blocks and a partial one)", () => {
    const plaintext = text(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    expect(hex(crypto.chacha20(counting(32), fromHex("000000000000004a00000000"), 1, plaintext))).toBe(
      "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b" +
        "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8" +
        "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736" +
        "5af90bbf74a35be6b40b8eedf2785e42874d",
    );
  });

  // Appendix A.1: block function outputs are the keystream, i.e. the encryption of 64 zero bytes.
  it.each([
    [
      "#1",
      "00".repeat(32),
      "00".repeat(12),
      0,
      "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586",
    ],
    [
      "#2",
      "00".repeat(32),
      "00".repeat(12),
      1,
      "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f",
    ],
    [
      "#3",
      `${"00".repeat(31)}01`,
      "00".repeat(12),
      1,
      "3aeb5224ecf849929b9d828db1ced4dd832025e8018b8160b82284f3c949aa5a8eca00bbb4a73bdad192b5c42f73f2fd4e273644c8b36125a64addeb006c13a0",
    ],
    [
      "#4",
      `00ff${"00".repeat(30)}`,
      "00".repeat(12),
      2,
      "72d54dfbf12ec44b362692df94137f328fea8da73990265ec1bbbea1ae9af0ca13b25aa26cb4a648cb9b9d1be65b2c0924a66c54d545ec1b7374f4872e99f096",
    ],
    [
      "#5",
      "00".repeat(32),
      `${"00".repeat(11)}02`,
      0,
      "c2c64d378cd536374ae204b9ef933fcd1a8b2288b3dfa49672ab765b54ee27c78a970e0e955c14f3a88e741b97c286f75f8fc299e8148362fa198a39531bed6d",
    ],
  ])("gives the Appendix A.1 keystream %s", (_, key, nonce, counter, keystream) => {
    expect(hex(crypto.chacha20(fromHex(key), fromHex(nonce), counter, new Uint8Array(64)))).toBe(keystream);
  });

  it("gives the Appendix A.2 #2 ciphertext (375 bytes, counter 1)", () => {
    const plaintext = text(
      "Any submission to the IETF intended by the Contributor for publication as all or part of an IETF " +
        "Internet-Draft or RFC and any statement made within the context of an IETF activity is considered an " +
        '"IETF Contribution". Such statements include oral statements in IETF sessions, as well as written and ' +
        "electronic communications made at any time or place, which are addressed to",
    );
    expect(plaintext.length).toBe(375);
    const key = fromHex(`${"00".repeat(31)}01`);
    expect(hex(crypto.chacha20(key, fromHex(`${"00".repeat(11)}02`), 1, plaintext))).toBe(
      "a3fbf07df3fa2fde4f376ca23e82737041605d9f4f4f57bd8cff2c1d4b7955ec2a97948bd3722915c8f3d337f7d37005" +
        "0e9e96d647b7c39f56e031ca5eb6250d4042e02785ececfa4b4bb5e8ead0440e20b6e8db09d881a7c6132f420e527950" +
        "42bdfa7773d8a9051447b3291ce1411c680465552aa6c405b7764d5e87bea85ad00f8449ed8f72d0d662ab052691ca66" +
        "424bc86d2df80ea41f43abf937d3259dc4b2d0dfb48a6c9139ddd7f76966e928e635553ba76c5c879d7b35d49eb2e62b" +
        "0871cdac638939e25e8a1e0ef9d5280fa8ca328b351c3c765989cbcf3daa8b6ccc3aaf9f3979c92b3720fc88dc95ed84" +
        "a1be059c6499b9fda236e7e818b04b0bc39c1e876b193bfe5569753f88128cc08aaa9b63d1a16f80ef2554d7189c411f" +
        "5869ca52c5b83fa36ff216b9c1d30062bebcfd2dc5bce0911934fda79a86f6e698ced759c3ff9b6477338f3da4f9cd85" +
        "14ea9982ccafb341b2384dd902f3d1ab7ac61dd29c6f21ba5b862f3730e37cfdc4fd806c22f221",
    );
  });

  it("gives the Appendix A.2 #3 ciphertext (Jabberwocky, counter 42)", () => {
    const key = fromHex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
    const plaintext = text(
      "'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\n" +
        "All mimsy were the borogoves,\nAnd the mome raths outgrabe.",
    );
    expect(hex(crypto.chacha20(key, fromHex(`${"00".repeat(11)}02`), 42, plaintext))).toBe(
      "62e6347f95ed87a45ffae7426f27a1df5fb69110044c0d73118effa95b01e5cf166d3df2d721caf9b21e5fb14c616871" +
        "fd84c54f9d65b283196c7fe4f60553ebf39c6402c42234e32a356b3e764312a61a55320557" +
        "16ead6962568f87d3f3f7704c6a8d1bcd1bf4d50d6154b6da731b187b58dfd728afa36757a797ac188d1",
    );
  });
});

describe("ChaCha20 produces the ciphertexts of Project Wycheproof's ChaCha20-Poly1305 cases", () => {
  // RFC 8439 §2.8: the AEAD encrypts with ChaCha20 from block counter 1 (block 0 keys Poly1305), so every
  // valid case's ciphertext is ChaCha20(key, iv, 1, msg). Invalid cases differ only in tag or nonce size.
  const suite = JSON.parse(
    readFileSync(new URL("../vectors/wycheproof/chacha20_poly1305_test.json", import.meta.url), "utf8"),
  ) as {
    testGroups: {
      ivSize: number;
      tests: { tcId: number; key: string; iv: string; msg: string; ct: string; result: string }[];
    }[];
  };
  const cases = suite.testGroups
    .filter((group) => group.ivSize === 96)
    .flatMap((group) => group.tests)
    .filter((test) => test.result === "valid");

  it("has the valid 96-bit-nonce cases", () => {
    expect(cases.length).toBeGreaterThan(200);
  });

  it("matches every valid case's ciphertext", () => {
    for (const test of cases) {
      expect(hex(crypto.chacha20(fromHex(test.key), fromHex(test.iv), 1, fromHex(test.msg))), `tcId ${test.tcId}`).toBe(
        test.ct,
      );
    }
  });
});

describe("ChaCha20 agrees with @noble/ciphers and node:crypto on seeded random inputs", () => {
  it("matches both on 1,000 random keys, nonces, counters and messages of 0..300 bytes", () => {
    const random = new SeededRandom(0xc4ac4a);
    for (let i = 0; i < 1000; i++) {
      const key = random.bytes(32);
      const nonce = random.bytes(12);
      const data = random.bytes(random.between(0, 300));
      // Mostly small counters, sometimes one right below the 2^32 limit.
      const counter = random.below(4) === 0 ? 0xffffffff - random.below(5) : random.below(1000);
      if (counter + Math.ceil(data.length / 64) > 0x100000000) continue;
      const ciphertext = hex(crypto.chacha20(key, nonce, counter, data));
      const label = `length ${data.length}, counter ${counter}`;
      expect(ciphertext, label).toBe(nodeChacha20(key, nonce, counter, data));
      // @noble/ciphers refuses to use block 2^32-1 itself (RFC 8439 allows it), so it checks the rest.
      if (counter + Math.ceil(data.length / 64) < 0xffffffff) {
        expect(ciphertext, label).toBe(hex(nobleChacha20(key, nonce, data, undefined, counter)));
      }
    }
  });

  it("matches node:crypto on inputs longer than the 4 KiB I/O window (the binding carries the counter on)", () => {
    const random = new SeededRandom(0x4096);
    for (const length of [4095, 4096, 4097, 8192 + 100, 40_000]) {
      const key = random.bytes(32);
      const nonce = random.bytes(12);
      const data = random.bytes(length);
      expect(hex(crypto.chacha20(key, nonce, 7, data)), `length ${length}`).toBe(nodeChacha20(key, nonce, 7, data));
    }
  });
});

describe("ChaCha20 decrypts what it encrypts", () => {
  it("returns the plaintext from decrypt(encrypt(x)) for 200 seeded messages", () => {
    const random = new SeededRandom(0xdec);
    for (let i = 0; i < 200; i++) {
      const key = random.bytes(32);
      const nonce = random.bytes(12);
      const counter = random.below(100);
      const plaintext = random.bytes(random.between(0, 5000));
      const ciphertext = crypto.chacha20(key, nonce, counter, plaintext);
      expect(hex(crypto.chacha20(key, nonce, counter, ciphertext))).toBe(hex(plaintext));
    }
  });
});

describe("ChaCha20 with a counter offset equals skipping that many keystream blocks", () => {
  it("gives block j of the counter-c keystream as block 0 of the counter-(c+j) keystream", () => {
    const random = new SeededRandom(0x0ff5e7);
    for (let i = 0; i < 100; i++) {
      const key = random.bytes(32);
      const nonce = random.bytes(12);
      const counter = random.below(1000);
      const skip = random.between(0, 10);
      const data = random.bytes(random.between(0, 200));
      const padded = new Uint8Array(skip * 64 + data.length);
      padded.set(data, skip * 64);
      const whole = crypto.chacha20(key, nonce, counter, padded);
      expect(hex(crypto.chacha20(key, nonce, counter + skip, data))).toBe(hex(whole.subarray(skip * 64)));
    }
  });
});

describe("ChaCha20 works in place and into a separate buffer through the raw export", () => {
  it("gives the same output whether out equals in or not", async () => {
    const stack = await instantiateStack();
    const x = stack.exports as unknown as {
      ioDataPointer(): number;
      ioArgsPointer(): number;
      chacha20Xor(out: number, input: number, length: number, key: number, nonce: number, counter: number): void;
    };
    const key = x.ioArgsPointer();
    const nonce = key + 64;
    const input = x.ioDataPointer();
    const output = input + 2048;
    const random = new SeededRandom(0x1a1a);
    for (let i = 0; i < 100; i++) {
      stack.bytes().set(random.bytes(32), key);
      stack.bytes().set(random.bytes(12), nonce);
      const data = random.bytes(random.between(0, 1000));
      stack.bytes().set(data, input);
      x.chacha20Xor(output, input, data.length, key, nonce, 3);
      const separate = hex(stack.bytes().slice(output, output + data.length));
      expect(hex(stack.bytes().slice(input, input + data.length))).toBe(hex(data));
      x.chacha20Xor(input, input, data.length, key, nonce, 3);
      expect(hex(stack.bytes().slice(input, input + data.length))).toBe(separate);
    }
  });

  it("traps inside the WASM if the block counter would wrap (the binding's check bypassed)", async () => {
    const stack = await instantiateStack();
    const x = stack.exports as unknown as {
      ioDataPointer(): number;
      chacha20Xor(out: number, input: number, length: number, key: number, nonce: number, counter: number): void;
    };
    const data = x.ioDataPointer();
    expect(() => x.chacha20Xor(data, data, 64, data, data, 0xffffffff)).not.toThrow();
    expect(() => x.chacha20Xor(data, data, 65, data, data, 0xffffffff)).toThrow(StackTrap);
    expect(() => x.chacha20Xor(data, data, 129, data, data, 0xfffffffe)).toThrow(StackTrap);
  });
});

describe("ChaCha20 rejects bad arguments", () => {
  const key = new Uint8Array(32);
  const nonce = new Uint8Array(12);
  const data = new Uint8Array(10);

  it("throws a RangeError naming key for keys that are not 32 bytes", () => {
    for (const length of [0, 16, 31, 33]) {
      expect(() => crypto.chacha20(new Uint8Array(length), nonce, 0, data)).toThrow(RangeError);
      expect(() => crypto.chacha20(new Uint8Array(length), nonce, 0, data)).toThrow(/^key: /);
    }
  });

  it("throws a RangeError naming nonce for nonces that are not 12 bytes (e.g. the 8-byte original ChaCha nonce)", () => {
    for (const length of [0, 8, 11, 13, 24]) {
      expect(() => crypto.chacha20(key, new Uint8Array(length), 0, data)).toThrow(RangeError);
      expect(() => crypto.chacha20(key, new Uint8Array(length), 0, data)).toThrow(/^nonce: /);
    }
  });

  it("throws a RangeError naming counter outside 0..2^32-1 or not an integer", () => {
    for (const counter of [-1, 0x100000000, 1.5, Number.NaN]) {
      expect(() => crypto.chacha20(key, nonce, counter, data)).toThrow(RangeError);
      expect(() => crypto.chacha20(key, nonce, counter, data)).toThrow(/^counter: /);
    }
  });

  it("throws a RangeError naming counter when the message would wrap the block counter", () => {
    expect(() => crypto.chacha20(key, nonce, 0xffffffff, new Uint8Array(64))).not.toThrow();
    expect(() => crypto.chacha20(key, nonce, 0xffffffff, new Uint8Array(65))).toThrow(/^counter: /);
    expect(() => crypto.chacha20(key, nonce, 0xfffffff0, new Uint8Array(17 * 64))).toThrow(RangeError);
  });
});
