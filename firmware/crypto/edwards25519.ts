// The Edwards25519 group (RFC 8032 §5.1: −x² + y² = 1 + d·x²·y² over GF(2^255 − 19)): point encoding
// and decoding (§5.1.2, §5.1.3), addition and doubling, constant-time base-point multiplication for
// signing, and a variable-time double-scalar multiplication for verification.
//
// Coordinates. Points are extended (X : Y : Z : T) with x = X/Z, y = Y/Z, x·y = T/Z (Hisil, Wong, Carter,
// Dawson, "Twisted Edwards curves revisited", 2008). The addition law used (their unified "add" for
// a = −1, with k = 2d) is complete on this curve, because −1 is a square and d is not: it has no
// exceptional inputs, so neither the identity nor P + P needs a special case, and constant-time code can
// add whatever a table lookup returns. Two precomputed shapes of an addend save work:
//   cached (Y+X, Y−X, Z, 2d·T)   for a general point: 8 multiplications per addition;
//   niels  (y+x, y−x, 2d·x·y)    for an affine point (Z = 1): 7 multiplications.
//
// Scratch. The point formulas keep their intermediates in locals. Every area of linear memory is owned
// by the one function that names it. WASM runs one call at a time and nothing here recurses or
// keeps state in scratch between calls, except the curve constants and the base-point table, which are
// computed once (edwardsInit) and never change afterwards.
import { wipe } from "./constant-time";
import {
  FE_BYTES, feAdd, feCarry, feCopy, feEqual, feFromBytes, feInvert, feIsNegative, feIsZero, feMul, feMulLimbs,
  feMulSmall, feNeg, feOne, fePowPMinus5Over8, feSetSmall, feSquare, feSquareLimbs, feStoreLimbs, feSub, feToBytes,
  feZero, limb0, limb1, limb2, limb3, limb4, limb5, limb6, limb7, limb8, limb9, wipeLimbRegisters,
} from "./field25519";

/** Bytes of an extended point (X, Y, Z, T) and of a cached point (Y+X, Y−X, Z, 2d·T). */
export const POINT_BYTES: usize = 4 * FE_BYTES;
/** Bytes of an affine niels point (y+x, y−x, 2d·x·y). */
export const NIELS_BYTES: usize = 3 * FE_BYTES;
/** Bytes of an encoded point (RFC 8032 §5.1.2). */
export const ENCODED_POINT_BYTES: usize = 32;

// Field offsets inside the point shapes.
const X: usize = 0;
const Y: usize = FE_BYTES;
const Z: usize = 2 * FE_BYTES;
const T: usize = 3 * FE_BYTES;
const Y_PLUS_X: usize = 0;
const Y_MINUS_X: usize = FE_BYTES;
const CACHED_Z: usize = 2 * FE_BYTES;
const CACHED_T2D: usize = 3 * FE_BYTES;
const NIELS_XY2D: usize = 2 * FE_BYTES;

// ---------------------------------------------------------------------------------------------------
// Curve constants, derived at start-up from the numbers in RFC 8032 §5.1 rather than typed in as limbs.

const curveD: usize = memory.data(<i32>FE_BYTES, 8); // d = −121665/121666
const curveD2: usize = memory.data(<i32>FE_BYTES, 8); // 2d
const sqrtMinusOne: usize = memory.data(<i32>FE_BYTES, 8); // 2^((p−1)/4), a square root of −1
const basePoint: usize = memory.data(<i32>POINT_BYTES, 8); // B: y = 4/5, x even ("positive")
const fieldOne: usize = memory.data<i32>([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // read-only

// ---------------------------------------------------------------------------------------------------
// Base-point table for constant-time multiplication by B.
//
// A scalar a < 2^255 is written with 64 signed radix-16 digits e_i in [−8, 8] (only the top one can
// be 8), a = Σ e_i·16^i. The digits are grouped as i = W·r + s (rows r = 0 … R−1, W = 64/R digits per
// row), and row r of the table holds j·16^(W·r)·B for j = 1 … 8 as niels points. Then
//   [a]B = Σ_s 16^s · Σ_r e_(W·r+s) · (16^(W·r)·B),
// evaluated by Horner's rule in s: 64 table additions (for any R) and 4·(W − 1) doublings.
// R trades memory for speed: 8·R·120 bytes against 4·(64/R − 1) doublings. R = 16 (15 KiB, 12
// doublings) took ~14 % off a signature's instructions against R = 8 (7.5 KiB, 28 doublings); R = 32
// would save 8 more doublings (~5 % of a signature) for another 15 KiB of the 128 KiB of linear memory
// the whole stack has, so R = 16. The table is computed on first use, not stored in the WASM file (its
// data segment would cost the same RAM, and flash besides, on a board): one inversion per row, shared
// by the row's eight entries.
const BASE_TABLE_ROWS: i32 = 16;
const DIGITS_PER_ROW: i32 = 64 / BASE_TABLE_ROWS;
const BASE_TABLE_ENTRIES: i32 = 8;
const baseTable: usize = memory.data(BASE_TABLE_ROWS * BASE_TABLE_ENTRIES * <i32>NIELS_BYTES, 8);

let curveReady = false;

// Temporaries of edwardsInit and its table builder (owned by them).
const initA: usize = memory.data(<i32>FE_BYTES, 8);
const initB: usize = memory.data(<i32>FE_BYTES, 8);
const initBytes: usize = memory.data(32, 8);
const initRowBase: usize = memory.data(<i32>POINT_BYTES, 8);
const initMultiple: usize = memory.data(<i32>POINT_BYTES, 8);
const initCached: usize = memory.data(<i32>POINT_BYTES, 8);
const initZProducts: usize = memory.data(BASE_TABLE_ENTRIES * <i32>FE_BYTES, 8); // Z_0 ··· Z_j per j
const initInverse: usize = memory.data(<i32>FE_BYTES, 8);

/**
 * Computes the curve constants and the base-point table the first time it is called; cheap afterwards.
 * Every Ed25519 entry point calls it first. Nothing it computes depends on a secret.
 */
export function edwardsInit(): void {
  if (curveReady) return;
  // d = −121665/121666 (RFC 8032 §5.1).
  feSetSmall(initA, 121666);
  feInvert(initA, initA);
  feSetSmall(initB, 121665);
  feMul(initA, initA, initB);
  feNeg(curveD, initA);
  feAdd(curveD2, curveD, curveD);
  feCarry(curveD2, curveD2);
  // sqrt(−1) = 2^((p−1)/4) (RFC 8032 §5.1.3 step 3), with (p−1)/4 = 2·(p−5)/8 + 1.
  feSetSmall(initA, 2);
  fePowPMinus5Over8(initA, initA);
  feSquare(initA, initA);
  feMulSmall(sqrtMinusOne, initA, 2);
  // B = (x, 4/5) with x "positive", i.e. even (RFC 8032 §5.1): decode the encoding of y = 4/5 with the
  // sign bit clear, which recovers exactly that x.
  feSetSmall(initA, 5);
  feInvert(initA, initA);
  feMulSmall(initA, initA, 4);
  feToBytes(initBytes, initA);
  pointDecodeVartime(basePoint, initBytes);
  buildBaseTable();
  curveReady = true;
}

function buildBaseTable(): void {
  memory.copy(initRowBase, basePoint, POINT_BYTES);
  for (let row = 0; row < BASE_TABLE_ROWS; row++) {
    // Entries j·P for j = 1 … 8, where P = 16^(W·row)·B: first each entry's own 120 bytes hold its
    // projective (X, Y, Z), and initZProducts the running products of the Z's.
    pointToCached(initCached, initRowBase);
    memory.copy(initMultiple, initRowBase, POINT_BYTES);
    for (let j = 0; j < BASE_TABLE_ENTRIES; j++) {
      memory.copy(baseTableEntry(row, j), initMultiple, 3 * FE_BYTES);
      const product = initZProducts + <usize>j * FE_BYTES;
      if (j == 0) feCopy(product, initMultiple + Z);
      else feMul(product, product - FE_BYTES, initMultiple + Z);
      pointAddCached(initMultiple, initMultiple, initCached, false);
    }
    // One inversion for the row (Montgomery's trick): from I = 1/(Z_0 ··· Z_j), 1/Z_j = I·(Z_0 ··· Z_(j−1))
    // and 1/(Z_0 ··· Z_(j−1)) = I·Z_j, walking j down to 0.
    feInvert(initInverse, initZProducts + <usize>(BASE_TABLE_ENTRIES - 1) * FE_BYTES);
    for (let j = BASE_TABLE_ENTRIES - 1; j >= 0; j--) {
      const entry = baseTableEntry(row, j);
      if (j == 0) {
        feCopy(affineInverseZ, initInverse);
      } else {
        feMul(affineInverseZ, initInverse, initZProducts + <usize>(j - 1) * FE_BYTES);
        feMul(initInverse, initInverse, entry + Z);
      }
      projectiveToNiels(entry, entry, affineInverseZ);
    }
    // P ← 16^W · P.
    for (let i = 0; i < 4 * DIGITS_PER_ROW; i++) pointDouble(initRowBase, initRowBase, true);
  }
}

@inline
function baseTableEntry(row: i32, index: i32): usize {
  return baseTable + <usize>(row * BASE_TABLE_ENTRIES + index) * NIELS_BYTES;
}

// ---------------------------------------------------------------------------------------------------
// Point formulas. Each loads its inputs into locals once, runs the field operations in their limb form
// (field25519.ts, "Limb registers") and stores only the result: no intermediate goes through linear
// memory, whose every access is bounds-checked in the wasm2c build.

/** p ← the identity (0 : 1 : 1 : 0). */
export function pointSetIdentity(p: usize): void {
  feZero(p + X);
  feOne(p + Y);
  feOne(p + Z);
  feZero(p + T);
}

/**
 * out ← 2·p ("dbl-2008-hwcd" with a = −1, signs folded so that every intermediate is a sum of carried
 * values: slack ≤ 2.04 for F, which feMul accepts). T is only needed when an addition follows, so
 * `withT` = false saves a multiplication in runs of doublings. `out` may alias `p`: p is read in full
 * before anything is stored.
 */
export function pointDouble(out: usize, p: usize, withT: bool): void {
  const x0 = load<i32>(p + X, 0); const x1 = load<i32>(p + X, 4); const x2 = load<i32>(p + X, 8);
  const x3 = load<i32>(p + X, 12); const x4 = load<i32>(p + X, 16); const x5 = load<i32>(p + X, 20);
  const x6 = load<i32>(p + X, 24); const x7 = load<i32>(p + X, 28); const x8 = load<i32>(p + X, 32);
  const x9 = load<i32>(p + X, 36);
  const y0 = load<i32>(p + Y, 0); const y1 = load<i32>(p + Y, 4); const y2 = load<i32>(p + Y, 8);
  const y3 = load<i32>(p + Y, 12); const y4 = load<i32>(p + Y, 16); const y5 = load<i32>(p + Y, 20);
  const y6 = load<i32>(p + Y, 24); const y7 = load<i32>(p + Y, 28); const y8 = load<i32>(p + Y, 32);
  const y9 = load<i32>(p + Y, 36);
  feSquareLimbs(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9); // A = X²
  const a0 = limb0; const a1 = limb1; const a2 = limb2; const a3 = limb3; const a4 = limb4; const a5 = limb5;
  const a6 = limb6; const a7 = limb7; const a8 = limb8; const a9 = limb9;
  feSquareLimbs(y0, y1, y2, y3, y4, y5, y6, y7, y8, y9); // B = Y²
  const b0 = limb0; const b1 = limb1; const b2 = limb2; const b3 = limb3; const b4 = limb4; const b5 = limb5;
  const b6 = limb6; const b7 = limb7; const b8 = limb8; const b9 = limb9;
  feSquareLimbs(
    load<i32>(p + Z, 0), load<i32>(p + Z, 4), load<i32>(p + Z, 8), load<i32>(p + Z, 12), load<i32>(p + Z, 16),
    load<i32>(p + Z, 20), load<i32>(p + Z, 24), load<i32>(p + Z, 28), load<i32>(p + Z, 32), load<i32>(p + Z, 36));
  // C = 2·Z²
  const c0 = limb0 + limb0; const c1 = limb1 + limb1; const c2 = limb2 + limb2; const c3 = limb3 + limb3;
  const c4 = limb4 + limb4; const c5 = limb5 + limb5; const c6 = limb6 + limb6; const c7 = limb7 + limb7;
  const c8 = limb8 + limb8; const c9 = limb9 + limb9;
  feSquareLimbs(
    x0 + y0, x1 + y1, x2 + y2, x3 + y3, x4 + y4, x5 + y5, x6 + y6, x7 + y7, x8 + y8, x9 + y9); // (X + Y)²
  // H = A + B, E = H − (X + Y)², G = A − B, F = C + G (each the negative of the EFD quantity of the same
  // name; the products below take them in pairs, so the signs cancel).
  const h0 = a0 + b0; const h1 = a1 + b1; const h2 = a2 + b2; const h3 = a3 + b3; const h4 = a4 + b4;
  const h5 = a5 + b5; const h6 = a6 + b6; const h7 = a7 + b7; const h8 = a8 + b8; const h9 = a9 + b9;
  const e0 = h0 - limb0; const e1 = h1 - limb1; const e2 = h2 - limb2; const e3 = h3 - limb3; const e4 = h4 - limb4;
  const e5 = h5 - limb5; const e6 = h6 - limb6; const e7 = h7 - limb7; const e8 = h8 - limb8; const e9 = h9 - limb9;
  const g0 = a0 - b0; const g1 = a1 - b1; const g2 = a2 - b2; const g3 = a3 - b3; const g4 = a4 - b4;
  const g5 = a5 - b5; const g6 = a6 - b6; const g7 = a7 - b7; const g8 = a8 - b8; const g9 = a9 - b9;
  const f0 = c0 + g0; const f1 = c1 + g1; const f2 = c2 + g2; const f3 = c3 + g3; const f4 = c4 + g4;
  const f5 = c5 + g5; const f6 = c6 + g6; const f7 = c7 + g7; const f8 = c8 + g8; const f9 = c9 + g9;
  if (withT) {
    feMulLimbs(e0, e1, e2, e3, e4, e5, e6, e7, e8, e9,
      h0, h1, h2, h3, h4, h5, h6, h7, h8, h9); // T3 = E·H
    feStoreLimbs(out + T);
  }
  feMulLimbs(g0, g1, g2, g3, g4, g5, g6, g7, g8, g9,
    h0, h1, h2, h3, h4, h5, h6, h7, h8, h9); // Y3 = G·H
  feStoreLimbs(out + Y);
  feMulLimbs(e0, e1, e2, e3, e4, e5, e6, e7, e8, e9,
    f0, f1, f2, f3, f4, f5, f6, f7, f8, f9); // X3 = E·F
  feStoreLimbs(out + X);
  feMulLimbs(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9,
    g0, g1, g2, g3, g4, g5, g6, g7, g8, g9); // Z3 = F·G
  feStoreLimbs(out + Z);
}

/**
 * out ← p + q (or p − q when `subtract`), q cached: "add-2008-hwcd-3", 8 multiplications.
 * Subtraction adds −q = (Y−X, Y+X, Z, −2d·T): the two sums swap roles and C changes sign. `subtract` is
 * a public flag. `out` may alias `p`.
 */
export function pointAddCached(out: usize, p: usize, q: usize, subtract: bool): void {
  pointAdd(out, p, q, subtract, true);
}

/** out ← p + n (or p − n when `subtract`), n affine niels: as pointAddCached with Z2 = 1, 7 multiplications. */
export function pointAddNiels(out: usize, p: usize, n: usize, subtract: bool): void {
  pointAdd(out, p, n, subtract, false);
}

/**
 * The body of both additions (one copy keeps the code small): q is cached (Y+X, Y−X, Z, 2d·T) when
 * `cached`, else niels (y+x, y−x, 2d·x·y) with Z2 = 1. Both flags are public.
 *   A = (Y1 − X1)·(Y2 − X2), B = (Y1 + X1)·(Y2 + X2), C = T1·2d·T2, D = 2·Z1·Z2,
 *   E = B − A, H = B + A, F = D − C, G = D + C (C negated when subtracting),
 *   X3 = E·F, Y3 = G·H, T3 = E·H, Z3 = F·G. Slack: E, H ≤ 1.02; F, G ≤ 1.53.
 */
function pointAdd(out: usize, p: usize, q: usize, subtract: bool, cached: bool): void {
  const x0 = load<i32>(p + X, 0); const x1 = load<i32>(p + X, 4); const x2 = load<i32>(p + X, 8);
  const x3 = load<i32>(p + X, 12); const x4 = load<i32>(p + X, 16); const x5 = load<i32>(p + X, 20);
  const x6 = load<i32>(p + X, 24); const x7 = load<i32>(p + X, 28); const x8 = load<i32>(p + X, 32);
  const x9 = load<i32>(p + X, 36);
  const y0 = load<i32>(p + Y, 0); const y1 = load<i32>(p + Y, 4); const y2 = load<i32>(p + Y, 8);
  const y3 = load<i32>(p + Y, 12); const y4 = load<i32>(p + Y, 16); const y5 = load<i32>(p + Y, 20);
  const y6 = load<i32>(p + Y, 24); const y7 = load<i32>(p + Y, 28); const y8 = load<i32>(p + Y, 32);
  const y9 = load<i32>(p + Y, 36);
  const ym0 = y0 - x0; const ym1 = y1 - x1; const ym2 = y2 - x2; const ym3 = y3 - x3; const ym4 = y4 - x4;
  const ym5 = y5 - x5; const ym6 = y6 - x6; const ym7 = y7 - x7; const ym8 = y8 - x8; const ym9 = y9 - x9;
  const yp0 = y0 + x0; const yp1 = y1 + x1; const yp2 = y2 + x2; const yp3 = y3 + x3; const yp4 = y4 + x4;
  const yp5 = y5 + x5; const yp6 = y6 + x6; const yp7 = y7 + x7; const yp8 = y8 + x8; const yp9 = y9 + x9;
  const first = q + (subtract ? Y_PLUS_X : Y_MINUS_X);
  const second = q + (subtract ? Y_MINUS_X : Y_PLUS_X);
  const q0 = load<i32>(first, 0); const q1 = load<i32>(first, 4); const q2 = load<i32>(first, 8);
  const q3 = load<i32>(first, 12); const q4 = load<i32>(first, 16); const q5 = load<i32>(first, 20);
  const q6 = load<i32>(first, 24); const q7 = load<i32>(first, 28); const q8 = load<i32>(first, 32);
  const q9 = load<i32>(first, 36);
  feMulLimbs(ym0, ym1, ym2, ym3, ym4, ym5, ym6, ym7, ym8, ym9,
    q0, q1, q2, q3, q4, q5, q6, q7, q8, q9); // A
  const a0 = limb0; const a1 = limb1; const a2 = limb2; const a3 = limb3; const a4 = limb4; const a5 = limb5;
  const a6 = limb6; const a7 = limb7; const a8 = limb8; const a9 = limb9;
  const r0 = load<i32>(second, 0); const r1 = load<i32>(second, 4); const r2 = load<i32>(second, 8);
  const r3 = load<i32>(second, 12); const r4 = load<i32>(second, 16); const r5 = load<i32>(second, 20);
  const r6 = load<i32>(second, 24); const r7 = load<i32>(second, 28); const r8 = load<i32>(second, 32);
  const r9 = load<i32>(second, 36);
  feMulLimbs(yp0, yp1, yp2, yp3, yp4, yp5, yp6, yp7, yp8, yp9,
    r0, r1, r2, r3, r4, r5, r6, r7, r8, r9); // B
  const b0 = limb0; const b1 = limb1; const b2 = limb2; const b3 = limb3; const b4 = limb4; const b5 = limb5;
  const b6 = limb6; const b7 = limb7; const b8 = limb8; const b9 = limb9;
  const t2d = q + (cached ? CACHED_T2D : NIELS_XY2D);
  const t0 = load<i32>(p + T, 0); const t1 = load<i32>(p + T, 4); const t2 = load<i32>(p + T, 8);
  const t3 = load<i32>(p + T, 12); const t4 = load<i32>(p + T, 16); const t5 = load<i32>(p + T, 20);
  const t6 = load<i32>(p + T, 24); const t7 = load<i32>(p + T, 28); const t8 = load<i32>(p + T, 32);
  const t9 = load<i32>(p + T, 36);
  const k0 = load<i32>(t2d, 0); const k1 = load<i32>(t2d, 4); const k2 = load<i32>(t2d, 8);
  const k3 = load<i32>(t2d, 12); const k4 = load<i32>(t2d, 16); const k5 = load<i32>(t2d, 20);
  const k6 = load<i32>(t2d, 24); const k7 = load<i32>(t2d, 28); const k8 = load<i32>(t2d, 32);
  const k9 = load<i32>(t2d, 36);
  feMulLimbs(t0, t1, t2, t3, t4, t5, t6, t7, t8, t9,
    k0, k1, k2, k3, k4, k5, k6, k7, k8, k9); // C
  const c0 = limb0; const c1 = limb1; const c2 = limb2; const c3 = limb3; const c4 = limb4; const c5 = limb5;
  const c6 = limb6; const c7 = limb7; const c8 = limb8; const c9 = limb9;
  const z0 = load<i32>(p + Z, 0); const z1 = load<i32>(p + Z, 4); const z2 = load<i32>(p + Z, 8);
  const z3 = load<i32>(p + Z, 12); const z4 = load<i32>(p + Z, 16); const z5 = load<i32>(p + Z, 20);
  const z6 = load<i32>(p + Z, 24); const z7 = load<i32>(p + Z, 28); const z8 = load<i32>(p + Z, 32);
  const z9 = load<i32>(p + Z, 36);
  // W = Z1·Z2, with Z2 = 1 for niels.
  let w0 = z0, w1 = z1, w2 = z2, w3 = z3, w4 = z4, w5 = z5, w6 = z6, w7 = z7, w8 = z8, w9 = z9;
  if (cached) {
    feMulLimbs(z0, z1, z2, z3, z4, z5, z6, z7, z8, z9,
      load<i32>(q + CACHED_Z, 0), load<i32>(q + CACHED_Z, 4), load<i32>(q + CACHED_Z, 8),
      load<i32>(q + CACHED_Z, 12), load<i32>(q + CACHED_Z, 16), load<i32>(q + CACHED_Z, 20),
      load<i32>(q + CACHED_Z, 24), load<i32>(q + CACHED_Z, 28), load<i32>(q + CACHED_Z, 32),
      load<i32>(q + CACHED_Z, 36));
    w0 = limb0; w1 = limb1; w2 = limb2; w3 = limb3; w4 = limb4; w5 = limb5; w6 = limb6; w7 = limb7; w8 = limb8;
    w9 = limb9;
  }
  // D = 2·Z1·Z2
  const d0 = w0 + w0; const d1 = w1 + w1; const d2 = w2 + w2; const d3 = w3 + w3; const d4 = w4 + w4;
  const d5 = w5 + w5; const d6 = w6 + w6; const d7 = w7 + w7; const d8 = w8 + w8; const d9 = w9 + w9;
  const negate = subtract ? -1 : 0; // (c ^ −1) − (−1) = −c
  const e0 = b0 - a0; const e1 = b1 - a1; const e2 = b2 - a2; const e3 = b3 - a3; const e4 = b4 - a4;
  const e5 = b5 - a5; const e6 = b6 - a6; const e7 = b7 - a7; const e8 = b8 - a8; const e9 = b9 - a9;
  const h0 = b0 + a0; const h1 = b1 + a1; const h2 = b2 + a2; const h3 = b3 + a3; const h4 = b4 + a4;
  const h5 = b5 + a5; const h6 = b6 + a6; const h7 = b7 + a7; const h8 = b8 + a8; const h9 = b9 + a9;
  const f0 = d0 - ((c0 ^ negate) - negate); const f1 = d1 - ((c1 ^ negate) - negate);
  const f2 = d2 - ((c2 ^ negate) - negate); const f3 = d3 - ((c3 ^ negate) - negate);
  const f4 = d4 - ((c4 ^ negate) - negate); const f5 = d5 - ((c5 ^ negate) - negate);
  const f6 = d6 - ((c6 ^ negate) - negate); const f7 = d7 - ((c7 ^ negate) - negate);
  const f8 = d8 - ((c8 ^ negate) - negate); const f9 = d9 - ((c9 ^ negate) - negate);
  const g0 = d0 + ((c0 ^ negate) - negate); const g1 = d1 + ((c1 ^ negate) - negate);
  const g2 = d2 + ((c2 ^ negate) - negate); const g3 = d3 + ((c3 ^ negate) - negate);
  const g4 = d4 + ((c4 ^ negate) - negate); const g5 = d5 + ((c5 ^ negate) - negate);
  const g6 = d6 + ((c6 ^ negate) - negate); const g7 = d7 + ((c7 ^ negate) - negate);
  const g8 = d8 + ((c8 ^ negate) - negate); const g9 = d9 + ((c9 ^ negate) - negate);
  feMulLimbs(e0, e1, e2, e3, e4, e5, e6, e7, e8, e9,
    f0, f1, f2, f3, f4, f5, f6, f7, f8, f9); // X3 = E·F
  feStoreLimbs(out + X);
  feMulLimbs(g0, g1, g2, g3, g4, g5, g6, g7, g8, g9,
    h0, h1, h2, h3, h4, h5, h6, h7, h8, h9); // Y3 = G·H
  feStoreLimbs(out + Y);
  feMulLimbs(e0, e1, e2, e3, e4, e5, e6, e7, e8, e9,
    h0, h1, h2, h3, h4, h5, h6, h7, h8, h9); // T3 = E·H
  feStoreLimbs(out + T);
  feMulLimbs(f0, f1, f2, f3, f4, f5, f6, f7, f8, f9,
    g0, g1, g2, g3, g4, g5, g6, g7, g8, g9); // Z3 = F·G
  feStoreLimbs(out + Z);
}

/** out ← the cached form (Y+X, Y−X, Z, 2d·T) of p. */
export function pointToCached(out: usize, p: usize): void {
  feAdd(out + Y_PLUS_X, p + Y, p + X);
  feSub(out + Y_MINUS_X, p + Y, p + X);
  feCopy(out + CACHED_Z, p + Z);
  feMul(out + CACHED_T2D, p + T, curveD2);
}

// Temporaries of projectiveToNiels and pointEncode (affineInverseZ is also buildBaseTable's, which
// hands it to projectiveToNiels; none of them calls pointEncode).
const affineInverseZ: usize = memory.data(<i32>FE_BYTES, 8);
const affineX: usize = memory.data(<i32>FE_BYTES, 8);
const affineY: usize = memory.data(<i32>FE_BYTES, 8);

/**
 * out ← the affine niels form (y+x, y−x, 2d·x·y), carried, of the projective (X, Y, Z) at p, given
 * inverseZ = 1/Z. `out` may be p: X and Y are read before anything is written.
 */
function projectiveToNiels(out: usize, p: usize, inverseZ: usize): void {
  feMul(affineX, p + X, inverseZ);
  feMul(affineY, p + Y, inverseZ);
  feAdd(out + Y_PLUS_X, affineY, affineX);
  feCarry(out + Y_PLUS_X, out + Y_PLUS_X);
  feSub(out + Y_MINUS_X, affineY, affineX);
  feCarry(out + Y_MINUS_X, out + Y_MINUS_X);
  feMul(out + NIELS_XY2D, affineX, affineY);
  feMul(out + NIELS_XY2D, out + NIELS_XY2D, curveD2);
}

/**
 * Writes the 32-byte encoding of p (RFC 8032 §5.1.2): y little-endian with the low bit of x in bit 255.
 * Always canonical (y reduced below p). Constant time (used on R = [r]B while signing).
 */
export function pointEncode(bytes: usize, p: usize): void {
  feInvert(affineInverseZ, p + Z);
  feMul(affineX, p + X, affineInverseZ);
  feMul(affineY, p + Y, affineInverseZ);
  feToBytes(bytes, affineY);
  store<u8>(bytes, load<u8>(bytes, 31) | <u8>(feIsNegative(affineX) << 7), 31);
}

// Temporaries of pointDecodeVartime (owned by it).
const decodeU: usize = memory.data(<i32>FE_BYTES, 8);
const decodeV: usize = memory.data(<i32>FE_BYTES, 8);
const decodeV3: usize = memory.data(<i32>FE_BYTES, 8);
const decodeCheck: usize = memory.data(<i32>FE_BYTES, 8);
const decodeCanonical: usize = memory.data(32, 8);

/**
 * Decodes 32 bytes into p (RFC 8032 §5.1.3) and returns false, leaving p undefined, when they are not
 * the canonical encoding of a curve point: y ≥ p (step 1), no square root of u/v (step 3), or x = 0 with
 * the sign bit set (step 4). Variable time: only public points (keys, the base point) are decoded.
 */
export function pointDecodeVartime(p: usize, bytes: usize): bool {
  const y = p + Y;
  const x = p + X;
  feFromBytes(y, bytes);
  // Step 1: y must be below p. Re-encoding reduces it; equality with the input (bit 255 aside) holds
  // exactly when it was already reduced.
  feToBytes(decodeCanonical, y);
  for (let i: usize = 0; i < 31; i++) {
    if (load<u8>(decodeCanonical + i) != load<u8>(bytes + i)) return false;
  }
  if (load<u8>(decodeCanonical, 31) != (load<u8>(bytes, 31) & 0x7f)) return false;
  const sign = <i32>(load<u8>(bytes, 31) >> 7);

  // Step 2: x² = u/v with u = y² − 1, v = d·y² + 1; candidate x = u·v³·(u·v⁷)^((p−5)/8).
  feSquare(decodeU, y);
  feMul(decodeV, decodeU, curveD);
  feSub(decodeU, decodeU, fieldOne);
  feAdd(decodeV, decodeV, fieldOne);
  feSquare(decodeV3, decodeV);
  feMul(decodeV3, decodeV3, decodeV); // v³
  feSquare(x, decodeV3);
  feMul(x, x, decodeV); // v⁷
  feMul(x, x, decodeU); // u·v⁷
  fePowPMinus5Over8(x, x);
  feMul(x, x, decodeV3);
  feMul(x, x, decodeU); // u·v³·(u·v⁷)^((p−5)/8)

  // Step 3: v·x² = u → x is a root; v·x² = −u → x·sqrt(−1) is; otherwise u/v is not a square.
  feSquare(decodeCheck, x);
  feMul(decodeCheck, decodeCheck, decodeV);
  if (!feEqual(decodeCheck, decodeU)) {
    feNeg(decodeU, decodeU);
    if (!feEqual(decodeCheck, decodeU)) return false;
    feMul(x, x, sqrtMinusOne);
  }

  // Step 4: pick the root whose low bit is the sign bit; x = 0 has no negative twin.
  if (feIsZero(x) == 1 && sign == 1) return false;
  if (feIsNegative(x) != sign) feNeg(x, x);
  feOne(p + Z);
  feMul(p + T, x, y);
  return true;
}


// Temporary of pointIsSmallOrderVartime (owned by it).
const smallOrderScratch: usize = memory.data(<i32>POINT_BYTES, 8);

/**
 * True when p has order dividing 8 (the eight points of the torsion subgroup, identity included):
 * [8]p is the identity exactly then. [8]p always lies in the prime-order subgroup, where X = 0 only
 * for the identity, so testing X suffices.
 */
export function pointIsSmallOrderVartime(p: usize): bool {
  pointDouble(smallOrderScratch, p, false);
  pointDouble(smallOrderScratch, smallOrderScratch, false);
  pointDouble(smallOrderScratch, smallOrderScratch, false);
  return feIsZero(smallOrderScratch + X) == 1;
}

// ---------------------------------------------------------------------------------------------------
// [a]B in constant time (signing: a is the secret scalar s or the nonce r).

// Temporaries of pointMultiplyBase (owned by it). The digits and the selected entry derive from the
// secret scalar, so they are wiped before returning.
const baseDigits: usize = memory.data(64, 8);
const selectedNiels: usize = memory.data(<i32>NIELS_BYTES, 8);

/**
 * out ← [a]B for a 32-byte little-endian scalar a < 2^255 (bit 255 clear: a clamped secret scalar or a
 * value reduced mod L). Constant time: the same additions and doublings for every a, and every table
 * entry of a row is read for every digit, the wanted one kept by mask.
 */
export function pointMultiplyBase(out: usize, scalar: usize): void {
  // Radix-16 digits, recentred from [0, 16) to [−8, 8) by carrying 1 upwards from each digit ≥ 8.
  // Digit 63 takes the last carry: at most 7 + 1, still within the table's ±8.
  let carry: i32 = 0;
  for (let i: usize = 0; i < 63; i++) {
    const byte = <i32>load<u8>(scalar + (i >> 1));
    let digit = ((byte >> <i32>((i & 1) << 2)) & 15) + carry;
    carry = (digit + 8) >> 4;
    digit -= carry << 4;
    store<i8>(baseDigits + i, <i8>digit);
  }
  store<i8>(baseDigits + 63, <i8>((<i32>load<u8>(scalar, 31) >> 4) + carry));

  pointSetIdentity(out);
  for (let s = DIGITS_PER_ROW - 1; s >= 0; s--) {
    if (s != DIGITS_PER_ROW - 1) {
      pointDouble(out, out, false);
      pointDouble(out, out, false);
      pointDouble(out, out, false);
      pointDouble(out, out, true);
    }
    for (let row = 0; row < BASE_TABLE_ROWS; row++) {
      selectBaseMultiple(row, <i32>load<i8>(baseDigits + <usize>(row * DIGITS_PER_ROW + s)));
      pointAddNiels(out, out, selectedNiels, false);
    }
  }
  wipe(baseDigits, 64);
  wipe(selectedNiels, NIELS_BYTES);
  wipeLimbRegisters(); // the last additions left values derived from the scalar there
}

/**
 * selectedNiels ← digit·(row's point) for digit in [−8, 8], reading all eight entries of the row.
 * |digit| = 0 leaves the identity (1, 1, 0); a negative digit swaps y+x with y−x and negates 2d·x·y.
 *
 * The scan keeps the selection in fifteen 64-bit locals (two limbs each, the low limb in the low half,
 * as they lie in memory) and stores it once, 2d·x·y negated limb by limb: every entry is still read in full
 * and kept or dropped by mask, but without a load and store of the selection per entry (in the wasm2c
 * build every linear-memory access is a bounds-checked one).
 */
function selectBaseMultiple(row: i32, digit: i32): void {
  const negative = digit >> 31; // −1 or 0
  const magnitude = (digit ^ negative) - negative;
  // The identity: y+x = y−x = 1 (limb 0 is the low half of word 0), 2d·x·y = 0.
  let p0: i64 = 1, p1: i64 = 0, p2: i64 = 0, p3: i64 = 0, p4: i64 = 0;
  let m0: i64 = 1, m1: i64 = 0, m2: i64 = 0, m3: i64 = 0, m4: i64 = 0;
  let t0: i64 = 0, t1: i64 = 0, t2: i64 = 0, t3: i64 = 0, t4: i64 = 0;
  let entry = baseTableEntry(row, 0);
  for (let j = 1; j <= BASE_TABLE_ENTRIES; j++) {
    // (x − 1) >> 31 is −1 exactly when x = 0 (x here is small and non-negative).
    const keep = <i64>(((magnitude ^ j) - 1) >> 31);
    p0 ^= keep & (p0 ^ load<i64>(entry, Y_PLUS_X));
    p1 ^= keep & (p1 ^ load<i64>(entry, Y_PLUS_X + 8));
    p2 ^= keep & (p2 ^ load<i64>(entry, Y_PLUS_X + 16));
    p3 ^= keep & (p3 ^ load<i64>(entry, Y_PLUS_X + 24));
    p4 ^= keep & (p4 ^ load<i64>(entry, Y_PLUS_X + 32));
    m0 ^= keep & (m0 ^ load<i64>(entry, Y_MINUS_X));
    m1 ^= keep & (m1 ^ load<i64>(entry, Y_MINUS_X + 8));
    m2 ^= keep & (m2 ^ load<i64>(entry, Y_MINUS_X + 16));
    m3 ^= keep & (m3 ^ load<i64>(entry, Y_MINUS_X + 24));
    m4 ^= keep & (m4 ^ load<i64>(entry, Y_MINUS_X + 32));
    t0 ^= keep & (t0 ^ load<i64>(entry, NIELS_XY2D));
    t1 ^= keep & (t1 ^ load<i64>(entry, NIELS_XY2D + 8));
    t2 ^= keep & (t2 ^ load<i64>(entry, NIELS_XY2D + 16));
    t3 ^= keep & (t3 ^ load<i64>(entry, NIELS_XY2D + 24));
    t4 ^= keep & (t4 ^ load<i64>(entry, NIELS_XY2D + 32));
    entry += NIELS_BYTES;
  }
  // −(y+x, y−x, 2d·x·y) = (y−x, y+x, −2d·x·y): swap by mask, negate as (t ^ −1) − (−1) = −t.
  const negative64 = <i64>negative;
  let d = negative64 & (p0 ^ m0);
  store<i64>(selectedNiels, p0 ^ d, Y_PLUS_X);
  store<i64>(selectedNiels, m0 ^ d, Y_MINUS_X);
  d = negative64 & (p1 ^ m1);
  store<i64>(selectedNiels, p1 ^ d, Y_PLUS_X + 8);
  store<i64>(selectedNiels, m1 ^ d, Y_MINUS_X + 8);
  d = negative64 & (p2 ^ m2);
  store<i64>(selectedNiels, p2 ^ d, Y_PLUS_X + 16);
  store<i64>(selectedNiels, m2 ^ d, Y_MINUS_X + 16);
  d = negative64 & (p3 ^ m3);
  store<i64>(selectedNiels, p3 ^ d, Y_PLUS_X + 24);
  store<i64>(selectedNiels, m3 ^ d, Y_MINUS_X + 24);
  d = negative64 & (p4 ^ m4);
  store<i64>(selectedNiels, p4 ^ d, Y_PLUS_X + 32);
  store<i64>(selectedNiels, m4 ^ d, Y_MINUS_X + 32);
  store<i32>(selectedNiels, (<i32>t0 ^ negative) - negative, NIELS_XY2D + 0);
  store<i32>(selectedNiels, (<i32>(t0 >> 32) ^ negative) - negative, NIELS_XY2D + 4);
  store<i32>(selectedNiels, (<i32>t1 ^ negative) - negative, NIELS_XY2D + 8);
  store<i32>(selectedNiels, (<i32>(t1 >> 32) ^ negative) - negative, NIELS_XY2D + 12);
  store<i32>(selectedNiels, (<i32>t2 ^ negative) - negative, NIELS_XY2D + 16);
  store<i32>(selectedNiels, (<i32>(t2 >> 32) ^ negative) - negative, NIELS_XY2D + 20);
  store<i32>(selectedNiels, (<i32>t3 ^ negative) - negative, NIELS_XY2D + 24);
  store<i32>(selectedNiels, (<i32>(t3 >> 32) ^ negative) - negative, NIELS_XY2D + 28);
  store<i32>(selectedNiels, (<i32>t4 ^ negative) - negative, NIELS_XY2D + 32);
  store<i32>(selectedNiels, (<i32>(t4 >> 32) ^ negative) - negative, NIELS_XY2D + 36);
}

// ---------------------------------------------------------------------------------------------------
// [s]B − [k]A in variable time (verification: s, k and A are all public).

// Width-w NAF digits: odd, |d| < 2^(w−1), and any two non-zero digits at least w positions apart, so a
// 253-bit scalar costs about 253/(w+1) additions. A uses w = 5 (odd multiples 1A … 15A, computed per
// call); B uses w = 4 (1B … 7B, read from row 0 of the base table, which holds 1B … 8B).
const A_NAF_WIDTH: i32 = 5;
const B_NAF_WIDTH: i32 = 4;
// Scalars are below 2^253 (bits 0 … 252); a pending carry can put the last digit at 252 + w ≤ 257.
const NAF_LENGTH: i32 = 260;
const nafOfK: usize = memory.data(NAF_LENGTH, 8);
const nafOfS: usize = memory.data(NAF_LENGTH, 8);
// The scalar, zero-padded so that the 4-byte window read at position 259 (bytes 32 … 35) stays inside.
const nafScalar: usize = memory.data(40, 8);
const oddMultiplesOfA: usize = memory.data(8 * <i32>POINT_BYTES, 8); // cached 1A, 3A, … 15A
const doubleOfA: usize = memory.data(<i32>POINT_BYTES, 8);
const doubleOfACached: usize = memory.data(<i32>POINT_BYTES, 8);

/** Writes the width-`width` NAF of the 32-byte scalar (< 2^253) to naf[0 … NAF_LENGTH). */
function computeNaf(naf: usize, scalar: usize, width: i32): void {
  memory.copy(nafScalar, scalar, 32);
  memory.fill(nafScalar + 32, 0, 8);
  memory.fill(naf, 0, NAF_LENGTH);
  const windowMask = (1 << width) - 1;
  let carry = 0;
  let position = 0;
  while (position < NAF_LENGTH) {
    const window =
      <i32>((load<u32>(nafScalar + (<usize>position >> 3)) >> (position & 7)) & windowMask) + carry;
    if ((window & 1) == 0) {
      // Even (bit plus carry is 0 or 2): a zero digit; a carry of 1 stays pending.
      position++;
      continue;
    }
    // Odd: digit ≡ window mod 2^w, taken in (−2^(w−1), 2^(w−1)); a negative digit carries 1 upwards.
    let digit = window;
    carry = 0;
    if (digit > (windowMask >> 1)) {
      digit -= 1 << width;
      carry = 1;
    }
    store<i8>(naf + <usize>position, <i8>digit);
    position += width;
  }
}

/** out ← [s]B − [k]A for public 32-byte scalars s, k (< 2^253) and a public point A. Variable time. */
export function doubleScalarMultiplyVartime(out: usize, s: usize, k: usize, a: usize): void {
  computeNaf(nafOfS, s, B_NAF_WIDTH);
  computeNaf(nafOfK, k, A_NAF_WIDTH);
  // Odd multiples of A: (2i+1)·A = (2i−1)·A + 2A.
  pointDouble(doubleOfA, a, true);
  pointToCached(doubleOfACached, doubleOfA);
  pointToCached(oddMultiplesOfA, a);
  memory.copy(doubleOfA, a, POINT_BYTES); // doubleOfA now walks through the odd multiples
  for (let i: usize = 1; i < 8; i++) {
    pointAddCached(doubleOfA, doubleOfA, doubleOfACached, false);
    pointToCached(oddMultiplesOfA + i * POINT_BYTES, doubleOfA);
  }

  let top = NAF_LENGTH - 1;
  while (top >= 0 && load<i8>(nafOfS + <usize>top) == 0 && load<i8>(nafOfK + <usize>top) == 0) top--;
  pointSetIdentity(out);
  for (let i = top; i >= 0; i--) {
    const digitS = <i32>load<i8>(nafOfS + <usize>i);
    const digitK = <i32>load<i8>(nafOfK + <usize>i);
    pointDouble(out, out, digitS != 0 || digitK != 0);
    if (digitK > 0) {
      pointAddCached(out, out, oddMultiplesOfA + <usize>(digitK >> 1) * POINT_BYTES, true);
    } else if (digitK < 0) {
      pointAddCached(out, out, oddMultiplesOfA + <usize>((-digitK) >> 1) * POINT_BYTES, false);
    }
    if (digitS > 0) {
      pointAddNiels(out, out, baseTableEntry(0, digitS - 1), false);
    } else if (digitS < 0) {
      pointAddNiels(out, out, baseTableEntry(0, -digitS - 1), true);
    }
  }
}
