import { describe, expect, it } from "vitest";
import { IntegrityLevel, integrityCounterNames, Status } from "../../host/wasm/stack.js";
import { dropsOf, integrityPair } from "../support/integrity-pair.js";
import { SeededRandom } from "../support/seeded-random.js";

const levels = [IntegrityLevel.Crc32c, IntegrityLevel.Blake2b, IntegrityLevel.SipHash, IntegrityLevel.Ed25519];
const overheads: Record<number, number> = { 1: 5, 2: 17, 3: 13, 4: 97 };

describe("the Integrity layer's MTU", () => {
  it("is the lower MTU minus the overhead of the chosen level, and the strictest level's overall", async () => {
    const p = await integrityPair();
    expect(p.stack.mtu(p.aliceLink)).toBe(1280 - 97);
    for (const level of levels) expect(p.stack.mtuForLevel(p.aliceLink, level)).toBe(1280 - overheads[level]);
  });

  it("refuses a payload one byte over the level's MTU with TooBig and leaves the key unspent", async () => {
    const p = await integrityPair();
    p.stack.setContact(p.aliceBook, 0, p.bob.publicKey, new Uint8Array(16).fill(3));
    for (const level of levels) {
      const tooBig = new Uint8Array(p.stack.mtuForLevel(p.aliceLink, level) + 1);
      expect(p.stack.push(p.aliceLink, p.pool, tooBig, { level, contact: 0 })).toBe(Status.TooBig);
    }
    expect(p.stack.isContactSpent(p.aliceBook, 0)).toBe(false);
    expect(p.stack.poolAvailable(p.pool)).toBe(24);
  });
});

describe("every level round-trips any payload up to its MTU", () => {
  for (const level of levels) {
    it(`level ${level}`, async () => {
      const p = await integrityPair();
      const random = new SeededRandom(100 + level);
      const mtu = p.stack.mtuForLevel(p.aliceLink, level);
      const lengths = [0, 1, 2, 63, 64, 65, 127, 128, 129, 255, mtu - 1, mtu];
      const count = level === IntegrityLevel.Ed25519 ? 40 : 150;
      while (lengths.length < count) lengths.push(random.between(0, mtu));
      const key = random.bytes(16);
      for (const length of lengths) {
        const payload = random.bytes(length);
        if (level === IntegrityLevel.SipHash) {
          // Single-use keys: both sides renew the entry before each message.
          p.stack.setContact(p.aliceBook, 0, p.bob.publicKey, key);
          p.stack.setContact(p.bobBook, 0, p.alice.publicKey, key);
        }
        expect(p.stack.push(p.aliceLink, p.pool, payload, { level, contact: 0 })).toBe(Status.Ok);
        const received = p.stack.pop(p.bobLink, p.pool);
        expect(received, `length ${length}`).toBeDefined();
        expect(received!.payload).toEqual(payload);
        expect(received!.level).toBe(level);
        if (level === IntegrityLevel.SipHash) expect(received!.contact).toBe(0);
        if (level === IntegrityLevel.Ed25519) expect(received!.signer).toEqual(p.alice.publicKey);
      }
      const counters = p.stack.integrityCounters(p.bobLink);
      expect(dropsOf(counters)).toBe(0);
      expect(p.stack.poolAvailable(p.pool)).toBe(24);
    });
  }
});

/** Captures the frame alice's Integrity link puts on the wire, without delivering it to bob's layer. */
function captureFrame(
  p: Awaited<ReturnType<typeof integrityPair>>,
  payload: Uint8Array,
  level: IntegrityLevel,
): Uint8Array {
  expect(p.stack.push(p.aliceLink, p.pool, payload, { level, contact: 0 })).toBe(Status.Ok);
  const frame = p.stack.pop(p.bobWire, p.pool);
  expect(frame).toBeDefined();
  return frame!.payload;
}

/** Puts raw bytes on the wire towards bob and returns what bob's Integrity layer delivers. */
function injectFrame(p: Awaited<ReturnType<typeof integrityPair>>, frame: Uint8Array) {
  expect(p.stack.push(p.aliceWire, p.pool, frame)).toBe(Status.Ok);
  return p.stack.pop(p.bobLink, p.pool);
}

describe("every single-bit flip is detected", () => {
  for (const level of levels) {
    it(`level ${level}`, async () => {
      const p = await integrityPair();
      const key = new Uint8Array(16).fill(0x5a);
      p.stack.setContact(p.aliceBook, 0, p.bob.publicKey, key);
      p.stack.setContact(p.bobBook, 0, p.alice.publicKey, key);
      const payload = new SeededRandom(level).bytes(24);
      const frame = captureFrame(p, payload, level);
      expect(frame.length).toBe(payload.length + overheads[level]);
      for (let bit = 0; bit < frame.length * 8; bit++) {
        const tampered = frame.slice();
        tampered[bit >> 3] ^= 1 << (bit & 7);
        expect(injectFrame(p, tampered), `bit ${bit}`).toBeUndefined();
      }
      expect(dropsOf(p.stack.integrityCounters(p.bobLink))).toBe(frame.length * 8);
      // The untouched frame still verifies: the drops were the flips, not the setup.
      expect(injectFrame(p, frame)?.payload).toEqual(payload);
      expect(p.stack.poolAvailable(p.pool)).toBe(24);
    });
  }
});

describe("the SipHash address book", () => {
  it("rejects a second payload under a spent single-use entry", async () => {
    const p = await integrityPair();
    const key = new Uint8Array(16).fill(9);
    p.stack.setContact(p.aliceBook, 0, p.bob.publicKey, key);
    p.stack.setContact(p.bobBook, 0, p.alice.publicKey, key);
    const frame = captureFrame(p, new TextEncoder().encode("once"), IntegrityLevel.SipHash);
    expect(injectFrame(p, frame)?.contact).toBe(0);
    expect(p.stack.isContactSpent(p.bobBook, 0)).toBe(true);
    expect(injectFrame(p, frame)).toBeUndefined();
    expect(p.stack.integrityCounters(p.bobLink).spentKey).toBe(1);
  });

  it("refuses to send twice with a single-use entry until it is renewed", async () => {
    const p = await integrityPair();
    p.stack.setContact(p.aliceBook, 0, p.bob.publicKey, new Uint8Array(16).fill(1));
    const payload = new Uint8Array([1, 2, 3]);
    expect(p.stack.push(p.aliceLink, p.pool, payload, { level: IntegrityLevel.SipHash, contact: 0 })).toBe(Status.Ok);
    expect(p.stack.push(p.aliceLink, p.pool, payload, { level: IntegrityLevel.SipHash, contact: 0 })).toBe(
      Status.KeySpent,
    );
    p.stack.setContact(p.aliceBook, 0, p.bob.publicKey, new Uint8Array(16).fill(2));
    expect(p.stack.push(p.aliceLink, p.pool, payload, { level: IntegrityLevel.SipHash, contact: 0 })).toBe(Status.Ok);
  });

  it("accepts any number of payloads under an entry asked for as reusable", async () => {
    const p = await integrityPair();
    const key = new Uint8Array(16).fill(4);
    p.stack.setContact(p.aliceBook, 0, p.bob.publicKey, key, true);
    p.stack.setContact(p.bobBook, 0, p.alice.publicKey, key, true);
    for (let i = 0; i < 5; i++) {
      expect(
        p.stack.push(p.aliceLink, p.pool, new Uint8Array([i]), { level: IntegrityLevel.SipHash, contact: 0 }),
      ).toBe(Status.Ok);
      expect(p.stack.pop(p.bobLink, p.pool)?.payload).toEqual(new Uint8Array([i]));
    }
  });

  it("drops a frame whose key id names no entry, and one whose tag was made with another key", async () => {
    const p = await integrityPair();
    p.stack.setContact(p.aliceBook, 0, p.bob.publicKey, new Uint8Array(16).fill(1));
    p.stack.setContact(p.bobBook, 0, p.alice.publicKey, new Uint8Array(16).fill(2));
    const frame = captureFrame(p, new Uint8Array([7]), IntegrityLevel.SipHash);
    expect(injectFrame(p, frame)).toBeUndefined();
    expect(p.stack.integrityCounters(p.bobLink).unknownKey).toBe(1);
    p.stack.removeContact(p.bobBook, 0);
    expect(p.stack.isContactSpent(p.bobBook, 0)).toBeUndefined();
  });

  it("refuses to send to an absent entry", async () => {
    const p = await integrityPair();
    expect(p.stack.push(p.aliceLink, p.pool, new Uint8Array(1), { level: IntegrityLevel.SipHash, contact: 3 })).toBe(
      Status.NoKey,
    );
    expect(p.stack.push(p.aliceLink, p.pool, new Uint8Array(1), { level: IntegrityLevel.SipHash, contact: 99 })).toBe(
      Status.NoKey,
    );
  });
});

describe("Ed25519 frames", () => {
  it("name their signer, and a frame re-signed under a substituted key is rejected", async () => {
    const p = await integrityPair();
    const frame = captureFrame(p, new TextEncoder().encode("signed"), IntegrityLevel.Ed25519);
    const forged = frame.slice();
    forged.set(p.bob.publicKey, 1); // claim bob signed it
    expect(injectFrame(p, forged)).toBeUndefined();
    expect(p.stack.integrityCounters(p.bobLink).rejectedEd25519).toBe(1);
    expect(injectFrame(p, frame)?.signer).toEqual(p.alice.publicKey);
  });
});

describe("the profile chooses a level when the sender does not", () => {
  it("signs with Ed25519 when the node has an identity, uses SipHash when a contact is named", async () => {
    const p = await integrityPair();
    expect(p.stack.push(p.aliceLink, p.pool, new Uint8Array(3))).toBe(Status.Ok);
    expect(p.stack.pop(p.bobLink, p.pool)?.level).toBe(IntegrityLevel.Ed25519);
    const key = new Uint8Array(16).fill(8);
    p.stack.setContact(p.aliceBook, 2, p.bob.publicKey, key);
    p.stack.setContact(p.bobBook, 5, p.alice.publicKey, key);
    expect(p.stack.push(p.aliceLink, p.pool, new Uint8Array(3), { contact: 2 })).toBe(Status.Ok);
    const received = p.stack.pop(p.bobLink, p.pool);
    expect(received?.level).toBe(IntegrityLevel.SipHash);
    expect(received?.contact).toBe(5);
  });

  it("falls back to BLAKE2b without an identity, refuses Ed25519, and honours a set default", async () => {
    const p = await integrityPair({ signing: false });
    expect(p.stack.push(p.aliceLink, p.pool, new Uint8Array(3))).toBe(Status.Ok);
    expect(p.stack.pop(p.bobLink, p.pool)?.level).toBe(IntegrityLevel.Blake2b);
    expect(p.stack.push(p.aliceLink, p.pool, new Uint8Array(3), { level: IntegrityLevel.Ed25519 })).toBe(Status.NoKey);
    p.stack.setDefaultLevel(p.aliceLink, IntegrityLevel.Crc32c);
    expect(p.stack.push(p.aliceLink, p.pool, new Uint8Array(3))).toBe(Status.Ok);
    expect(p.stack.pop(p.bobLink, p.pool)?.level).toBe(IntegrityLevel.Crc32c);
    expect(() => p.stack.setDefaultLevel(p.aliceLink, 7 as IntegrityLevel)).toThrow(RangeError);
  });

  it("answers an unknown level with BadArgument", async () => {
    const p = await integrityPair();
    for (const level of [5, 9, 255])
      expect(p.stack.push(p.aliceLink, p.pool, new Uint8Array(3), { level })).toBe(Status.BadArgument);
    expect(p.stack.poolAvailable(p.pool)).toBe(24);
  });
});

describe("malformed frames are dropped and counted, never thrown", () => {
  it("counts empty, truncated and unknown-level frames under their reasons", async () => {
    const p = await integrityPair();
    expect(injectFrame(p, new Uint8Array(0))).toBeUndefined();
    for (const level of levels)
      expect(injectFrame(p, new Uint8Array(overheads[level] - 1).fill(level))).toBeUndefined();
    for (const type of [0, 5, 0x80, 0xff])
      expect(injectFrame(p, new Uint8Array([type, 1, 2, 3, 4, 5, 6, 7]))).toBeUndefined();
    const counters = p.stack.integrityCounters(p.bobLink);
    expect(counters.truncated).toBe(5);
    expect(counters.unknownLevel).toBe(4);
  });

  it("survives 3,000 random frames with every one accounted for", async () => {
    const p = await integrityPair();
    p.stack.setContact(p.bobBook, 0, p.alice.publicKey, new Uint8Array(16));
    const random = new SeededRandom(2024);
    let delivered = 0;
    const frames = 3000;
    for (let i = 0; i < frames; i++) {
      const frame = random.bytes(random.between(0, 300));
      // Most frames get a known type byte, so the checks behind it are exercised too.
      if (frame.length > 0 && random.below(4) !== 0) frame[0] = random.between(1, 4);
      if (injectFrame(p, frame) !== undefined) delivered++;
    }
    const counters = p.stack.integrityCounters(p.bobLink);
    expect(delivered).toBe(0);
    expect(dropsOf(counters)).toBe(frames);
    expect(p.stack.poolAvailable(p.pool)).toBe(24);
  });
});

describe("over a hostile loopback wire", () => {
  it("delivers only payloads that were sent, intact, and accounts for every frame", async () => {
    const p = await integrityPair({ seed: 99 });
    p.stack.setFaults(p.aliceWire, { drop: 0.1, duplicate: 0.1, bitFlip: 0.2, truncate: 0.1, reorder: 0.2 });
    const random = new SeededRandom(5);
    const sent = new Set<string>();
    let delivered = 0;
    for (let i = 0; i < 300; i++) {
      const level = [IntegrityLevel.Blake2b, IntegrityLevel.Crc32c, IntegrityLevel.Ed25519][i % 3];
      const payload = random.bytes(random.between(1, 200));
      sent.add(Buffer.from(payload).toString("hex"));
      expect(p.stack.push(p.aliceLink, p.pool, payload, { level })).toBe(Status.Ok);
      if (random.below(3) === 0) continue; // let a few frames queue up so reordering happens
      for (let r = p.stack.pop(p.bobLink, p.pool); r; r = p.stack.pop(p.bobLink, p.pool)) {
        delivered++;
        expect(sent.has(Buffer.from(r.payload).toString("hex"))).toBe(true);
      }
    }
    for (let r = p.stack.pop(p.bobLink, p.pool); r; r = p.stack.pop(p.bobLink, p.pool)) delivered++;
    const wire = p.stack.loopbackCounters(p.aliceWire);
    const counters = p.stack.integrityCounters(p.bobLink);
    expect(wire.dropped + wire.duplicated + wire.bitsFlipped + wire.truncated + wire.reordered).toBeGreaterThan(100);
    expect(wire.receiveOverflow).toBe(0);
    expect(delivered + dropsOf(counters)).toBe(wire.framesDelivered);
    expect(p.stack.poolAvailable(p.pool)).toBe(24);
  });
});

describe("the counter tables", () => {
  it("have as many names on the host as counters in the WASM", async () => {
    const p = await integrityPair();
    expect(Object.keys(p.stack.integrityCounters(p.bobLink))).toEqual([...integrityCounterNames]);
    const x = p.stack.instance.exports as unknown as { integrityCounter(l: number, i: number): number };
    expect(x.integrityCounter(p.bobLink, integrityCounterNames.length)).toBe(-1);
  });
});
