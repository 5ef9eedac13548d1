import { beforeAll, describe, expect, it } from "vitest";
import { AnnounceVerdict, Availability } from "../../host/wasm/availability.js";
import { Stack } from "../../host/wasm/stack.js";
import { SeededRandom } from "../support/seeded-random.js";
import {
  grindIdentity,
  HOP_COUNT_OFFSET,
  nobleAnnounce,
  nobleSignedDigest,
  nobleVerifyAnnounce,
  type TestIdentity,
} from "./announce-helpers.js";

const DIFFICULTY = 8;
let stack: Stack;
let availability: Availability;
let table: number;
let alice: TestIdentity & { handle: number };

beforeAll(async () => {
  stack = await Stack.load();
  availability = new Availability(stack);
  table = availability.createEndpointTable({
    capacity: 8,
    difficulty: DIFFICULTY,
    maximumAgeMs: 1e6,
    evictionAgeMs: 1e5,
  });
  const ground = grindIdentity("announce-alice", DIFFICULTY);
  alice = { ...ground, handle: stack.createIdentity(ground.seed).handle };
});

describe("an announce round-trips", () => {
  it("lays out type, flags, hop count, sequence, key, app data and signature as documented", () => {
    const appData = new TextEncoder().encode("alice's node");
    const frame = availability.createAnnounce(table, alice.handle, 0x01020304, appData);
    expect(frame.length).toBe(104 + appData.length);
    expect([...frame.subarray(0, 7)]).toEqual([1, 0, 0, 4, 3, 2, 1]);
    expect(frame.subarray(7, 39)).toEqual(alice.publicKey);
    expect(frame[39]).toBe(appData.length);
    expect(frame.subarray(40, 40 + appData.length)).toEqual(appData);
    expect(availability.verifyAnnounce(frame, DIFFICULTY)).toBe(AnnounceVerdict.Valid);
    expect(availability.counters(table).announcesSent).toBe(1);
  });

  it("is byte for byte what noble builds (Ed25519 is deterministic), for every app-data length 0..128", () => {
    const random = new SeededRandom(601);
    for (let length = 0; length <= 128; length += 8) {
      const appData = random.bytes(length);
      const sequence = random.nextU32();
      const frame = availability.createAnnounce(table, alice.handle, sequence, appData);
      expect(frame).toEqual(nobleAnnounce(alice, sequence, appData));
    }
  });

  it("refuses app data over 128 bytes", () => {
    expect(() => availability.createAnnounce(table, alice.handle, 1, new Uint8Array(129))).toThrow(RangeError);
  });
});

describe("announce signatures, differentially against noble", () => {
  it("the stack's signature verifies with noble over BLAKE2b-512(meshstack/announce/v1, bytes without hop count)", () => {
    const random = new SeededRandom(602);
    for (let i = 0; i < 10; i++) {
      const frame = availability.createAnnounce(
        table,
        alice.handle,
        random.nextU32(),
        random.bytes(random.between(0, 128)),
      );
      expect(nobleVerifyAnnounce(frame)).toBe(true);
      expect(nobleSignedDigest(frame).length).toBe(64);
    }
  });

  it("noble's announces verify in the stack, and a noble signature under another key does not", () => {
    const random = new SeededRandom(603);
    const mallory = grindIdentity("announce-mallory", DIFFICULTY);
    for (let i = 0; i < 10; i++) {
      const frame = nobleAnnounce(
        alice,
        random.nextU32(),
        random.bytes(random.between(0, 128)),
        random.between(0, 255),
      );
      expect(availability.verifyAnnounce(frame, DIFFICULTY)).toBe(AnnounceVerdict.Valid);
      const forged = nobleAnnounce(mallory, 1);
      forged.set(alice.publicKey, 7); // claims to be alice, signed by mallory
      expect(availability.verifyAnnounce(forged, DIFFICULTY)).toBe(AnnounceVerdict.Signature);
    }
  });
});

describe("tampering", () => {
  it("every single-bit flip is rejected, except in the hop count, which is not signed", () => {
    const frame = availability.createAnnounce(table, alice.handle, 77, new Uint8Array([1, 2, 3]));
    for (let bit = 0; bit < frame.length * 8; bit++) {
      const flipped = frame.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const verdict = availability.verifyAnnounce(flipped, DIFFICULTY);
      if (bit >> 3 === HOP_COUNT_OFFSET) expect(verdict, `bit ${bit}`).toBe(AnnounceVerdict.Valid);
      else expect(verdict, `bit ${bit}`).not.toBe(AnnounceVerdict.Valid);
    }
  });

  it("names the cheapest failing check: truncated, bad type, bad flags, bad length, puzzle", () => {
    const frame = availability.createAnnounce(table, alice.handle, 78, new Uint8Array([9]));
    expect(availability.verifyAnnounce(frame.subarray(0, 103), DIFFICULTY)).toBe(AnnounceVerdict.Truncated);
    expect(availability.verifyAnnounce(new Uint8Array(), DIFFICULTY)).toBe(AnnounceVerdict.Truncated);
    const badType = frame.slice();
    badType[0] = 2;
    expect(availability.verifyAnnounce(badType, DIFFICULTY)).toBe(AnnounceVerdict.BadType);
    const badFlags = frame.slice();
    badFlags[1] = 0x80;
    expect(availability.verifyAnnounce(badFlags, DIFFICULTY)).toBe(AnnounceVerdict.BadType);
    expect(availability.verifyAnnounce(frame.subarray(0, frame.length - 1), DIFFICULTY)).toBe(
      AnnounceVerdict.BadLength,
    );
    const tooLong = new Uint8Array(frame.length + 1);
    tooLong.set(frame);
    expect(availability.verifyAnnounce(tooLong, DIFFICULTY)).toBe(AnnounceVerdict.BadLength);
    const oversizedAppData = new Uint8Array(104 + 129);
    oversizedAppData.set(frame.subarray(0, 39));
    oversizedAppData[39] = 129;
    expect(availability.verifyAnnounce(oversizedAppData, DIFFICULTY)).toBe(AnnounceVerdict.BadLength);
    // alice's key solves difficulty 8 but (almost surely) not 40.
    expect(availability.verifyAnnounce(frame, 40)).toBe(AnnounceVerdict.Puzzle);
  });
});
