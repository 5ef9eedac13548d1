import { describe, expect, it } from "vitest";
import { DeterministicRandom, hashedStandardNormal, hashKeys, unitFromWord } from "../../host/sim/random.js";

function meanAndDeviation(values: number[]): { mean: number; deviation: number } {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  return { mean, deviation: Math.sqrt(variance) };
}

describe("the seeded generator", () => {
  it("matches the xoshiro128** reference output from state {1, 2, 3, 4}", () => {
    // Blackman and Vigna's xoshiro128starstar.c v1.1, as used by Rust rand_xoshiro's test_vectors.
    const random = DeterministicRandom.fromState([1, 2, 3, 4]);
    const outputs = Array.from({ length: 10 }, () => random.nextU32());
    expect(outputs).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });

  it("repeats its sequence for a seed, differs for another, and resumes from a saved state", () => {
    const a = new DeterministicRandom(42);
    const b = new DeterministicRandom(42);
    const c = new DeterministicRandom(43);
    const first = Array.from({ length: 16 }, () => a.nextU32());
    expect(Array.from({ length: 16 }, () => b.nextU32())).toEqual(first);
    expect(Array.from({ length: 16 }, () => c.nextU32())).not.toEqual(first);
    const resumed = DeterministicRandom.fromState(a.state());
    expect(Array.from({ length: 8 }, () => resumed.nextU32())).toEqual(Array.from({ length: 8 }, () => a.nextU32()));
  });

  it("gives forks their own reproducible streams", () => {
    const parent = new DeterministicRandom(7);
    const one = parent.fork(1).nextU32();
    expect(new DeterministicRandom(7).fork(1).nextU32()).toBe(one);
    expect(parent.fork(2).nextU32()).not.toBe(one);
  });

  it("keeps integers within their inclusive bounds and reaches both ends", () => {
    const random = new DeterministicRandom(3);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const value = random.integerBetween(-2, 3);
      expect(value).toBeGreaterThanOrEqual(-2);
      expect(value).toBeLessThanOrEqual(3);
      seen.add(value);
    }
    expect([...seen].sort((x, y) => x - y)).toEqual([-2, -1, 0, 1, 2, 3]);
  });

  it("draws uniforms in [0, 1) and normals with the asked mean and deviation", () => {
    const random = new DeterministicRandom(11);
    const uniforms = Array.from({ length: 20_000 }, () => random.uniform());
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniforms)).toBeLessThan(1);
    expect(meanAndDeviation(uniforms).mean).toBeCloseTo(0.5, 1);
    const normals = meanAndDeviation(Array.from({ length: 20_000 }, () => random.normal(3, 2)));
    expect(normals.mean).toBeCloseTo(3, 1);
    expect(normals.deviation).toBeCloseTo(2, 1);
    const gaps = meanAndDeviation(Array.from({ length: 20_000 }, () => random.exponential(60)));
    expect(gaps.mean / 60).toBeCloseTo(1, 1);
  });
});

describe("counter-based draws", () => {
  it("depend on every key and its position, so link A→B differs from B→A", () => {
    expect(hashKeys(1, 2, 3)).toBe(hashKeys(1, 2, 3));
    expect(hashKeys(1, 2, 3)).not.toBe(hashKeys(1, 3, 2));
    expect(hashKeys(1, 2, 3)).not.toBe(hashKeys(2, 2, 3));
    expect(unitFromWord(0)).toBeGreaterThan(0);
    expect(unitFromWord(0xffffffff)).toBeLessThan(1);
  });

  it("hash to standard normals", () => {
    const draws = Array.from({ length: 20_000 }, (_, i) => hashedStandardNormal(5, i, 17));
    const { mean, deviation } = meanAndDeviation(draws);
    expect(mean).toBeCloseTo(0, 1);
    expect(deviation).toBeCloseTo(1, 1);
  });
});
