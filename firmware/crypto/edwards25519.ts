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
// Scratch. Point formulas share `formula*` temporaries: pointDouble, pointAddCached and pointAddNiels
// use them and call only field functions, so no two users are ever active at once. Every other area is
// owned by the one function that names it. WASM runs one call at a time and nothing here recurses or
// keeps state in scratch between calls, except the curve constants and the base-point table, which are
// computed once (edwardsInit) and never change afterwards.
import { wipe } from "./constant-time";
import {
  FE_BYTES, conditionalMove, conditionalSwap, feAdd, feCarry, feCopy, feEqual, feFromBytes, feInvert,
  feIsNegative, feIsZero, feMul, feMulSmall, feNeg, feOne, fePowPMinus5Over8, feSetSmall, feSquare, feSub,
  feToBytes, feZero,
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
// R trades memory for speed: 8·R·120 bytes against 4·(64/R − 1) doublings. R = 32 (30 KiB, 4 doublings)
// derived public keys only about 15 % faster than R = 8 (7.5 KiB, 28 doublings) in our measurements,
// while linear memory for the whole stack is 128 KiB, so R = 8. The table is computed on first use
// (not stored in the WASM file): 8·R inversions, about 2 ms once per instance.
const BASE_TABLE_ROWS: i32 = 8;
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
    // Entries j·P for j = 1 … 8, where P = 16^(W·row)·B.
    pointToCached(initCached, initRowBase);
    memory.copy(initMultiple, initRowBase, POINT_BYTES);
    for (let j = 0; j < BASE_TABLE_ENTRIES; j++) {
      pointToNiels(baseTableEntry(row, j), initMultiple);
      pointAddCached(initMultiple, initMultiple, initCached, false);
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
// Point formulas.

const formulaA: usize = memory.data(<i32>FE_BYTES, 8);
const formulaB: usize = memory.data(<i32>FE_BYTES, 8);
const formulaC: usize = memory.data(<i32>FE_BYTES, 8);
const formulaD: usize = memory.data(<i32>FE_BYTES, 8);
const formulaE: usize = memory.data(<i32>FE_BYTES, 8);

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
 * `withT` = false saves a multiplication in runs of doublings. `out` may alias `p`.
 */
export function pointDouble(out: usize, p: usize, withT: bool): void {
  const a = formulaA;
  const b = formulaB;
  const c = formulaC;
  const e = formulaD;
  feSquare(a, p + X); // A = X²
  feSquare(b, p + Y); // B = Y²
  feSquare(c, p + Z);
  feAdd(c, c, c); // C = 2·Z²
  feAdd(e, p + X, p + Y);
  feSquare(e, e); // (X + Y)²
  // H = A + B, E = H − (X + Y)², G = A − B, F = C + G (each the negative of the EFD quantity of the same
  // name; the products below take them in pairs, so the signs cancel).
  feAdd(out + Y, a, b); // H, parked in out.Y until Y3 is formed
  feSub(e, out + Y, e); // E
  feSub(a, a, b); // G
  feAdd(c, c, a); // F
  if (withT) feMul(out + T, e, out + Y); // T3 = E·H
  feMul(out + Y, a, out + Y); // Y3 = G·H
  feMul(out + X, e, c); // X3 = E·F
  feMul(out + Z, c, a); // Z3 = F·G
}

/**
 * out ← p + q (or p − q when `subtract`), q cached: "add-2008-hwcd-3", 8 multiplications.
 * Subtraction adds −q = (Y−X, Y+X, Z, −2d·T): the two sums swap roles and C changes sign. `subtract` is
 * a public flag. `out` may alias `p`.
 */
export function pointAddCached(out: usize, p: usize, q: usize, subtract: bool): void {
  const a = formulaA;
  const b = formulaB;
  const c = formulaC;
  const d = formulaD;
  feSub(a, p + Y, p + X);
  feAdd(b, p + Y, p + X);
  feMul(a, a, q + (subtract ? Y_PLUS_X : Y_MINUS_X)); // A = (Y1 − X1)·(Y2 − X2)
  feMul(b, b, q + (subtract ? Y_MINUS_X : Y_PLUS_X)); // B = (Y1 + X1)·(Y2 + X2)
  feMul(c, p + T, q + CACHED_T2D); // C = T1·2d·T2 (negated below when subtracting)
  feMul(d, p + Z, q + CACHED_Z);
  feAdd(d, d, d); // D = 2·Z1·Z2
  finishAddition(out, subtract);
}

/** out ← p + n (or p − n when `subtract`), n affine niels: as pointAddCached with Z2 = 1, 7 multiplications. */
export function pointAddNiels(out: usize, p: usize, n: usize, subtract: bool): void {
  const a = formulaA;
  const b = formulaB;
  const c = formulaC;
  const d = formulaD;
  feSub(a, p + Y, p + X);
  feAdd(b, p + Y, p + X);
  feMul(a, a, n + (subtract ? Y_PLUS_X : Y_MINUS_X));
  feMul(b, b, n + (subtract ? Y_MINUS_X : Y_PLUS_X));
  feMul(c, p + T, n + NIELS_XY2D);
  feAdd(d, p + Z, p + Z); // D = 2·Z1
  finishAddition(out, subtract);
}

/**
 * The common tail of both additions, from A, B, C, D in the formula scratch:
 * E = B − A, H = B + A, F = D − C, G = D + C (F and G trade formulas when C is negated), then
 * X3 = E·F, Y3 = G·H, T3 = E·H, Z3 = F·G. Slack: E, H ≤ 1.02; F, G ≤ 1.53.
 */
// @inline: the shared tail of the two additions, written once.
@inline
function finishAddition(out: usize, subtract: bool): void {
  const e = formulaE;
  feSub(e, formulaB, formulaA); // E
  feAdd(formulaB, formulaB, formulaA); // H
  if (subtract) {
    feAdd(formulaA, formulaD, formulaC); // F
    feSub(formulaD, formulaD, formulaC); // G
  } else {
    feSub(formulaA, formulaD, formulaC); // F
    feAdd(formulaD, formulaD, formulaC); // G
  }
  feMul(out + X, e, formulaA);
  feMul(out + Y, formulaD, formulaB);
  feMul(out + T, e, formulaB);
  feMul(out + Z, formulaA, formulaD);
}

/** out ← the cached form (Y+X, Y−X, Z, 2d·T) of p. */
export function pointToCached(out: usize, p: usize): void {
  feAdd(out + Y_PLUS_X, p + Y, p + X);
  feSub(out + Y_MINUS_X, p + Y, p + X);
  feCopy(out + CACHED_Z, p + Z);
  feMul(out + CACHED_T2D, p + T, curveD2);
}

// Temporaries of pointToNiels and pointEncode (owned by them; neither calls the other).
const affineInverseZ: usize = memory.data(<i32>FE_BYTES, 8);
const affineX: usize = memory.data(<i32>FE_BYTES, 8);
const affineY: usize = memory.data(<i32>FE_BYTES, 8);

/** out ← the affine niels form (y+x, y−x, 2d·x·y) of p, carried; one inversion. */
function pointToNiels(out: usize, p: usize): void {
  feInvert(affineInverseZ, p + Z);
  feMul(affineX, p + X, affineInverseZ);
  feMul(affineY, p + Y, affineInverseZ);
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
const negatedXY2d: usize = memory.data(<i32>FE_BYTES, 8);

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
  wipe(negatedXY2d, FE_BYTES);
  wipePointScratch();
}

/**
 * Zeroes the point-formula temporaries, which after a secret-scalar multiplication hold values derived
 * from the selected table entries. (The field's own temporaries: wipeFieldScratch.)
 */
export function wipePointScratch(): void {
  wipe(formulaA, FE_BYTES);
  wipe(formulaB, FE_BYTES);
  wipe(formulaC, FE_BYTES);
  wipe(formulaD, FE_BYTES);
  wipe(formulaE, FE_BYTES);
}

/**
 * selectedNiels ← digit·(row's point) for digit in [−8, 8], reading all eight entries of the row.
 * |digit| = 0 leaves the identity (1, 1, 0); a negative digit swaps y+x with y−x and negates 2d·x·y.
 */
function selectBaseMultiple(row: i32, digit: i32): void {
  const negative = digit >> 31; // −1 or 0
  const magnitude = (digit ^ negative) - negative;
  feOne(selectedNiels + Y_PLUS_X);
  feOne(selectedNiels + Y_MINUS_X);
  feZero(selectedNiels + NIELS_XY2D);
  for (let j = 0; j < BASE_TABLE_ENTRIES; j++) {
    // (x − 1) >> 31 is −1 exactly when x = 0 (x here is small and non-negative).
    const isWanted = ((magnitude ^ (j + 1)) - 1) >> 31;
    conditionalMove(selectedNiels, baseTableEntry(row, j), NIELS_BYTES, isWanted);
  }
  conditionalSwap(selectedNiels + Y_PLUS_X, selectedNiels + Y_MINUS_X, FE_BYTES, negative);
  feNeg(negatedXY2d, selectedNiels + NIELS_XY2D);
  conditionalMove(selectedNiels + NIELS_XY2D, negatedXY2d, FE_BYTES, negative);
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
