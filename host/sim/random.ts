// Reproducible randomness for the simulator: a seeded sequential generator (xoshiro128**, Blackman and
// Vigna 2018, seeded through splitmix32) for draws whose order is fixed by the event order, and
// counter-based draws (a hash of seed and integer keys) for values that must not depend on the order
// in which they are asked for, such as a link's frozen shadowing.

const TWO_POW_32 = 0x1_0000_0000;
/** Weyl increment, 2^32 / golden ratio: spreads consecutive seeds and keys over the whole word. */
const GOLDEN_GAMMA = 0x9e3779b9;

/**
 * A 32-bit avalanche mixer (the "lowbias32" constants found by C. Wellons' hash prospector): every
 * input bit flips about half the output bits, which is what turns small integer keys into uniform words.
 */
export function mix32(value: number): number {
  let z = value >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d);
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A uniform 32-bit word determined only by the seed and up to four integer keys. */
export function hashKeys(seed: number, a: number, b = 0, c = 0, d = 0): number {
  // Each key is folded in after a mix, so (a, b) and (b, a) give unrelated words (link direction matters).
  let h = mix32(seed + GOLDEN_GAMMA);
  h = mix32((h ^ a) + GOLDEN_GAMMA);
  h = mix32((h ^ b) + GOLDEN_GAMMA);
  h = mix32((h ^ c) + GOLDEN_GAMMA);
  return mix32((h ^ d) + GOLDEN_GAMMA);
}

/** A uniform number in (0, 1), never 0 (so it is safe under a logarithm), from a 32-bit word. */
export function unitFromWord(word: number): number {
  return ((word >>> 0) + 0.5) / TWO_POW_32;
}

/** A standard normal draw determined by the seed and keys (Box–Muller over two hashed uniforms). */
export function hashedStandardNormal(seed: number, a: number, b = 0, c = 0): number {
  const u1 = unitFromWord(hashKeys(seed, a, b, c, 1));
  const u2 = unitFromWord(hashKeys(seed, a, b, c, 2));
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Seeded sequential generator: xoshiro128** with its 128-bit state filled from splitmix32. */
export class DeterministicRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Box–Muller yields normals in pairs; the second is kept for the next call. */
  private spareNormal = Number.NaN;

  constructor(readonly seed: number) {
    let counter = seed >>> 0;
    const splitmix32 = () => {
      counter = (counter + GOLDEN_GAMMA) >>> 0;
      return mix32(counter);
    };
    this.s0 = splitmix32();
    this.s1 = splitmix32();
    this.s2 = splitmix32();
    this.s3 = splitmix32();
    // An all-zero state is the one fixed point of xoshiro; splitmix32 cannot produce four zeros, but be explicit.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /**
   * A generator resumed from a saved state (four 32-bit words, not all zero), e.g. a checkpoint; `seed`
   * is what its fork() streams derive from.
   */
  static fromState(state: readonly [number, number, number, number], seed = 0): DeterministicRandom {
    if ((state[0] | state[1] | state[2] | state[3]) === 0) throw new RangeError("xoshiro state must not be all zero");
    const random = new DeterministicRandom(seed);
    [random.s0, random.s1, random.s2, random.s3] = state.map((word) => word | 0);
    return random;
  }

  /** The current state, for fromState(). */
  state(): [number, number, number, number] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /**
   * An independent stream for one purpose (a node's traffic, a fault injector), so adding draws to one
   * stream never shifts another: the child's seed hashes the parent's seed with the stream number.
   */
  fork(stream: number): DeterministicRandom {
    return new DeterministicRandom(hashKeys(this.seed, stream, 0x5eed));
  }

  /** A uniformly random unsigned 32-bit integer. */
  nextU32(): number {
    const s1Times5 = Math.imul(this.s1, 5);
    const result = Math.imul((s1Times5 << 7) | (s1Times5 >>> 25), 9) >>> 0;
    const shifted = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= shifted;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution (ample for timing jitter and loss draws). */
  uniform(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** Uniform in [low, high). */
  uniformBetween(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /** An integer in [0, bound); bias is below bound / 2^32, negligible for the bounds a simulation uses. */
  integerBelow(bound: number): number {
    return Math.floor(this.uniform() * bound);
  }

  /** An integer in [low, high], both ends included. */
  integerBetween(low: number, high: number): number {
    return low + this.integerBelow(high - low + 1);
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.uniform() < probability;
  }

  /** A normal draw (Box–Muller, polar-free form; the pair's second value is cached). */
  normal(mean = 0, standardDeviation = 1): number {
    if (!Number.isNaN(this.spareNormal)) {
      const spare = this.spareNormal;
      this.spareNormal = Number.NaN;
      return mean + standardDeviation * spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform())); // 1 − u lies in (0, 1]: log is finite
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return mean + standardDeviation * radius * Math.cos(angle);
  }

  /** An exponential draw with the given mean: the gap between Poisson arrivals (message traffic). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.uniform());
  }
}
