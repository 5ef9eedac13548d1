// Integers modulo L = 2^252 + 27742317777372353535851937790883648493, the order of Ed25519's base point
// (RFC 8032 §5.1): the reductions and the multiply-add that signing needs (§5.1.6 steps 2, 4 and 5),
// and the S < L check of verification (§5.1.7 step 1). Constant time, because r and S are secret.
//
// Method. Numbers are held as signed 64-bit limbs of 21 bits, so that 2^252 = 2^(12·21) falls exactly on
// a limb boundary: limb i ≥ 12 stands for limb·2^(21(i−12))·2^252, and 2^252 ≡ −δ (mod L) with
// δ = L − 2^252 < 2^125, six limbs. Folding limb i into limbs i−12 … i−7 with −δ removes 21 bits at a
// time; signed limbs make the subtraction free of borrows. The result is brought into [0, L) by masked
// (branch-free) corrections.
import { wipe } from "./constant-time";

const LIMB_BITS: i32 = 21;
const LIMB_MASK: i64 = (1 << LIMB_BITS) - 1;

/** Bytes of a scalar. */
export const SCALAR_BYTES: usize = 32;

// δ = L − 2^252 in 21-bit limbs, low first (printed from the integer δ by a one-line script:
// [(δ >> 21i) & (2^21 − 1) for i in 0..5]). The tests check L through S = L and S = L − 1 rejection
// and through thousands of signatures compared with two independent implementations.
const DELTA0: i64 = 1430509;
const DELTA1: i64 = 1626855;
const DELTA2: i64 = 1442968;
const DELTA3: i64 = 997804;
const DELTA4: i64 = 1960495;
const DELTA5: i64 = 683900;

// 25 limbs = 525 bits: room for a 512-bit hash or a 253 × 256-bit product plus an addend.
const WIDE_LIMBS: i32 = 25;
// The limbs of the number being reduced (owned by the exported functions below, each of which fills,
// reduces and wipes it before returning; they never call each other). Holds secrets, hence the wipe.
const limbs: usize = memory.data(WIDE_LIMBS * 8, 8);
// Thirteen-limb operands of scalarMulAdd and scalarIsCanonical, and the trial difference t − L of
// subtractLIfNotBelow (same ownership and wiping).
const factorA: usize = memory.data(13 * 8, 8);
const factorB: usize = memory.data(13 * 8, 8);
const difference: usize = memory.data(12 * 8, 8);

@inline
function limb(array: usize, i: i32): i64 {
  return load<i64>(array + (<usize>i << 3));
}

@inline
function setLimb(array: usize, i: i32, value: i64): void {
  store<i64>(array + (<usize>i << 3), value);
}

/** Floor carries from limb `from` up to limb `to` − 1, leaving those in [0, 2^21); limb `to` absorbs. */
function carryRange(array: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    const value = limb(array, i);
    const carry = value >> LIMB_BITS; // arithmetic shift: floor, also for negative limbs
    setLimb(array, i, value & LIMB_MASK);
    setLimb(array, i + 1, limb(array, i + 1) + carry);
  }
}

/**
 * Folds c units of limb at+12 (weight 2^(21·at)·2^252) down: 2^252 ≡ −δ (mod L), so they are worth
 * −c·δ·2^(21·at), i.e. limbs at … at+5 −= c·δ_j. The caller has already cleared limb at+12.
 */
@inline
function subtractDeltaTimes(array: usize, at: i32, c: i64): void {
  const base = array + (<usize>at << 3);
  store<i64>(base, load<i64>(base, 0) - c * DELTA0, 0);
  store<i64>(base, load<i64>(base, 8) - c * DELTA1, 8);
  store<i64>(base, load<i64>(base, 16) - c * DELTA2, 16);
  store<i64>(base, load<i64>(base, 24) - c * DELTA3, 24);
  store<i64>(base, load<i64>(base, 32) - c * DELTA4, 32);
  store<i64>(base, load<i64>(base, 40) - c * DELTA5, 40);
}

// The limbs of L itself: δ in limbs 0..5 and 2^252 = 2^21·2^(21·11) in limb 11 (the top limb of a
// twelve-limb number is not bounded to 21 bits).
const L_LIMBS: usize = memory.data<i64>([DELTA0, DELTA1, DELTA2, DELTA3, DELTA4, DELTA5, 0, 0, 0, 0, 0, 1 << LIMB_BITS]);

@inline
function limbOfL(i: i32): i64 {
  return limb(L_LIMBS, i);
}

/**
 * In place on limbs[0..12) (a non-negative value, low eleven limbs in [0, 2^21)): t ← t − L when t ≥ L,
 * without branching on t.
 */
function subtractLIfNotBelow(): void {
  for (let i = 0; i < 12; i++) setLimb(difference, i, limb(limbs, i) - limbOfL(i));
  carryRange(difference, 0, 11);
  // The top limb is negative exactly when t < L; its sign bit, spread, keeps t.
  const keep = limb(difference, 11) >> 63;
  for (let i = 0; i < 12; i++) {
    const t = limb(limbs, i);
    const d = limb(difference, i);
    setLimb(limbs, i, d ^ ((d ^ t) & keep));
  }
}

/**
 * Reduces limbs[0..25) (non-negative, below 2^525, limbs in [0, 2^21) except possibly the top one)
 * modulo L and writes the 32-byte little-endian result to `out`.
 */
function reduceLimbsTo(out: usize): void {
  // Fold limbs 24 … 12 from the top. Each fold subtracts at most |c|·δ_j < 2^22 · 2^21 from a limb,
  // and the carry pass that follows brings limbs at−12 … at−2 back into [0, 2^21) and leaves limb at−1
  // (the next to fold) within about ±2^22, so no intermediate comes near 2^63.
  for (let i = WIDE_LIMBS - 1; i >= 12; i--) {
    const c = limb(limbs, i);
    setLimb(limbs, i, 0);
    subtractDeltaTimes(limbs, i - 12, c);
    carryRange(limbs, i - 12, i - 1);
  }
  // Limb 11 may still carry bits at or above 2^252: fold them once more (c in [−2, 1]).
  const top = limb(limbs, 11);
  const c = top >> LIMB_BITS;
  setLimb(limbs, 11, top & LIMB_MASK);
  subtractDeltaTimes(limbs, 0, c);
  carryRange(limbs, 0, 11);
  // Now value = (something in [0, 2^252)) − c·δ lies in (−2^127, 2^252 + 2^127) ⊂ (−L, 2L).
  // Adding L makes it non-negative and below 3L; two masked conditional subtractions land in [0, L).
  for (let i = 0; i < 12; i++) setLimb(limbs, i, limb(limbs, i) + limbOfL(i));
  carryRange(limbs, 0, 11);
  subtractLIfNotBelow();
  subtractLIfNotBelow();
  // Pack 11 × 21 bits plus the top limb (< 2^22) into bytes. The loop bounds depend only on counts.
  let accumulator: u64 = 0;
  let bits: i32 = 0;
  let written: usize = 0;
  for (let i = 0; i < 12; i++) {
    accumulator |= <u64>limb(limbs, i) << bits;
    bits += LIMB_BITS;
    while (bits >= 8) {
      store<u8>(out + written, <u8>accumulator);
      written++;
      accumulator >>= 8;
      bits -= 8;
    }
  }
  // 252 bits made 31 bytes; the last byte takes the top 4 bits plus bit 252 of a 22-bit top limb.
  while (written < SCALAR_BYTES) {
    store<u8>(out + written, <u8>accumulator);
    written++;
    accumulator >>= 8;
  }
  wipe(difference, 12 * 8);
}

/** Reads limbs 0..11 of a 32-byte little-endian number, plus bits 252..255 as limb 12. */
function loadScalarLimbs(array: usize, bytes: usize): void {
  for (let i = 0; i < 12; i++) {
    const bit = i * LIMB_BITS;
    // One unaligned 32-bit load per limb: shift (≤ 7) + 21 bits fit, and the last load ends at byte 31.
    setLimb(array, i, <i64>(load<u32>(bytes + (<usize>bit >> 3)) >>> (bit & 7)) & LIMB_MASK);
  }
  setLimb(array, 12, <i64>(load<u8>(bytes, 31) >> 4));
}

/** out (32 bytes) ← the 64-byte little-endian number at `wide` mod L (RFC 8032 §5.1.6 steps 2 and 4). */
export function scalarReduce(out: usize, wide: usize): void {
  for (let i = 0; i < 24; i++) {
    const bit = i * LIMB_BITS;
    // The last of these loads (limb 23, bytes 60..63) ends inside the 64-byte input.
    setLimb(limbs, i, <i64>(load<u32>(wide + (<usize>bit >> 3)) >>> (bit & 7)) & LIMB_MASK);
  }
  setLimb(limbs, 24, <i64>load<u8>(wide, 63)); // bits 504..511
  reduceLimbsTo(out);
  wipe(limbs, WIDE_LIMBS * 8);
}

/**
 * out ← (a·b + c) mod L, for 32-byte little-endian a, b, c (any values below 2^256): RFC 8032 §5.1.6
 * step 5, S = (r + k·s) mod L. `out` may alias an input.
 */
export function scalarMulAdd(out: usize, a: usize, b: usize, c: usize): void {
  loadScalarLimbs(factorA, a);
  loadScalarLimbs(factorB, b);
  loadScalarLimbs(limbs, c);
  for (let i = 13; i < WIDE_LIMBS; i++) setLimb(limbs, i, 0);
  // Columns of the 13 × 13-limb product: at most 13 terms below 2^42 each, plus c's limb: < 2^46.
  for (let i = 0; i < 13; i++) {
    const ai = limb(factorA, i);
    for (let j = 0; j < 13; j++) {
      const k = i + j;
      setLimb(limbs, k, limb(limbs, k) + ai * limb(factorB, j));
    }
  }
  carryRange(limbs, 0, WIDE_LIMBS - 1);
  reduceLimbsTo(out);
  wipe(limbs, WIDE_LIMBS * 8);
  wipe(factorA, 13 * 8);
  wipe(factorB, 13 * 8);
}

/**
 * True when the 32-byte little-endian s is below L: RFC 8032 §5.1.7 step 1 rejects S ≥ L (signature
 * malleability, §8.4). Constant time although S is public.
 */
export function scalarIsCanonical(s: usize): bool {
  loadScalarLimbs(factorA, s);
  // s − L over 13 limbs; the sign of the top limb after carrying says whether s < L.
  for (let i = 0; i < 12; i++) setLimb(factorA, i, limb(factorA, i) - limbOfL(i));
  carryRange(factorA, 0, 12);
  const below = limb(factorA, 12) < 0;
  wipe(factorA, 13 * 8);
  return below;
}
