// X25519 (RFC 7748 §5): Diffie–Hellman on Curve25519's Montgomery form, u-coordinate only.
// The scalar is secret, so the ladder below runs the same 255 steps and the same memory accesses for
// every scalar: bits select a constant-time swap, never a branch or an address.
import { wipe } from "./constant-time";
import {
  FE_BYTES, feFromBytes, feInvert, feMul, feMulLimbs, feMulSmallAddLimbs, feSquareLimbs, feToBytes, limb0, limb1,
  limb2, limb3, limb4, limb5, limb6, limb7, limb8, limb9, wipeFieldScratch,
} from "./field25519";

/** Bytes of a scalar, of a u-coordinate and of the result. */
export const X25519_BYTES: usize = 32;

// RFC 7748 §5: a24 = (486662 − 2) / 4 = 121665, for the formula z_2 = E · (AA + a24 · E).
const A24: i32 = (486662 - 2) / 4;

// The scalar's clamped copy (secret) and the ladder's inputs and outputs in memory (owned by x25519;
// the function never calls itself and keeps nothing here between calls). The ladder itself runs in
// locals (see the loop).
const clamped: usize = memory.data(<i32>X25519_BYTES, 8);
const x1: usize = memory.data(<i32>FE_BYTES, 8);
const x2: usize = memory.data(<i32>FE_BYTES, 8);
const z2: usize = memory.data(<i32>FE_BYTES, 8);

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

  // The ladder keeps x_1 and (x_2, z_2, x_3, z_3) in locals, limb by limb (u0 … u9 is x_1; xa, za are x_2,
  // z_2; xb, zb are x_3, z_3), and runs the field operations in their limb form (field25519.ts, "Limb
  // registers"): no linear-memory access in the 255 steps but the scalar byte.
  const u0 = load<i32>(x1, 0); const u1 = load<i32>(x1, 4); const u2 = load<i32>(x1, 8);
  const u3 = load<i32>(x1, 12); const u4 = load<i32>(x1, 16); const u5 = load<i32>(x1, 20);
  const u6 = load<i32>(x1, 24); const u7 = load<i32>(x1, 28); const u8 = load<i32>(x1, 32);
  const u9 = load<i32>(x1, 36);
  // x_2 = 1, z_2 = 0, x_3 = u, z_3 = 1 (RFC 7748 §5).
  let xa0 = 1, xa1 = 0, xa2 = 0, xa3 = 0, xa4 = 0, xa5 = 0, xa6 = 0, xa7 = 0, xa8 = 0, xa9 = 0;
  let za0 = 0, za1 = 0, za2 = 0, za3 = 0, za4 = 0, za5 = 0, za6 = 0, za7 = 0, za8 = 0, za9 = 0;
  let xb0 = u0, xb1 = u1, xb2 = u2, xb3 = u3, xb4 = u4, xb5 = u5, xb6 = u6, xb7 = u7, xb8 = u8, xb9 = u9;
  let zb0 = 1, zb1 = 0, zb2 = 0, zb3 = 0, zb4 = 0, zb5 = 0, zb6 = 0, zb7 = 0, zb8 = 0, zb9 = 0;
  let swap: i32 = 0;
  for (let t: i32 = 254; t >= 0; t--) {
    // The byte read depends on t only; the bit value only ever feeds the swap mask.
    const bit = (<i32>load<u8>(clamped + (<usize>t >> 3)) >> (t & 7)) & 1;
    swap ^= bit;
    // cswap(swap, x_2, x_3) and cswap(swap, z_2, z_3): masked, the same operations for either value.
    const mask = -swap;
    let d = 0;
    d = mask & (xa0 ^ xb0); xa0 ^= d; xb0 ^= d; d = mask & (za0 ^ zb0); za0 ^= d; zb0 ^= d;
    d = mask & (xa1 ^ xb1); xa1 ^= d; xb1 ^= d; d = mask & (za1 ^ zb1); za1 ^= d; zb1 ^= d;
    d = mask & (xa2 ^ xb2); xa2 ^= d; xb2 ^= d; d = mask & (za2 ^ zb2); za2 ^= d; zb2 ^= d;
    d = mask & (xa3 ^ xb3); xa3 ^= d; xb3 ^= d; d = mask & (za3 ^ zb3); za3 ^= d; zb3 ^= d;
    d = mask & (xa4 ^ xb4); xa4 ^= d; xb4 ^= d; d = mask & (za4 ^ zb4); za4 ^= d; zb4 ^= d;
    d = mask & (xa5 ^ xb5); xa5 ^= d; xb5 ^= d; d = mask & (za5 ^ zb5); za5 ^= d; zb5 ^= d;
    d = mask & (xa6 ^ xb6); xa6 ^= d; xb6 ^= d; d = mask & (za6 ^ zb6); za6 ^= d; zb6 ^= d;
    d = mask & (xa7 ^ xb7); xa7 ^= d; xb7 ^= d; d = mask & (za7 ^ zb7); za7 ^= d; zb7 ^= d;
    d = mask & (xa8 ^ xb8); xa8 ^= d; xb8 ^= d; d = mask & (za8 ^ zb8); za8 ^= d; zb8 ^= d;
    d = mask & (xa9 ^ xb9); xa9 ^= d; xb9 ^= d; d = mask & (za9 ^ zb9); za9 ^= d; zb9 ^= d;
    swap = bit;

    // One differential addition-and-doubling, RFC 7748 §5 (names as there). Every multiplication input
    // is a carried result or a sum or difference of two, so feMul's slack limit is never approached.
    // A = x_2 + z_2
    const a0 = xa0 + za0; const a1 = xa1 + za1; const a2 = xa2 + za2; const a3 = xa3 + za3; const a4 = xa4 + za4;
    const a5 = xa5 + za5; const a6 = xa6 + za6; const a7 = xa7 + za7; const a8 = xa8 + za8; const a9 = xa9 + za9;
    // B = x_2 − z_2
    const b0 = xa0 - za0; const b1 = xa1 - za1; const b2 = xa2 - za2; const b3 = xa3 - za3; const b4 = xa4 - za4;
    const b5 = xa5 - za5; const b6 = xa6 - za6; const b7 = xa7 - za7; const b8 = xa8 - za8; const b9 = xa9 - za9;
    // C = x_3 + z_3
    const c0 = xb0 + zb0; const c1 = xb1 + zb1; const c2 = xb2 + zb2; const c3 = xb3 + zb3; const c4 = xb4 + zb4;
    const c5 = xb5 + zb5; const c6 = xb6 + zb6; const c7 = xb7 + zb7; const c8 = xb8 + zb8; const c9 = xb9 + zb9;
    // D = x_3 − z_3
    const dd0 = xb0 - zb0; const dd1 = xb1 - zb1; const dd2 = xb2 - zb2; const dd3 = xb3 - zb3;
    const dd4 = xb4 - zb4; const dd5 = xb5 - zb5; const dd6 = xb6 - zb6; const dd7 = xb7 - zb7;
    const dd8 = xb8 - zb8; const dd9 = xb9 - zb9;
    feMulLimbs(dd0, dd1, dd2, dd3, dd4, dd5, dd6, dd7, dd8, dd9,
      a0, a1, a2, a3, a4, a5, a6, a7, a8, a9); // DA = D · A
    const da0 = limb0; const da1 = limb1; const da2 = limb2; const da3 = limb3; const da4 = limb4;
    const da5 = limb5; const da6 = limb6; const da7 = limb7; const da8 = limb8; const da9 = limb9;
    feMulLimbs(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9,
      b0, b1, b2, b3, b4, b5, b6, b7, b8, b9); // CB = C · B
    const cb0 = limb0; const cb1 = limb1; const cb2 = limb2; const cb3 = limb3; const cb4 = limb4;
    const cb5 = limb5; const cb6 = limb6; const cb7 = limb7; const cb8 = limb8; const cb9 = limb9;
    feSquareLimbs(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9); // AA = A^2
    const aa0 = limb0; const aa1 = limb1; const aa2 = limb2; const aa3 = limb3; const aa4 = limb4;
    const aa5 = limb5; const aa6 = limb6; const aa7 = limb7; const aa8 = limb8; const aa9 = limb9;
    feSquareLimbs(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9); // BB = B^2
    const bb0 = limb0; const bb1 = limb1; const bb2 = limb2; const bb3 = limb3; const bb4 = limb4;
    const bb5 = limb5; const bb6 = limb6; const bb7 = limb7; const bb8 = limb8; const bb9 = limb9;
    feSquareLimbs(
      da0 + cb0, da1 + cb1, da2 + cb2, da3 + cb3, da4 + cb4, da5 + cb5, da6 + cb6, da7 + cb7, da8 + cb8,
      da9 + cb9); // x_3 = (DA + CB)^2
    xb0 = limb0; xb1 = limb1; xb2 = limb2; xb3 = limb3; xb4 = limb4; xb5 = limb5; xb6 = limb6; xb7 = limb7;
    xb8 = limb8; xb9 = limb9;
    feSquareLimbs(
      da0 - cb0, da1 - cb1, da2 - cb2, da3 - cb3, da4 - cb4, da5 - cb5, da6 - cb6, da7 - cb7, da8 - cb8,
      da9 - cb9); // (DA − CB)^2
    feMulLimbs(limb0, limb1, limb2, limb3, limb4, limb5, limb6, limb7, limb8, limb9,
      u0, u1, u2, u3, u4, u5, u6, u7, u8, u9); // z_3 = x_1 · (DA − CB)^2
    zb0 = limb0; zb1 = limb1; zb2 = limb2; zb3 = limb3; zb4 = limb4; zb5 = limb5; zb6 = limb6; zb7 = limb7;
    zb8 = limb8; zb9 = limb9;
    feMulLimbs(aa0, aa1, aa2, aa3, aa4, aa5, aa6, aa7, aa8, aa9,
      bb0, bb1, bb2, bb3, bb4, bb5, bb6, bb7, bb8, bb9); // x_2 = AA · BB
    xa0 = limb0; xa1 = limb1; xa2 = limb2; xa3 = limb3; xa4 = limb4; xa5 = limb5; xa6 = limb6; xa7 = limb7;
    xa8 = limb8; xa9 = limb9;
    // E = AA − BB
    const e0 = aa0 - bb0; const e1 = aa1 - bb1; const e2 = aa2 - bb2; const e3 = aa3 - bb3; const e4 = aa4 - bb4;
    const e5 = aa5 - bb5; const e6 = aa6 - bb6; const e7 = aa7 - bb7; const e8 = aa8 - bb8; const e9 = aa9 - bb9;
    feMulSmallAddLimbs(e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, A24,
      aa0, aa1, aa2, aa3, aa4, aa5, aa6, aa7, aa8, aa9); // AA + a24 · E
    feMulLimbs(e0, e1, e2, e3, e4, e5, e6, e7, e8, e9,
      limb0, limb1, limb2, limb3, limb4, limb5, limb6, limb7, limb8, limb9); // z_2 = E · (AA + a24 · E)
    za0 = limb0; za1 = limb1; za2 = limb2; za3 = limb3; za4 = limb4; za5 = limb5; za6 = limb6; za7 = limb7;
    za8 = limb8; za9 = limb9;
  }
  // The last cswap (RFC 7748 §5), then x_2 and z_2 go to memory for the inversion.
  const mask = -swap;
  store<i32>(x2, xa0 ^ (mask & (xa0 ^ xb0)), 0);
  store<i32>(x2, xa1 ^ (mask & (xa1 ^ xb1)), 4);
  store<i32>(x2, xa2 ^ (mask & (xa2 ^ xb2)), 8);
  store<i32>(x2, xa3 ^ (mask & (xa3 ^ xb3)), 12);
  store<i32>(x2, xa4 ^ (mask & (xa4 ^ xb4)), 16);
  store<i32>(x2, xa5 ^ (mask & (xa5 ^ xb5)), 20);
  store<i32>(x2, xa6 ^ (mask & (xa6 ^ xb6)), 24);
  store<i32>(x2, xa7 ^ (mask & (xa7 ^ xb7)), 28);
  store<i32>(x2, xa8 ^ (mask & (xa8 ^ xb8)), 32);
  store<i32>(x2, xa9 ^ (mask & (xa9 ^ xb9)), 36);
  store<i32>(z2, za0 ^ (mask & (za0 ^ zb0)), 0);
  store<i32>(z2, za1 ^ (mask & (za1 ^ zb1)), 4);
  store<i32>(z2, za2 ^ (mask & (za2 ^ zb2)), 8);
  store<i32>(z2, za3 ^ (mask & (za3 ^ zb3)), 12);
  store<i32>(z2, za4 ^ (mask & (za4 ^ zb4)), 16);
  store<i32>(z2, za5 ^ (mask & (za5 ^ zb5)), 20);
  store<i32>(z2, za6 ^ (mask & (za6 ^ zb6)), 24);
  store<i32>(z2, za7 ^ (mask & (za7 ^ zb7)), 28);
  store<i32>(z2, za8 ^ (mask & (za8 ^ zb8)), 32);
  store<i32>(z2, za9 ^ (mask & (za9 ^ zb9)), 36);

  // x_2 · z_2^(p−2); z_2 = 0 (small-order input) gives 0 because 0^(p−2) = 0.
  feInvert(z2, z2);
  feMul(x2, x2, z2);
  feToBytes(out, x2);

  wipe(clamped, X25519_BYTES);
  wipe(x1, FE_BYTES);
  wipe(x2, FE_BYTES);
  wipe(z2, FE_BYTES);
  wipeFieldScratch();
}
