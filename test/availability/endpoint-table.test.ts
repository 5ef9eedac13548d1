import { describe, expect, it } from "vitest";
import { Availability } from "../../host/wasm/availability.js";
import { Stack } from "../../host/wasm/stack.js";
import { SeededRandom } from "../support/seeded-random.js";
import { grindIdentity, nobleAddress, nobleAnnounce, type TestIdentity } from "./announce-helpers.js";

// A low difficulty keeps grinding dozens of identities fast; the rules do not depend on it.
const DIFFICULTY = 4;
const MINUTE = 60_000;

const identities = new Map<string, TestIdentity>();
function identity(label: string): TestIdentity {
  let found = identities.get(label);
  if (!found) {
    found = grindIdentity(`table-${label}`, DIFFICULTY);
    identities.set(label, found);
  }
  return found;
}

async function setUp(capacity = 8, evictionAgeMs = 10 * MINUTE, maximumAgeMs = 30 * MINUTE) {
  const stack = await Stack.load();
  const availability = new Availability(stack);
  const table = availability.createEndpointTable({ capacity, difficulty: DIFFICULTY, maximumAgeMs, evictionAgeMs });
  return { stack, availability, table };
}

describe("a verified announce enters the table", () => {
  it("stores address, key, sequence, hops, link quality and time; a higher sequence refreshes it", async () => {
    const { availability, table } = await setUp();
    const alice = identity("alice");
    expect(availability.acceptAnnounce(table, nobleAnnounce(alice, 5, new Uint8Array(), 3), 1000, -12)).toBe(
      "announcesAccepted",
    );
    const entry = availability.find(table, nobleAddress(alice.publicKey));
    expect(entry).toMatchObject({
      publicKey: alice.publicKey,
      sequence: 5,
      hops: 3,
      linkQuality: -12,
      lastHeardMs: 1000,
    });
    expect(availability.acceptAnnounce(table, nobleAnnounce(alice, 6, new Uint8Array(), 1), 2000, 40)).toBe(
      "announcesAccepted",
    );
    expect(availability.find(table, nobleAddress(alice.publicKey))).toMatchObject({
      sequence: 6,
      hops: 1,
      lastHeardMs: 2000,
    });
    expect(availability.size(table)).toBe(1);
  });
});

describe("rejected announces change nothing", () => {
  it("a replay (sequence equal or lower) is rejected and the table is unchanged", async () => {
    const { availability, table } = await setUp();
    const alice = identity("alice");
    availability.acceptAnnounce(table, nobleAnnounce(alice, 10), 1000);
    const before = availability.entries(table);
    expect(availability.acceptAnnounce(table, nobleAnnounce(alice, 10), 5000)).toBe("rejectedReplay");
    expect(availability.acceptAnnounce(table, nobleAnnounce(alice, 9), 5000)).toBe("rejectedReplay");
    expect(availability.entries(table)).toEqual(before);
  });

  it("a forged announce (valid format, another key's signature) and an unsigned one are rejected", async () => {
    const { availability, table } = await setUp();
    const alice = identity("alice");
    const mallory = identity("mallory");
    availability.acceptAnnounce(table, nobleAnnounce(alice, 1), 1000);
    const before = availability.entries(table);
    const forged = nobleAnnounce(mallory, 2);
    forged.set(alice.publicKey, 7);
    expect(availability.acceptAnnounce(table, forged, 2000)).toBe("rejectedSignature");
    const unsigned = nobleAnnounce(alice, 3);
    unsigned.fill(0, unsigned.length - 64);
    expect(availability.acceptAnnounce(table, unsigned, 2000)).toBe("rejectedSignature");
    const forgedNewcomer = nobleAnnounce(mallory, 2);
    forgedNewcomer[50] ^= 1; // app-data-free frame: byte 50 lies in the signature
    expect(availability.acceptAnnounce(table, forgedNewcomer, 2000)).toBe("rejectedSignature");
    expect(availability.entries(table)).toEqual(before);
    expect(availability.counters(table)).toMatchObject({ announcesAccepted: 1, rejectedSignature: 3 });
  });
});

describe("a flood of forged and replayed announces", () => {
  it("10,000 of them leave the table's contents and the heap unchanged, each counted once", async () => {
    const { stack, availability, table } = await setUp(4);
    const random = new SeededRandom(701);
    const members = ["a", "b", "c", "d"].map((label) => identity(label));
    for (const [i, member] of members.entries()) availability.acceptAnnounce(table, nobleAnnounce(member, 100), i);
    const mallory = identity("mallory");
    const replays = members.map((member) => nobleAnnounce(member, 100));
    const stale = members.map((member) => nobleAnnounce(member, 50));
    const signedByMallory = nobleAnnounce(mallory, 1000);
    // Warm every path once (the Ed25519 tables may be built on first use), then measure.
    availability.acceptAnnounce(table, replays[0], 10);
    const heapBefore = stack.heapBytes();
    const before = availability.entries(table);
    const countersBefore = availability.counters(table);
    const total = 10_000;
    for (let i = 0; i < total; i++) {
      const member = i % 4;
      let frame: Uint8Array;
      switch (i % 5) {
        case 0:
          frame = replays[member];
          break;
        case 1:
          frame = stale[member];
          break;
        case 2: {
          // A higher sequence under a member's key, signed by mallory: passes everything but the signature.
          frame = signedByMallory.slice();
          frame.set(members[member].publicKey, 7);
          new DataView(frame.buffer).setUint32(3, 1000 + i, true);
          break;
        }
        case 3:
          frame = random.bytes(random.between(0, 200));
          break;
        default: {
          frame = nobleAnnounce(members[member], 100).slice();
          frame.set(random.bytes(32), 7); // a fresh random key: fails the puzzle (or the signature)
        }
      }
      expect(availability.acceptAnnounce(table, frame, 20 + i)).not.toBe("announcesAccepted");
    }
    expect(availability.entries(table)).toEqual(before);
    expect(stack.heapBytes()).toBe(heapBefore);
    const after = availability.counters(table);
    const rejections = (counters: typeof after) =>
      Object.entries(counters)
        .filter(([name]) => name.startsWith("rejected"))
        .reduce((sum, [, value]) => sum + value, 0);
    expect(rejections(after) - rejections(countersBefore)).toBe(total);
    expect(after.announcesAccepted).toBe(countersBefore.announcesAccepted);
    expect(after.evictions).toBe(0);
  });
});

describe("a full table", () => {
  it("lets a new endpoint evict only the stalest entry, and only once it is older than the eviction age", async () => {
    const { availability, table } = await setUp(4, 10 * MINUTE);
    const members = ["a", "b", "c", "d"].map((label) => identity(label));
    for (const [i, member] of members.entries())
      availability.acceptAnnounce(table, nobleAnnounce(member, 1), i * MINUTE);
    const newcomer = identity("newcomer");
    // At 10 min, member a (heard at 0) is exactly old enough; at 9 min nobody is.
    expect(availability.acceptAnnounce(table, nobleAnnounce(newcomer, 1), 9 * MINUTE)).toBe("rejectedTableFull");
    expect(availability.acceptAnnounce(table, nobleAnnounce(newcomer, 1), 10 * MINUTE)).toBe("announcesAccepted");
    expect(availability.find(table, nobleAddress(members[0].publicKey))).toBeUndefined();
    for (const member of members.slice(1))
      expect(availability.find(table, nobleAddress(member.publicKey))).toBeDefined();
    expect(availability.counters(table).evictions).toBe(1);
  });

  it("a flood of valid announces from many fresh identities cannot evict endpoints heard recently", async () => {
    const { stack, availability, table } = await setUp(8, 10 * MINUTE);
    const verified = ["a", "b", "c", "d", "e", "f"].map((label) => identity(label));
    // Six endpoints refresh every 5 minutes; two slots hold endpoints that went silent.
    const silent = ["g", "h"].map((label) => identity(label));
    for (const member of silent) availability.acceptAnnounce(table, nobleAnnounce(member, 1), 0);
    const attackers = Array.from({ length: 40 }, (_, i) => identity(`sybil-${i}`));
    const heapBefore = stack.heapBytes();
    let accepted = 0;
    for (let minute = 0; minute <= 60; minute++) {
      const now = minute * MINUTE;
      if (minute % 5 === 0) {
        verified.forEach((member, i) => {
          expect(availability.acceptAnnounce(table, nobleAnnounce(member, minute + 1), now + i)).toBe(
            "announcesAccepted",
          );
        });
      }
      for (const [i, attacker] of attackers.entries()) {
        if (
          availability.acceptAnnounce(table, nobleAnnounce(attacker, minute + 1), now + 100 + i) === "announcesAccepted"
        )
          accepted++;
      }
    }
    // Every verified endpoint that kept announcing is still there, with its latest sequence.
    for (const member of verified) {
      expect(availability.find(table, nobleAddress(member.publicKey))?.sequence).toBe(61);
    }
    // The attackers only ever got the two silent endpoints' slots.
    const attackerEntries = availability
      .entries(table)
      .filter((entry) =>
        attackers.some((attacker) => nobleAddress(attacker.publicKey).every((b, i) => b === entry.address[i])),
      );
    expect(attackerEntries.length).toBeLessThanOrEqual(2);
    expect(accepted).toBeGreaterThan(0);
    expect(availability.size(table)).toBe(8);
    expect(stack.heapBytes()).toBe(heapBefore);
  });
});

describe("expiry", () => {
  it("removes entries not heard for the maximum age, and only those", async () => {
    const { availability, table } = await setUp(8, 10 * MINUTE, 30 * MINUTE);
    const old = identity("a");
    const recent = identity("b");
    availability.acceptAnnounce(table, nobleAnnounce(old, 1), 0);
    availability.acceptAnnounce(table, nobleAnnounce(recent, 1), 20 * MINUTE);
    expect(availability.expire(table, 30 * MINUTE - 1)).toBe(0);
    expect(availability.expire(table, 30 * MINUTE)).toBe(1);
    expect(availability.find(table, nobleAddress(old.publicKey))).toBeUndefined();
    expect(availability.find(table, nobleAddress(recent.publicKey))).toBeDefined();
    // A clock that went backwards makes nothing look older.
    expect(availability.expire(table, 0)).toBe(0);
    expect(availability.counters(table).expiries).toBe(1);
    // An expired endpoint comes back with its next announce.
    expect(availability.acceptAnnounce(table, nobleAnnounce(old, 2), 31 * MINUTE)).toBe("announcesAccepted");
  });
});

describe("fuzz", () => {
  it("random and mutated frames never trap, never enter the table, and are all counted", async () => {
    const { stack, availability, table } = await setUp(4);
    const random = new SeededRandom(702);
    const alice = identity("alice");
    const template = nobleAnnounce(alice, 1_000_000, random.bytes(20));
    availability.acceptAnnounce(table, nobleAnnounce(alice, 1), 0);
    const before = availability.entries(table);
    const heapBefore = stack.heapBytes();
    const total = 3000;
    for (let i = 0; i < total; i++) {
      let frame: Uint8Array;
      if (i % 2 === 0) {
        frame = random.bytes(random.between(0, 300));
        if (i % 4 === 0 && frame.length > 0) frame[0] = 1;
        if (i % 8 === 0 && frame.length > 39) frame[39] = frame.length - 104;
      } else {
        frame = template.slice(0, random.between(0, template.length + 1));
        for (let flips = random.between(1, 4); flips > 0; flips--) {
          const at = random.below(Math.max(frame.length, 1));
          if (at !== 2 && frame.length > 0) frame[at] ^= 1 << random.below(8);
        }
        if (frame.length === template.length && frame.every((b, j) => b === template[j] || j === 2)) frame[0] ^= 2;
      }
      expect(availability.acceptAnnounce(table, frame, 1 + i)).not.toBe("announcesAccepted");
    }
    expect(availability.entries(table)).toEqual(before);
    expect(stack.heapBytes()).toBe(heapBefore);
    const counters = availability.counters(table);
    const rejected = Object.entries(counters)
      .filter(([name]) => name.startsWith("rejected"))
      .reduce((sum, [, value]) => sum + value, 0);
    expect(rejected).toBe(total);
  });
});
