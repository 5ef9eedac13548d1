// Short, human-comparable fingerprints of Ed25519 public keys (DESIGN.md, "Identity and keys").
import { blake2b } from "@noble/hashes/blake2.js";

/** 80-bit fingerprint of a public key as four-character groups, e.g. "k3xq-…". Base32 (RFC 4648, lower case). */
export function fingerprint(publicKey: Uint8Array): string {
  const digest = blake2b(publicKey, { dkLen: 10, key: new TextEncoder().encode("meshstack fingerprint") });
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of digest) {
    value = ((value << 8) | byte) & 0xffff; // at most 12 pending bits matter
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join("-");
}
