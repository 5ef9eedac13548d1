// X25519 (RFC 7748 §5): Diffie–Hellman on Curve25519's Montgomery form, u-coordinate only.
// The scalar is secret, so the ladder below runs the same 255 steps and the same memory accesses for
// every scalar: bits select a constant-time swap, never a branch or an address.
import { wipe } from "./constant-time";
import {
  FE_BYTES, conditionalSwap, feAdd, feCopy, feFromBytes, feInvert, feMul, feMulSmall, feOne, feSquare, feSub,
  feToBytes, feZero, wipeFieldScratch,
} from "./field25519";

/** Bytes of a scalar, of a u-coordinate and of the result. */
export const X25519_BYTES: usize = 32;

// RFC 7748 §5: a24 = (486662 − 2) / 4 = 121665, for the formula z_2 = E · (AA + a24 · E).
const A24: i32 = (486662 - 2) / 4;

// The ladder's state and temporaries (owned by x25519; the function never calls itself and keeps
// nothing here between calls). x2,z2 and x3,z3 are adjacent so one 80-byte swap exchanges both pairs.
const x1: usize = memory.data(<i32>FE_BYTES, 8);
const x2: usize = memory.data(<i32>FE_BYTES * 2, 8);
const z2: usize = x2 + FE_BYTES;
const x3: usize = memory.data(<i32>FE_BYTES * 2, 8);
const z3: usize = x3 + FE_BYTES;
const t0: usize = memory.data(<i32>FE_BYTES, 8);
const t1: usize = memory.data(<i32>FE_BYTES, 8);
const t2: usize = memory.data(<i32>FE_BYTES, 8);
const t3: usize = memory.data(<i32>FE_BYTES, 8);
// The clamped copy of the scalar (secret).
const clamped: usize = memory.data(<i32>X25519_BYTES, 8);

/**
 * out ← X25519(scalar, point): 32-byte inputs and output, RFC 7748 §5.
 *
 * decodeScalar25519 clamps the scalar (clears bits 0, 1, 2 and 255, sets bit 254); decodeUCoordinate
 * ignores bit 255 of u and accepts non-canonical u in [p, 2^255), which the arithmetic reduces mod p.
 * For a small-order u (and for u = 0) the result is the all-zero string: this primitive returns it, as
 * RFC 7748 §5 specifies, and callers that must not accept it check for it (§6.1 "MAY check").
 * `out` may alias either input.
 */
export function x25519(out: usize, scalar: usize, point: usize): void {
  memory.copy(clamped, scalar, X25519_BYTES);
  store<u8>(clamped, load<u8>(clamped, 0) & 248, 0);
  store<u8>(clamped, (load<u8>(clamped, 31) & 127) | 64, 31);
  feFromBytes(x1, point);

  feOne(x2);
  feZero(z2);
  feCopy(x3, x1);
  feOne(z3);
  let swap: i32 = 0;
  for (let t: i32 = 254; t >= 0; t--) {
    // The byte read depends on t only; the bit value only ever feeds the swap mask.
    const bit = (<i32>load<u8>(clamped + (<usize>t >> 3)) >> (t & 7)) & 1;
    swap ^= bit;
    conditionalSwap(x2, x3, FE_BYTES * 2, -swap);
    swap = bit;
    ladderStep();
  }
  conditionalSwap(x2, x3, FE_BYTES * 2, -swap);

  // x_2 · z_2^(p−2); z_2 = 0 (small-order input) gives 0 because 0^(p−2) = 0.
  feInvert(z2, z2);
  feMul(x2, x2, z2);
  feToBytes(out, x2);

  wipe(clamped, X25519_BYTES);
  wipe(x1, FE_BYTES);
  wipe(x2, FE_BYTES * 2);
  wipe(x3, FE_BYTES * 2);
  wipe(t0, FE_BYTES);
  wipe(t1, FE_BYTES);
  wipe(t2, FE_BYTES);
  wipe(t3, FE_BYTES);
  wipeFieldScratch();
}

/**
 * One differential addition-and-doubling, RFC 7748 §5 (names as there). Every operand is a carried
 * output of feMul/feSquare/feMulSmall or a sum/difference of two of them, so feMul's slack limit is
 * never approached.
 */
// @inline: one call site; keeps the loop body flat.
@inline
function ladderStep(): void {
  feAdd(t0, x2, z2); // A
  feSub(t1, x2, z2); // B
  feAdd(t2, x3, z3); // C
  feSub(t3, x3, z3); // D
  feMul(t3, t3, t0); // DA
  feMul(t2, t2, t1); // CB
  feSquare(t0, t0); // AA
  feSquare(t1, t1); // BB
  feAdd(x3, t3, t2);
  feSquare(x3, x3); // x_3 = (DA + CB)^2
  feSub(z3, t3, t2);
  feSquare(z3, z3);
  feMul(z3, z3, x1); // z_3 = x_1 · (DA − CB)^2
  feMul(x2, t0, t1); // x_2 = AA · BB
  feSub(t1, t0, t1); // E = AA − BB
  feMulSmall(t3, t1, A24);
  feAdd(t3, t3, t0);
  feMul(z2, t1, t3); // z_2 = E · (AA + a24 · E)
}
