// Host-facing exports of the curve primitives (Ed25519, X25519); the ABI is what host/wasm/crypto.ts
// calls. Pointers are byte addresses, normally inside the I/O window; lengths were checked by the host.
//
// The streaming signer and verifier are this module's own, allocated once at start-up and separate
// from the one-shot contexts inside firmware/crypto/ed25519.ts, so a host's sign or verify in progress
// is not disturbed when the stack itself signs or verifies in between.
import { Ed25519Signer, Ed25519Verifier, ed25519PublicKey as derivePublicKey } from "../crypto/ed25519";
import { x25519 as x25519Scalar } from "../crypto/x25519";

const signer = new Ed25519Signer();
const verifier = new Ed25519Verifier();

/** Writes the 32-byte Ed25519 public key of the 32-byte seed at `seedPointer`. */
export function ed25519PublicKey(outPointer: usize, seedPointer: usize): void {
  derivePublicKey(outPointer, seedPointer);
}

/**
 * Starts a signature (RFC 8032 §5.1.6). The seed is expanded and copied; the host may wipe its copy.
 * `publicKeyPointer` (0: derive it, one more base-point multiplication) must be the seed's own public
 * key, as in libsodium's 64-byte secret key: signing under a mismatched key would let two signatures
 * of one message reveal the secret scalar.
 */
export function ed25519SignInit(seedPointer: usize, publicKeyPointer: usize): void {
  signer.begin(seedPointer, publicKeyPointer);
}

/** First pass over the message: the nonce r = H(prefix ‖ M). */
export function ed25519SignNonceUpdate(pointer: usize, length: usize): void {
  signer.nonceUpdate(pointer, length);
}

/** Ends the first pass and computes R. */
export function ed25519SignCommit(): void {
  signer.commit();
}

/** Second pass over the same message: the challenge k = H(R ‖ A ‖ M). */
export function ed25519SignUpdate(pointer: usize, length: usize): void {
  signer.update(pointer, length);
}

/** Writes the 64-byte signature R ‖ S and wipes the signing state. */
export function ed25519SignFinal(outPointer: usize): void {
  signer.finish(outPointer);
}

/** Starts verifying a 64-byte signature under a 32-byte public key (both copied). */
export function ed25519VerifyInit(signaturePointer: usize, publicKeyPointer: usize): void {
  verifier.begin(signaturePointer, publicKeyPointer);
}

/** Feeds the message. */
export function ed25519VerifyUpdate(pointer: usize, length: usize): void {
  verifier.update(pointer, length);
}

/** 1 when the signature is valid (policy: firmware/crypto/ed25519.ts), else 0. */
export function ed25519VerifyFinal(): i32 {
  return verifier.finish() ? 1 : 0;
}

/** X25519 (RFC 7748 §5): 32-byte scalar and u-coordinate in, 32-byte result out (all zero for small order). */
export function x25519(outPointer: usize, scalarPointer: usize, pointPointer: usize): void {
  x25519Scalar(outPointer, scalarPointer, pointPointer);
}
