// The 16-bit potential code of beacon entries (firmware/availability/beacon.ts, docs/routing.md
// "Potential exchange"): exact below 2048, 11 significant bits above, always rounded up — a report
// may make a neighbour look a little uphill, never downhill — and codes beyond 32 bits refused.
import { beforeAll, describe, expect, it } from "vitest";
import { Availability } from "../../host/wasm/availability.js";
import { Stack } from "../../host/wasm/stack.js";
import { SeededRandom } from "../support/seeded-random.js";

let availability: Availability;
beforeAll(async () => {
  availability = new Availability(await Stack.load());
});

const roundTrip = (potential: number) => availability.beaconPotential(availability.beaconPotentialCode(potential));

describe("beacon potential code", () => {
  it("is exact below 2048, the destination's own 0 included", () => {
    for (let potential = 0; potential < 2048; potential++) {
      expect(availability.beaconPotentialCode(potential)).toBe(potential);
      expect(roundTrip(potential)).toBe(potential);
    }
  });

  it("rounds up by less than 1/1024 and keeps order (seeded random potentials)", () => {
    const random = new SeededRandom(2048);
    // Every potential a node keeps: route-table.ts caps them at 4.0·10⁹.
    const samples = [2048, 2049, 4095, 4096, 4097, 0xfffff, 4_000_000_000];
    for (let i = 0; i < 5000; i++) samples.push(random.below(2_000_000_000) * 2 + random.below(2));
    for (let i = 0; i < 2000; i++) samples.push(2048 + random.below(1 << 20));
    samples.sort((a, b) => a - b);
    let previousCode = -1;
    for (const potential of samples) {
      const code = availability.beaconPotentialCode(potential);
      expect(code, `${potential}`).toBeGreaterThanOrEqual(0);
      expect(code, `${potential}`).toBeLessThanOrEqual(0xffff);
      expect(code, `order at ${potential}`).toBeGreaterThanOrEqual(previousCode);
      previousCode = code;
      const decoded = availability.beaconPotential(code);
      expect(decoded, `${potential}`).toBeGreaterThanOrEqual(potential);
      expect(decoded - potential, `${potential}`).toBeLessThan(potential / 1024);
      expect(decoded, `${potential}`).toBeLessThan(2 ** 32);
    }
  });

  it("refuses codes whose value would not fit 32 bits, and has no code for 'no potential'", () => {
    // Shift 21 is the largest that fits: 2047 << 21 < 2³².
    expect(availability.beaconPotential((21 << 11) | 2047)).toBe(2047 * 2 ** 21);
    for (let shift = 22; shift < 32; shift++) {
      expect(availability.beaconPotential(shift << 11)).toBe(-1);
      expect(availability.beaconPotential((shift << 11) | 2047)).toBe(-1);
    }
    expect(availability.beaconPotentialCode(0xffffffff)).toBe(-1);
    // Above the largest code's value (beyond any kept potential) the largest code stands in.
    for (const potential of [2047 * 2 ** 21 + 1, 0xfffffffe]) {
      expect(availability.beaconPotentialCode(potential)).toBe((21 << 11) | 2047);
    }
  });
});
