// Ed25519 signatures (RFC 8032 §5.1, pure EdDSA: no context, no prehash), one-shot and streaming.
// The one-shot functions run the streaming classes to completion, so both forms share one algorithm.
//
// Verification policy (RFC 8032 §5.1.7 allows choices; ours, checked against Wycheproof and
// @noble/curves' strict mode in test/crypto/ed25519.test.ts):
// - S must be below L (§5.1.7 step 1; malleability, §8.4).
// - A must be a canonical encoding of a curve point (y < p, x = 0 only with sign bit 0; §5.1.3).
// - A must not be of small order (one of the 8 torsion points, identity included): under such a key
//   one signature verifies for many messages, so "valid under A" would prove nothing. RFC 8032 does not
//   require this check; @noble/curves makes it in strict mode (`zip215: false`), and we match that.
//   Mixed-order keys (prime-order part plus torsion) are not rejected, as in noble.
// - R is not decoded: [S]B − [k]A is encoded and compared byte for byte with R. Because our encoding is
//   always canonical, this rejects non-canonical R, R off the curve and R with x = 0 but the sign bit
//   set, without extra code.
//   A small-order R is accepted when the equation holds (as in RFC 8032 and noble).
// - The equation is the cofactorless [S]B = R + [k]A (§5.1.7 step 3 permits either). It differs from
//   the cofactored equation of noble only for signatures built with a torsion component in R or A,
//   which honest signers never produce; the tests show such a case and document the divergence.
import { constantTimeEqual, wipe } from "./constant-time";
import {
  ENCODED_POINT_BYTES, POINT_BYTES, doubleScalarMultiplyVartime, edwardsInit, pointDecodeVartime, pointEncode,
  pointIsSmallOrderVartime, pointMultiplyBase,
} from "./edwards25519";
import { wipeFieldScratch } from "./field25519";
import { scalarIsCanonical, scalarMulAdd, scalarReduce } from "./scalar25519";
import { Sha512, sha512 } from "./sha512";

export const ED25519_SEED_BYTES: usize = 32;
export const ED25519_PUBLIC_KEY_BYTES: usize = 32;
export const ED25519_SIGNATURE_BYTES: usize = 64;

// Shared temporaries of the functions and methods below: a SHA-512 digest and two points. Each user is
// done with them before it returns (and wipes them when they held secrets), so signers and verifiers,
// one-shot and streaming, can share them.
const digest: usize = memory.data(64, 8);
const workPoint: usize = memory.data(<i32>POINT_BYTES, 8);
const keyPoint: usize = memory.data(<i32>POINT_BYTES, 8);

/** RFC 8032 §5.1.5 steps 1–2: expanded ← SHA-512(seed) with its first half clamped into the scalar s. */
function expandSeed(expanded: usize, seed: usize): void {
  sha512(expanded, seed, ED25519_SEED_BYTES);
  store<u8>(expanded, load<u8>(expanded, 0) & 248, 0);
  store<u8>(expanded, (load<u8>(expanded, 31) & 127) | 64, 31);
}

/** RFC 8032 §5.1.5 steps 3–4: out ← encode([s]B) for the clamped scalar s. Constant time in s. */
function publicKeyFromScalar(out: usize, scalar: usize): void {
  pointMultiplyBase(workPoint, scalar);
  pointEncode(out, workPoint);
  wipe(workPoint, POINT_BYTES);
}

/** Writes the 32-byte public key A of a 32-byte seed (RFC 8032 §5.1.5). */
export function ed25519PublicKey(outPublicKey: usize, seed: usize): void {
  edwardsInit();
  expandSeed(digest, seed);
  publicKeyFromScalar(outPublicKey, digest);
  wipe(digest, 64);
  wipeFieldScratch();
}

const enum SignPhase {
  Idle,
  HashingNonce, // between begin and commit: prefix ‖ M goes into the nonce hash
  HashingChallenge, // between commit and finish: R ‖ A ‖ M goes into the challenge hash
}

/**
 * Streaming signer. RFC 8032 §5.1.6 reads the message twice (r = H(prefix ‖ M), then k = H(R ‖ A ‖ M)),
 * so the caller feeds it twice: begin, nonceUpdate…, commit, update…, finish. Holds the expanded key
 * and the nonce between calls; finish wipes them. Allocated once (its buffers never move).
 */
export class Ed25519Signer {
  private readonly hash: Sha512 = new Sha512();
  // s ‖ prefix (64), then A (32), r (32) and encoded R (32): one buffer, wiped as a whole.
  private readonly state: usize = changetype<usize>(new StaticArray<u8>(160));
  private phase: SignPhase = SignPhase.Idle;

  private get expandedKey(): usize {
    return this.state;
  }
  private get publicKey(): usize {
    return this.state + 64;
  }
  private get nonce(): usize {
    return this.state + 96;
  }
  private get encodedR(): usize {
    return this.state + 128;
  }

  /**
   * Starts a signature with the 32-byte seed. `publicKey` is the seed's 32-byte public key, or 0 to
   * derive it here (one more base-point multiplication). A wrong public key would make the signature
   * leak the secret scalar to anyone holding two signatures, so callers pass only the key derived from
   * this very seed.
   */
  begin(seed: usize, publicKey: usize): void {
    edwardsInit();
    expandSeed(this.expandedKey, seed);
    if (publicKey == 0) {
      publicKeyFromScalar(this.publicKey, this.expandedKey);
    } else {
      memory.copy(this.publicKey, publicKey, ED25519_PUBLIC_KEY_BYTES);
    }
    this.hash.init();
    this.hash.update(this.expandedKey + 32, 32); // prefix
    this.phase = SignPhase.HashingNonce;
  }

  /** First pass over the message (any chunking). */
  nonceUpdate(pointer: usize, length: usize): void {
    assert(this.phase == SignPhase.HashingNonce, "ed25519: nonceUpdate outside begin…commit");
    this.hash.update(pointer, length);
  }

  /** Ends the first pass: r = H(prefix ‖ M) mod L, R = [r]B (§5.1.6 steps 2–3); starts k's hash. */
  commit(): void {
    assert(this.phase == SignPhase.HashingNonce, "ed25519: commit without begin");
    this.hash.final(digest);
    scalarReduce(this.nonce, digest);
    wipe(digest, 64);
    pointMultiplyBase(workPoint, this.nonce);
    pointEncode(this.encodedR, workPoint);
    wipe(workPoint, POINT_BYTES);
    this.hash.init();
    this.hash.update(this.encodedR, ENCODED_POINT_BYTES);
    this.hash.update(this.publicKey, ED25519_PUBLIC_KEY_BYTES);
    this.phase = SignPhase.HashingChallenge;
  }

  /** Second pass over the same message. */
  update(pointer: usize, length: usize): void {
    assert(this.phase == SignPhase.HashingChallenge, "ed25519: update outside commit…finish");
    this.hash.update(pointer, length);
  }

  /** k = H(R ‖ A ‖ M) mod L, S = (r + k·s) mod L; writes R ‖ S (64 bytes) and wipes (§5.1.6 steps 4–6). */
  finish(outSignature: usize): void {
    assert(this.phase == SignPhase.HashingChallenge, "ed25519: finish without commit");
    this.hash.final(digest);
    scalarReduce(digest, digest); // k, in the digest's first half
    scalarMulAdd(outSignature + 32, digest, this.expandedKey, this.nonce);
    memory.copy(outSignature, this.encodedR, ENCODED_POINT_BYTES);
    wipe(digest, 64);
    wipe(this.state, 160);
    wipeFieldScratch();
    this.phase = SignPhase.Idle;
  }
}

/**
 * Streaming verifier: begin(signature, publicKey), update… with the message, finish. Copies its
 * arguments, so the caller's buffers may change between calls. Everything it handles is public.
 */
export class Ed25519Verifier {
  private readonly hash: Sha512 = new Sha512();
  // signature R ‖ S (64), then A (32).
  private readonly state: usize = changetype<usize>(new StaticArray<u8>(96));
  private hashing: bool = false;
  private sIsCanonical: bool = false;

  begin(signature: usize, publicKey: usize): void {
    const state = this.state;
    memory.copy(state, signature, ED25519_SIGNATURE_BYTES);
    memory.copy(state + 64, publicKey, ED25519_PUBLIC_KEY_BYTES);
    // The cheap check first (§5.1.7 step 1); the point work waits for finish.
    this.sIsCanonical = scalarIsCanonical(state + 32);
    // k = H(R ‖ A ‖ M) over the bytes as received (§5.1.7 step 2).
    this.hash.init();
    this.hash.update(state, ENCODED_POINT_BYTES);
    this.hash.update(state + 64, ED25519_PUBLIC_KEY_BYTES);
    this.hashing = true;
  }

  update(pointer: usize, length: usize): void {
    assert(this.hashing, "ed25519: verify update without begin");
    this.hash.update(pointer, length);
  }

  /** True when the signature is valid under the policy at the top of this file. */
  finish(): bool {
    if (!this.hashing) return false;
    this.hashing = false;
    this.hash.final(digest);
    if (!this.sIsCanonical) return false;
    edwardsInit();
    const state = this.state;
    if (!pointDecodeVartime(keyPoint, state + 64)) return false;
    if (pointIsSmallOrderVartime(keyPoint)) return false;
    scalarReduce(digest, digest); // k
    // §5.1.7 step 3, cofactorless: [S]B − [k]A must encode to R.
    doubleScalarMultiplyVartime(workPoint, state + 32, digest, keyPoint);
    pointEncode(digest + 32, workPoint);
    return constantTimeEqual(digest + 32, state, ENCODED_POINT_BYTES);
  }
}

// The one-shot forms' contexts, allocated once when this module starts. Sharing them is safe: each
// one-shot call runs begin → finish without returning in between, and finish wipes what is secret.
const oneShotSigner = new Ed25519Signer();
const oneShotVerifier = new Ed25519Verifier();

/**
 * Writes the 64-byte signature of `message` under `seed` (RFC 8032 §5.1.6). `publicKey` must be the
 * seed's public key (see Ed25519Signer.begin). `outSignature` may alias the message.
 */
export function ed25519Sign(
  outSignature: usize, message: usize, messageLength: usize, seed: usize, publicKey: usize,
): void {
  oneShotSigner.begin(seed, publicKey);
  oneShotSigner.nonceUpdate(message, messageLength);
  oneShotSigner.commit();
  oneShotSigner.update(message, messageLength);
  oneShotSigner.finish(outSignature);
}

/** True when the 64-byte `signature` of `message` is valid under the 32-byte `publicKey` (§5.1.7). */
export function ed25519Verify(signature: usize, message: usize, messageLength: usize, publicKey: usize): bool {
  oneShotVerifier.begin(signature, publicKey);
  oneShotVerifier.update(message, messageLength);
  return oneShotVerifier.finish();
}
