// Arithmetic in GF(p), p = 2^255 - 19: the field under both X25519 (RFC 7748 §4.1) and Ed25519
// (RFC 8032 §5.1). Everything here is constant time: no branch and no memory index depends on a value.
//
// Representation. A field element ("fe") is 10 signed 32-bit limbs at a pointer (FE_BYTES = 40), in
// radix 2^25.5: limb i has weight 2^ceil(25.5·i), so even limbs carry 26 bits and odd limbs 25, and
//   value = h0 + h1·2^26 + h2·2^51 + h3·2^77 + h4·2^102
//         + h5·2^128 + h6·2^153 + h7·2^179 + h8·2^204 + h9·2^230.
// WASM multiplies 64 × 64 → 64 bits but has no 128-bit product, so limbs this narrow let every partial
// product and every column sum of a multiplication fit in an i64 with room to spare, and 32-bit
// microcontrollers (via wasm2c) get 32 × 32 → 64 multiplies.
//
// Bounds. "Carried" means what feMul, feSquare, feMulSmall and feCarry return: |limb| ≤ 2^25 (even) or
// 2^24 (odd), a little more on h1 and h6 (see feCarryWide). Let "slack" be a limb's magnitude over its
// nominal width (2^26 even, 2^25 odd); carried limbs have slack ≤ ~0.51. feAdd/feSub/feNeg do not carry:
// the sum of two carried elements has slack ≤ ~1.02. feMul and feSquare accept slack up to 4 (see the
// column bound in feMul), so any sum or difference of two carried elements, or of such a sum and a
// carried element, may be multiplied directly. Points and ladders below never go beyond slack 2.
//
// Aliasing. Every function may be called with `out` equal to any input: inputs are read into locals, or
// limb by limb, before the same limb is written.
//
// Scratch. The few temporaries (inversion, square root) are module-level areas of linear memory, owned by
// one function each (named below); the limb registers (below) carry results out of the limb form. That
// is safe because WASM runs one call at a time, nothing here recurses or calls back into an owner, and no
// value is kept in scratch from one call to the next.

import { wipe } from "./constant-time";

/** Bytes of one field element: 10 × i32 limbs. */
export const FE_BYTES: usize = 40;

const MASK26: i32 = (1 << 26) - 1;
const MASK25: i32 = (1 << 25) - 1;

/** f ← 0. */
export function feZero(f: usize): void {
  memory.fill(f, 0, FE_BYTES);
}

/** f ← 1. */
export function feOne(f: usize): void {
  memory.fill(f, 0, FE_BYTES);
  store<i32>(f, 1);
}

/** f ← a small non-negative integer n < 2^26. */
export function feSetSmall(f: usize, n: i32): void {
  memory.fill(f, 0, FE_BYTES);
  store<i32>(f, n);
}

/** out ← f. */
export function feCopy(out: usize, f: usize): void {
  memory.copy(out, f, FE_BYTES);
}

/** out ← f + g, limb by limb, no carry (slack adds). */
export function feAdd(out: usize, f: usize, g: usize): void {
  store<i32>(out, load<i32>(f, 0) + load<i32>(g, 0), 0);
  store<i32>(out, load<i32>(f, 4) + load<i32>(g, 4), 4);
  store<i32>(out, load<i32>(f, 8) + load<i32>(g, 8), 8);
  store<i32>(out, load<i32>(f, 12) + load<i32>(g, 12), 12);
  store<i32>(out, load<i32>(f, 16) + load<i32>(g, 16), 16);
  store<i32>(out, load<i32>(f, 20) + load<i32>(g, 20), 20);
  store<i32>(out, load<i32>(f, 24) + load<i32>(g, 24), 24);
  store<i32>(out, load<i32>(f, 28) + load<i32>(g, 28), 28);
  store<i32>(out, load<i32>(f, 32) + load<i32>(g, 32), 32);
  store<i32>(out, load<i32>(f, 36) + load<i32>(g, 36), 36);
}

/** out ← f − g, limb by limb, no carry. Limbs are signed, so no multiple of p needs adding. */
export function feSub(out: usize, f: usize, g: usize): void {
  store<i32>(out, load<i32>(f, 0) - load<i32>(g, 0), 0);
  store<i32>(out, load<i32>(f, 4) - load<i32>(g, 4), 4);
  store<i32>(out, load<i32>(f, 8) - load<i32>(g, 8), 8);
  store<i32>(out, load<i32>(f, 12) - load<i32>(g, 12), 12);
  store<i32>(out, load<i32>(f, 16) - load<i32>(g, 16), 16);
  store<i32>(out, load<i32>(f, 20) - load<i32>(g, 20), 20);
  store<i32>(out, load<i32>(f, 24) - load<i32>(g, 24), 24);
  store<i32>(out, load<i32>(f, 28) - load<i32>(g, 28), 28);
  store<i32>(out, load<i32>(f, 32) - load<i32>(g, 32), 32);
  store<i32>(out, load<i32>(f, 36) - load<i32>(g, 36), 36);
}

/** out ← −f (slack unchanged). */
export function feNeg(out: usize, f: usize): void {
  for (let offset: usize = 0; offset < FE_BYTES; offset += 4) {
    store<i32>(out + offset, -load<i32>(f + offset));
  }
}

// ---------------------------------------------------------------------------------------------------
// Limb registers. A WASM function returns one value, so the multiplications hand their ten result limbs
// over in these globals. The limb form (feMulLimbs, feSquareLimbs, feMulSmallAddLimbs: limbs in as
// arguments) leaves them for the caller to copy into its locals; the memory form (feMul, feSquare, …:
// pointers) loads its inputs, runs the limb form and stores the registers at `out`. Callers that chain operations
// (the X25519 ladder, the point formulas, feSquareTimes) keep their intermediates in locals this way
// instead of in linear memory, whose every access is a bounds-checked one in the wasm2c build (a global
// is a plain field of the instance there). Read them right after the call that sets them: the next
// operation overwrites them. A limb-form signature has at most 21 values (feMulSmallAddLimbs: 10 + 1 + 10),
// the most the native runtime's function-type table packs (firmware/native/runtime/wasm-rt.c).
export let limb0: i32 = 0;
export let limb1: i32 = 0;
export let limb2: i32 = 0;
export let limb3: i32 = 0;
export let limb4: i32 = 0;
export let limb5: i32 = 0;
export let limb6: i32 = 0;
export let limb7: i32 = 0;
export let limb8: i32 = 0;
export let limb9: i32 = 0;

/** Zeroes the limb registers: after an operation on secret values they hold the last result. */
export function wipeLimbRegisters(): void {
  limb0 = 0;
  limb1 = 0;
  limb2 = 0;
  limb3 = 0;
  limb4 = 0;
  limb5 = 0;
  limb6 = 0;
  limb7 = 0;
  limb8 = 0;
  limb9 = 0;
}

/** Stores the limb registers at `out` (memory ← the last limb-form result). */
// @inline: a tail of limb-form code; ten stores.
@inline
export function feStoreLimbs(out: usize): void {
  store<i32>(out, limb0, 0);
  store<i32>(out, limb1, 4);
  store<i32>(out, limb2, 8);
  store<i32>(out, limb3, 12);
  store<i32>(out, limb4, 16);
  store<i32>(out, limb5, 20);
  store<i32>(out, limb6, 24);
  store<i32>(out, limb7, 28);
  store<i32>(out, limb8, 32);
  store<i32>(out, limb9, 36);
}

/**
 * Carries ten i64 column sums down to carried limbs, into the limb registers.
 *
 * Carries round to nearest, c = (h + 2^(w−1)) >> w, leaving each limb in [−2^(w−1), 2^(w−1)).
 * Two chains run side by side (0→1→2→3→4 and 5→6→7→8→9) so the CPU can overlap them, then the two
 * chain ends are carried across: 4→5, and 9→0 with factor 19 because 2^255 ≡ 19 (mod p), then 5→6 and
 * 0→1 once more to absorb those. With |h| < 2^62.96 on entry (feMul's bound), every carry is below
 * 2^37, so no sum overflows; 19·c9 < 2^42, so the last 0→1 carry is below 2^17 and h1 ends within
 * 2^24 + 2^17; likewise h6 ends within 2^25 + 2^12. All other limbs end within 2^25 (even) / 2^24 (odd):
 * slack ≤ ~0.51.
 */
// @inline: called from the hot functions only; inlining lets the sums stay in locals.
@inline
function feCarryWide(
  h0: i64, h1: i64, h2: i64, h3: i64, h4: i64, h5: i64, h6: i64, h7: i64, h8: i64, h9: i64,
): void {
  let c0 = (h0 + (1 << 25)) >> 26;
  let c5 = (h5 + (1 << 24)) >> 25;
  h1 += c0;
  h0 -= c0 << 26;
  h6 += c5;
  h5 -= c5 << 25;
  const c1 = (h1 + (1 << 24)) >> 25;
  const c6 = (h6 + (1 << 25)) >> 26;
  h2 += c1;
  h1 -= c1 << 25;
  h7 += c6;
  h6 -= c6 << 26;
  const c2 = (h2 + (1 << 25)) >> 26;
  const c7 = (h7 + (1 << 24)) >> 25;
  h3 += c2;
  h2 -= c2 << 26;
  h8 += c7;
  h7 -= c7 << 25;
  const c3 = (h3 + (1 << 24)) >> 25;
  const c8 = (h8 + (1 << 25)) >> 26;
  h4 += c3;
  h3 -= c3 << 25;
  h9 += c8;
  h8 -= c8 << 26;
  const c4 = (h4 + (1 << 25)) >> 26;
  const c9 = (h9 + (1 << 24)) >> 25;
  h5 += c4;
  h4 -= c4 << 26;
  h0 += c9 * 19;
  h9 -= c9 << 25;
  c5 = (h5 + (1 << 24)) >> 25;
  c0 = (h0 + (1 << 25)) >> 26;
  h6 += c5;
  h5 -= c5 << 25;
  h1 += c0;
  h0 -= c0 << 26;
  limb0 = <i32>h0;
  limb1 = <i32>h1;
  limb2 = <i32>h2;
  limb3 = <i32>h3;
  limb4 = <i32>h4;
  limb5 = <i32>h5;
  limb6 = <i32>h6;
  limb7 = <i32>h7;
  limb8 = <i32>h8;
  limb9 = <i32>h9;
}

/** out ← f, carried (slack back to ≤ ~0.51). */
export function feCarry(out: usize, f: usize): void {
  feCarryWide(
    <i64>load<i32>(f, 0), <i64>load<i32>(f, 4), <i64>load<i32>(f, 8), <i64>load<i32>(f, 12), <i64>load<i32>(f, 16),
    <i64>load<i32>(f, 20), <i64>load<i32>(f, 24), <i64>load<i32>(f, 28), <i64>load<i32>(f, 32), <i64>load<i32>(f, 36),
  );
  feStoreLimbs(out);
}

/**
 * out ← f·g, carried.
 *
 * Schoolbook product folded mod p. Limb i times limb j lands at weight 2^(ceil(25.5i) + ceil(25.5j)),
 * which is 2^ceil(25.5(i+j)) times 2 when i and j are both odd (two half bits round up twice); and a
 * column k ≥ 10 has weight 2^255 · 2^ceil(25.5(k−10)) ≡ 19 · that, so it folds into column k − 10 with
 * factor 19. Hence the pre-doubled odd limbs of f (f1x2 …) and the 19-multiples of g (g1x19 …).
 *
 * Column bound: with slack s on both inputs, column 0 (the largest) is at most
 * f0g0 + 38·(five odd·odd products) + 19·(four even·even products) ≤ s²·2^52·(1 + 47.5 + 76)
 * = 124.5·s²·2^52, and 124.5·16 < 2^11, so s ≤ 4 keeps every column below 2^63 (and below 2^61 at the
 * slack ≤ 2.04 that callers actually use).
 */
export function feMul(out: usize, f: usize, g: usize): void {
  feMulLimbs(
    load<i32>(f, 0), load<i32>(f, 4), load<i32>(f, 8), load<i32>(f, 12), load<i32>(f, 16), load<i32>(f, 20),
    load<i32>(f, 24), load<i32>(f, 28), load<i32>(f, 32), load<i32>(f, 36),
    load<i32>(g, 0), load<i32>(g, 4), load<i32>(g, 8), load<i32>(g, 12), load<i32>(g, 16), load<i32>(g, 20),
    load<i32>(g, 24), load<i32>(g, 28), load<i32>(g, 32), load<i32>(g, 36),
  );
  feStoreLimbs(out);
}

/** The limb form of feMul: f·g, carried, into the limb registers. */
export function feMulLimbs(
  f0: i32, f1: i32, f2: i32, f3: i32, f4: i32, f5: i32, f6: i32, f7: i32, f8: i32, f9: i32,
  g0: i32, g1: i32, g2: i32, g3: i32, g4: i32, g5: i32, g6: i32, g7: i32, g8: i32, g9: i32,
): void {
  mulColumns(
    <i64>f0, <i64>f1, <i64>f2, <i64>f3, <i64>f4, <i64>f5, <i64>f6, <i64>f7, <i64>f8, <i64>f9,
    <i64>g0, <i64>g1, <i64>g2, <i64>g3, <i64>g4, <i64>g5, <i64>g6, <i64>g7, <i64>g8, <i64>g9,
  );
}

/** feMul's columns, then the carries. */
// @inline: written with i64 operands; feMulLimbs widens its arguments once.
@inline
function mulColumns(
  f0: i64, f1: i64, f2: i64, f3: i64, f4: i64, f5: i64, f6: i64, f7: i64, f8: i64, f9: i64,
  g0: i64, g1: i64, g2: i64, g3: i64, g4: i64, g5: i64, g6: i64, g7: i64, g8: i64, g9: i64,
): void {
  const f1x2 = f1 << 1;
  const f3x2 = f3 << 1;
  const f5x2 = f5 << 1;
  const f7x2 = f7 << 1;
  const f9x2 = f9 << 1;
  // Each column is its own products plus 19 × the products of the column 10 above, summed first and
  // multiplied by 19 once: fewer values live at a time than with pre-multiplied g·19 (fewer spills).
  const h0 = f0 * g0 + 19 * (f1x2 * g9 + f2 * g8 + f3x2 * g7 + f4 * g6 + f5x2 * g5 + f6 * g4 + f7x2 * g3 + f8 * g2 + f9x2 * g1);
  const h1 = f0 * g1 + f1 * g0 + 19 * (f2 * g9 + f3 * g8 + f4 * g7 + f5 * g6 + f6 * g5 + f7 * g4 + f8 * g3 + f9 * g2);
  const h2 = f0 * g2 + f1x2 * g1 + f2 * g0 + 19 * (f3x2 * g9 + f4 * g8 + f5x2 * g7 + f6 * g6 + f7x2 * g5 + f8 * g4 + f9x2 * g3);
  const h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + 19 * (f4 * g9 + f5 * g8 + f6 * g7 + f7 * g6 + f8 * g5 + f9 * g4);
  const h4 = f0 * g4 + f1x2 * g3 + f2 * g2 + f3x2 * g1 + f4 * g0 + 19 * (f5x2 * g9 + f6 * g8 + f7x2 * g7 + f8 * g6 + f9x2 * g5);
  const h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + 19 * (f6 * g9 + f7 * g8 + f8 * g7 + f9 * g6);
  const h6 = f0 * g6 + f1x2 * g5 + f2 * g4 + f3x2 * g3 + f4 * g2 + f5x2 * g1 + f6 * g0 + 19 * (f7x2 * g9 + f8 * g8 + f9x2 * g7);
  const h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + 19 * (f8 * g9 + f9 * g8);
  const h8 = f0 * g8 + f1x2 * g7 + f2 * g6 + f3x2 * g5 + f4 * g4 + f5x2 * g3 + f6 * g2 + f7x2 * g1 + f8 * g0 + 19 * (f9x2 * g9);
  const h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
  feCarryWide(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/**
 * out ← f², carried. The product f·f with each cross term f_i·f_j (i < j) taken once and doubled:
 * 55 multiplications instead of 100. Same weights (×2 for odd·odd, ×19 for folded columns) and the same
 * column bound as feMul.
 */
export function feSquare(out: usize, f: usize): void {
  feSquareLimbs(
    load<i32>(f, 0), load<i32>(f, 4), load<i32>(f, 8), load<i32>(f, 12), load<i32>(f, 16), load<i32>(f, 20),
    load<i32>(f, 24), load<i32>(f, 28), load<i32>(f, 32), load<i32>(f, 36),
  );
  feStoreLimbs(out);
}

/** The limb form of feSquare: f², carried, into the limb registers. */
export function feSquareLimbs(
  f0: i32, f1: i32, f2: i32, f3: i32, f4: i32, f5: i32, f6: i32, f7: i32, f8: i32, f9: i32,
): void {
  squareColumns(
    <i64>f0, <i64>f1, <i64>f2, <i64>f3, <i64>f4, <i64>f5, <i64>f6, <i64>f7, <i64>f8, <i64>f9,
  );
}

/** feSquare's columns, then the carries. */
// @inline: written with i64 operands; feSquareLimbs widens its arguments once.
@inline
function squareColumns(
  f0: i64, f1: i64, f2: i64, f3: i64, f4: i64, f5: i64, f6: i64, f7: i64, f8: i64, f9: i64,
): void {
  const f0x2 = f0 << 1;
  const f1x2 = f1 << 1;
  const f2x2 = f2 << 1;
  const f3x2 = f3 << 1;
  const f4x2 = f4 << 1;
  const f5x2 = f5 << 1;
  const f6x2 = f6 << 1;
  const f7x2 = f7 << 1;
  const f8x2 = f8 << 1;
  const f9x2 = f9 << 1;
  // Odd × odd cross terms: doubled once for the pair, once for the weight.
  const f1x4 = f1 << 2;
  const f3x4 = f3 << 2;
  const f5x4 = f5 << 2;
  const f7x4 = f7 << 2;
  const f5x19 = f5 * 19;
  const f6x19 = f6 * 19;
  const f7x19 = f7 * 19;
  const f8x19 = f8 * 19;
  const f9x19 = f9 * 19;
  const h0 = f0 * f0 + f1x4 * f9x19 + f2x2 * f8x19 + f3x4 * f7x19 + f4x2 * f6x19 + f5x2 * f5x19;
  const h1 = f0x2 * f1 + f2x2 * f9x19 + f3x2 * f8x19 + f4x2 * f7x19 + f5x2 * f6x19;
  const h2 = f0x2 * f2 + f1x2 * f1 + f3x4 * f9x19 + f4x2 * f8x19 + f5x4 * f7x19 + f6 * f6x19;
  const h3 = f0x2 * f3 + f1x2 * f2 + f4x2 * f9x19 + f5x2 * f8x19 + f6x2 * f7x19;
  const h4 = f0x2 * f4 + f1x4 * f3 + f2 * f2 + f5x4 * f9x19 + f6x2 * f8x19 + f7x2 * f7x19;
  const h5 = f0x2 * f5 + f1x2 * f4 + f2x2 * f3 + f6x2 * f9x19 + f7x2 * f8x19;
  const h6 = f0x2 * f6 + f1x4 * f5 + f2x2 * f4 + f3x2 * f3 + f7x4 * f9x19 + f8 * f8x19;
  const h7 = f0x2 * f7 + f1x2 * f6 + f2x2 * f5 + f3x2 * f4 + f8x2 * f9x19;
  const h8 = f0x2 * f8 + f1x4 * f7 + f2x2 * f6 + f3x4 * f5 + f4 * f4 + f9x2 * f9x19;
  const h9 = f0x2 * f9 + f1x2 * f8 + f2x2 * f7 + f3x2 * f6 + f4x2 * f5;
  feCarryWide(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/**
 * out ← f^(2^n): n successive squarings (n ≥ 1), in the limb form so the intermediate powers stay in the
 * limb registers instead of going through memory (the inversion chains run 254 squarings).
 */
export function feSquareTimes(out: usize, f: usize, n: i32): void {
  feSquareLimbs(
    load<i32>(f, 0), load<i32>(f, 4), load<i32>(f, 8), load<i32>(f, 12), load<i32>(f, 16),
    load<i32>(f, 20), load<i32>(f, 24), load<i32>(f, 28), load<i32>(f, 32), load<i32>(f, 36),
  );
  for (let i = 1; i < n; i++) feSquareLimbs(limb0, limb1, limb2, limb3, limb4, limb5, limb6, limb7, limb8, limb9);
  feStoreLimbs(out);
}

/** out ← n·f, carried, for a small constant n < 2^17 (X25519's a24 = 121665): products stay below 2^45. */
export function feMulSmall(out: usize, f: usize, n: i32): void {
  const m = <i64>n;
  feCarryWide(
    <i64>load<i32>(f, 0) * m, <i64>load<i32>(f, 4) * m, <i64>load<i32>(f, 8) * m, <i64>load<i32>(f, 12) * m,
    <i64>load<i32>(f, 16) * m, <i64>load<i32>(f, 20) * m, <i64>load<i32>(f, 24) * m, <i64>load<i32>(f, 28) * m,
    <i64>load<i32>(f, 32) * m, <i64>load<i32>(f, 36) * m,
  );
  feStoreLimbs(out);
}

/**
 * n·f + g, carried, into the limb registers (limb form), for a small constant n < 2^17 and g of slack
 * ≤ 2: X25519's AA + a24·E in one pass. Products stay below 2^45 and the sums below 2^46.
 */
export function feMulSmallAddLimbs(
  f0: i32, f1: i32, f2: i32, f3: i32, f4: i32, f5: i32, f6: i32, f7: i32, f8: i32, f9: i32,
  n: i32,
  g0: i32, g1: i32, g2: i32, g3: i32, g4: i32, g5: i32, g6: i32, g7: i32, g8: i32, g9: i32,
): void {
  const m = <i64>n;
  feCarryWide(
    <i64>f0 * m + <i64>g0, <i64>f1 * m + <i64>g1, <i64>f2 * m + <i64>g2, <i64>f3 * m + <i64>g3,
    <i64>f4 * m + <i64>g4, <i64>f5 * m + <i64>g5, <i64>f6 * m + <i64>g6, <i64>f7 * m + <i64>g7,
    <i64>f8 * m + <i64>g8, <i64>f9 * m + <i64>g9,
  );
}

/**
 * f ← the 32 little-endian bytes at `bytes`, bit 255 ignored (RFC 7748 §5 masks it for u; RFC 8032
 * §5.1.3 takes it as the sign of x). Values in [p, 2^255) are kept as they are, unreduced: the limbs are
 * simply the bit fields, so slack ≤ 1. Each limb is one unaligned 32-bit load: a limb's start bit mod 8
 * plus its width never exceeds 32, and the last load (bytes 28..31) stays inside the input.
 */
export function feFromBytes(f: usize, bytes: usize): void {
  store<i32>(f, load<u32>(bytes, 0) & MASK26, 0); // bits 0..25
  store<i32>(f, (load<u32>(bytes, 3) >>> 2) & MASK25, 4); // bits 26..50
  store<i32>(f, (load<u32>(bytes, 6) >>> 3) & MASK26, 8); // bits 51..76
  store<i32>(f, (load<u32>(bytes, 9) >>> 5) & MASK25, 12); // bits 77..101
  store<i32>(f, (load<u32>(bytes, 12) >>> 6) & MASK26, 16); // bits 102..127
  store<i32>(f, load<u32>(bytes, 16) & MASK25, 20); // bits 128..152
  store<i32>(f, (load<u32>(bytes, 19) >>> 1) & MASK26, 24); // bits 153..178
  store<i32>(f, (load<u32>(bytes, 22) >>> 3) & MASK25, 28); // bits 179..203
  store<i32>(f, (load<u32>(bytes, 25) >>> 4) & MASK26, 32); // bits 204..229
  store<i32>(f, (load<u32>(bytes, 28) >>> 6) & MASK25, 36); // bits 230..254
}

/**
 * Writes the canonical encoding of f (the unique value in [0, p), 32 bytes little-endian, bit 255 clear)
 * to `bytes`. Accepts slack up to ~2 (any sum of two carried elements).
 *
 * Three passes of floor carries (c = h >> w, so every limb but h9 lands in [0, 2^w) and h9's overflow
 * c9 folds back as 19·c9) bring the value into [0, 2^255): pass 1 leaves |c9| ≤ 4 folded into h0, so the
 * value is within ±2^7 of [0, 2^255); pass 2 wraps it at most once more, either to a value below 2^7
 * or, if it was negative, to value + 2^255 − 19 = value + p ≥ 0; pass 3 settles the remaining borrow
 * without wrapping. Then p ≤ v < 2^255 exactly when v + 19 ≥ 2^255, and in that case the result is
 * v + 19 − 2^255 = v − p: computed for both and chosen by mask, not by branch.
 */
export function feToBytes(bytes: usize, f: usize): void {
  let h0 = load<i32>(f, 0);
  let h1 = load<i32>(f, 4);
  let h2 = load<i32>(f, 8);
  let h3 = load<i32>(f, 12);
  let h4 = load<i32>(f, 16);
  let h5 = load<i32>(f, 20);
  let h6 = load<i32>(f, 24);
  let h7 = load<i32>(f, 28);
  let h8 = load<i32>(f, 32);
  let h9 = load<i32>(f, 36);
  for (let pass = 0; pass < 3; pass++) {
    h1 += h0 >> 26;
    h0 &= MASK26;
    h2 += h1 >> 25;
    h1 &= MASK25;
    h3 += h2 >> 26;
    h2 &= MASK26;
    h4 += h3 >> 25;
    h3 &= MASK25;
    h5 += h4 >> 26;
    h4 &= MASK26;
    h6 += h5 >> 25;
    h5 &= MASK25;
    h7 += h6 >> 26;
    h6 &= MASK26;
    h8 += h7 >> 25;
    h7 &= MASK25;
    h9 += h8 >> 26;
    h8 &= MASK26;
    h0 += 19 * (h9 >> 25);
    h9 &= MASK25;
  }
  // t = v + 19 with floor carries; t9 >> 25 is 1 exactly when v ≥ p.
  let t0 = h0 + 19;
  let t1 = h1 + (t0 >> 26);
  t0 &= MASK26;
  let t2 = h2 + (t1 >> 25);
  t1 &= MASK25;
  let t3 = h3 + (t2 >> 26);
  t2 &= MASK26;
  let t4 = h4 + (t3 >> 25);
  t3 &= MASK25;
  let t5 = h5 + (t4 >> 26);
  t4 &= MASK26;
  let t6 = h6 + (t5 >> 25);
  t5 &= MASK25;
  let t7 = h7 + (t6 >> 26);
  t6 &= MASK26;
  let t8 = h8 + (t7 >> 25);
  t7 &= MASK25;
  let t9 = h9 + (t8 >> 26);
  t8 &= MASK26;
  const useT = -(t9 >> 25); // −1 when v ≥ p, else 0
  t9 &= MASK25;
  h0 ^= useT & (h0 ^ t0);
  h1 ^= useT & (h1 ^ t1);
  h2 ^= useT & (h2 ^ t2);
  h3 ^= useT & (h3 ^ t3);
  h4 ^= useT & (h4 ^ t4);
  h5 ^= useT & (h5 ^ t5);
  h6 ^= useT & (h6 ^ t6);
  h7 ^= useT & (h7 ^ t7);
  h8 ^= useT & (h8 ^ t8);
  h9 ^= useT & (h9 ^ t9);
  // Pack the bit fields (start bits 0, 26, 51, 77, 102 | 128, 153, 179, 204, 230) into four 64-bit words.
  store<u64>(bytes, <u64>h0 | (<u64>h1 << 26) | (<u64>h2 << 51), 0);
  store<u64>(bytes, (<u64>h2 >> 13) | (<u64>h3 << 13) | (<u64>h4 << 38), 8);
  store<u64>(bytes, <u64>h5 | (<u64>h6 << 25) | (<u64>h7 << 51), 16);
  store<u64>(bytes, (<u64>h7 >> 13) | (<u64>h8 << 12) | (<u64>h9 << 38), 24);
}

// Canonical bytes for feIsZero / feIsNegative (owned by those two).
const canonicalScratch: usize = memory.data(32, 8);

/** 1 when f ≡ 0 (mod p), else 0; constant time. */
export function feIsZero(f: usize): i32 {
  feToBytes(canonicalScratch, f);
  let bits: u64 = 0;
  for (let offset: usize = 0; offset < 32; offset += 8) bits |= load<u64>(canonicalScratch + offset);
  // (bits | −bits) has its top bit set exactly when bits ≠ 0.
  return 1 ^ <i32>((bits | (0 - bits)) >>> 63);
}

/** The low bit of f's canonical value: RFC 8032 §5.1.2 calls x "negative" when it is odd. */
export function feIsNegative(f: usize): i32 {
  feToBytes(canonicalScratch, f);
  return load<u8>(canonicalScratch) & 1;
}

/** 1 when f ≡ g (mod p), else 0. */
export function feEqual(f: usize, g: usize): i32 {
  feSub(equalScratch, f, g);
  return feIsZero(equalScratch);
}
const equalScratch: usize = memory.data(<i32>FE_BYTES, 8); // owned by feEqual

// Temporaries of the exponentiation ladder below (owned by powTwo250MinusOne).
const powT0: usize = memory.data(<i32>FE_BYTES, 8);
const powT1: usize = memory.data(<i32>FE_BYTES, 8);
const powT2: usize = memory.data(<i32>FE_BYTES, 8);
const powT3: usize = memory.data(<i32>FE_BYTES, 8);

/**
 * Sets out ← z^(2^250 − 1) and z11 ← z^11: the common prefix of both exponentiations below.
 * Writing t_k = z^(2^k − 1), t_(a+b) = (t_a)^(2^b) · t_b builds t_250 from t_5 with squarings and 8
 * multiplications; t_5 = z^31 = (z^11)² · z^9. (The chain from Bernstein, "Curve25519: new Diffie-Hellman
 * speed records", 2006, §5.) `out` and `z11` must differ from each other; `z` may equal either.
 */
function powTwo250MinusOne(out: usize, z11: usize, z: usize): void {
  const z2 = powT0;
  const t = powT1;
  const tk = powT2; // t_k as it grows
  const t10 = powT3;
  feSquare(z2, z); // z^2
  feSquareTimes(t, z2, 2); // z^8
  feMul(t, t, z); // z^9
  feMul(z11, t, z2); // z^11 (z is not read again)
  feSquare(tk, z11); // z^22
  feMul(tk, tk, t); // t_5 = z^31
  feSquareTimes(t, tk, 5);
  feMul(t10, t, tk); // t_10
  feSquareTimes(t, t10, 10);
  feMul(tk, t, t10); // t_20
  feSquareTimes(t, tk, 20);
  feMul(tk, t, tk); // t_40
  feSquareTimes(t, tk, 10);
  feMul(tk, t, t10); // t_50 (t10 is free from here on: keep t_50 there)
  feCopy(t10, tk);
  feSquareTimes(t, tk, 50);
  feMul(tk, t, t10); // t_100
  feSquareTimes(t, tk, 100);
  feMul(tk, t, tk); // t_200
  feSquareTimes(t, tk, 50);
  feMul(out, t, t10); // t_250
}

const invertT250: usize = memory.data(<i32>FE_BYTES, 8); // owned by feInvert
const invertZ11: usize = memory.data(<i32>FE_BYTES, 8); // owned by feInvert

/**
 * out ← 1/z = z^(p−2) (Fermat), and 0 for z = 0 (which X25519 relies on: RFC 7748 §5 computes
 * x_2 · z_2^(p−2) and the all-zero result for small-order inputs comes out of exactly this).
 * p − 2 = 2^255 − 21 = (2^250 − 1)·2^5 + 11.
 */
export function feInvert(out: usize, z: usize): void {
  powTwo250MinusOne(invertT250, invertZ11, z);
  feSquareTimes(invertT250, invertT250, 5);
  feMul(out, invertT250, invertZ11);
}

const powT250: usize = memory.data(<i32>FE_BYTES, 8); // owned by fePowPMinus5Over8
const powZ11: usize = memory.data(<i32>FE_BYTES, 8); // owned by fePowPMinus5Over8
const powBase: usize = memory.data(<i32>FE_BYTES, 8); // owned by fePowPMinus5Over8

/**
 * out ← z^((p−5)/8), the exponent in RFC 8032 §5.1.3's square root of u/v.
 * (p − 5)/8 = 2^252 − 3 = (2^250 − 1)·2^2 + 1.
 */
export function fePowPMinus5Over8(out: usize, z: usize): void {
  feCopy(powBase, z); // z may alias out
  powTwo250MinusOne(powT250, powZ11, powBase);
  feSquareTimes(powT250, powT250, 2);
  feMul(out, powT250, powBase);
}

/**
 * Zeroes every temporary of this module. After an inversion of a secret-derived value (X25519's z_2)
 * they hold powers of it; callers handling secrets call this before returning.
 */
export function wipeFieldScratch(): void {
  wipeLimbRegisters();
  wipe(canonicalScratch, 32);
  wipe(equalScratch, FE_BYTES);
  wipe(powT0, FE_BYTES);
  wipe(powT1, FE_BYTES);
  wipe(powT2, FE_BYTES);
  wipe(powT3, FE_BYTES);
  wipe(invertT250, FE_BYTES);
  wipe(invertZ11, FE_BYTES);
  wipe(powT250, FE_BYTES);
  wipe(powZ11, FE_BYTES);
  wipe(powBase, FE_BYTES);
}
