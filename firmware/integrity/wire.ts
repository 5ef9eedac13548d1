// Integrity layer wire format (docs/integrity.md). One type byte names the paranoia level; the tag
// always covers every byte before it, type byte included, so a level cannot be downgraded in transit.
//
//   level 1  CRC-32C  : 01 | payload | crc32c (4, little-endian)
//   level 2  BLAKE2b  : 02 | payload | BLAKE2b-128 (16)
//   level 3  SipHash  : 03 | key id (4) | payload | SipHash-2-4 (8)
//   level 4  Ed25519  : 04 | signer public key (32) | payload | Ed25519 signature (64)

export const enum IntegrityLevel {
  /** Not a wire value: "use the link's profile" on transmit. */
  Default = 0,
  Crc32c = 1,
  Blake2b = 2,
  SipHash = 3,
  Ed25519 = 4,
}

export const LEVEL_COUNT: i32 = 4;
export const TYPE_SIZE: i32 = 1;

export const CRC_SIZE: i32 = 4;
/**
 * 128-bit BLAKE2b digest. Level 2 defends against corruption, not forgery (anyone can recompute an
 * unkeyed hash), so 64 bits would already make undetected random errors negligible; 128 bits keeps
 * the digest collision-resistant (birthday bound 2^64), so upper layers can use it as a packet
 * identifier for duplicate suppression without an attacker being able to make two packets collide.
 */
export const BLAKE2B_DIGEST_SIZE: i32 = 16;
export const KEY_ID_SIZE: i32 = 4;
export const SIPHASH_TAG_SIZE: i32 = 8;
export const SIGNER_KEY_SIZE: i32 = 32;
export const SIGNATURE_SIZE: i32 = 64;
/** Level 4 signs BLAKE2b-512(context ‖ frame); the context keeps these signatures out of other protocols. */
export const SIGNED_DIGEST_SIZE: i32 = 64;

/** Bytes before the payload. */
export function headerSize(level: i32): i32 {
  switch (level) {
    case IntegrityLevel.SipHash: return TYPE_SIZE + KEY_ID_SIZE;
    case IntegrityLevel.Ed25519: return TYPE_SIZE + SIGNER_KEY_SIZE;
    default: return TYPE_SIZE;
  }
}

/** Bytes after the payload. */
export function trailerSize(level: i32): i32 {
  switch (level) {
    case IntegrityLevel.Crc32c: return CRC_SIZE;
    case IntegrityLevel.Blake2b: return BLAKE2B_DIGEST_SIZE;
    case IntegrityLevel.SipHash: return SIPHASH_TAG_SIZE;
    case IntegrityLevel.Ed25519: return SIGNATURE_SIZE;
    default: return 0;
  }
}

@inline export function overhead(level: i32): i32 {
  return headerSize(level) + trailerSize(level);
}

/** The largest overhead of any level: the layer's MTU guarantee holds whatever level is chosen. */
export const MAXIMUM_OVERHEAD: i32 = TYPE_SIZE + SIGNER_KEY_SIZE + SIGNATURE_SIZE;

@inline export function isKnownLevel(level: i32): bool {
  return level >= IntegrityLevel.Crc32c && level <= IntegrityLevel.Ed25519;
}
