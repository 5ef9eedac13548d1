import { ed25519 } from "@noble/curves/ed25519.js";
import { beforeAll, describe, expect, it } from "vitest";
import { Availability } from "../../host/wasm/availability.js";
import { Stack } from "../../host/wasm/stack.js";
import { SeededRandom } from "../support/seeded-random.js";
import { grindIdentity, nobleAddress, noblePuzzleZeroBits } from "./announce-helpers.js";

let availability: Availability;
beforeAll(async () => {
  availability = new Availability(await Stack.load());
});

describe("an endpoint's address", () => {
  it("is BLAKE2b-128 keyed with meshstack/address/v1 over the public key, as noble computes it", () => {
    const random = new SeededRandom(501);
    for (let i = 0; i < 50; i++) {
      const publicKey = i < 25 ? random.bytes(32) : ed25519.getPublicKey(random.bytes(32));
      expect(availability.address(publicKey)).toEqual(nobleAddress(publicKey));
    }
  });
});

describe("the identity puzzle", () => {
  it("agrees with noble's count of leading zero bits of H(H(pk)) at every difficulty 0..16", () => {
    const random = new SeededRandom(502);
    for (let i = 0; i < 300; i++) {
      const publicKey = random.bytes(32);
      const zeroBits = noblePuzzleZeroBits(publicKey);
      for (const difficulty of [0, zeroBits, zeroBits + 1, random.between(0, 16)]) {
        expect(availability.puzzleSatisfied(publicKey, difficulty), `difficulty ${difficulty}`).toBe(
          zeroBits >= difficulty,
        );
      }
    }
  });

  it("accepts keys ground for difficulty 8, 9 and 10 and costs about 2^difficulty attempts", () => {
    let attempts = 0;
    for (const difficulty of [8, 9, 10]) {
      const identity = grindIdentity(`puzzle-${difficulty}`, difficulty);
      attempts += identity.attempts;
      expect(availability.puzzleSatisfied(identity.publicKey, difficulty)).toBe(true);
    }
    // Expected 256 + 512 + 1024 attempts; a wide band keeps this a sanity check, not a flaky statistic.
    expect(attempts).toBeGreaterThan(100);
    expect(attempts).toBeLessThan(20_000);
  });

  it("refuses difficulties outside 0..64", () => {
    const publicKey = new Uint8Array(32);
    expect(availability.puzzleSatisfied(publicKey, -1)).toBe(false);
    expect(availability.puzzleSatisfied(publicKey, 65)).toBe(false);
  });
});
