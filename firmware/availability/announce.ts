// Announce wire format (docs/routing.md, "Announce"): how an endpoint makes itself known. A signed
// statement "public key K is at sequence S, with application data D", flooded by relays that only
// raise the hop count. Layout (multi-byte integers little-endian):
//
//   0 type (1) | 1 flags (1) | 2 hop count (1) | 3 sequence (4) | 7 public key (32)
//   | 39 app-data length (1) | 40 app data (0..128) | 40+n signature (64)
//
// The signature is Ed25519 (RFC 8032) over BLAKE2b-512(key = "meshstack/announce/v1", every byte
// before the signature except the hop count). Functions here read a frame only after
// `checkAnnounceStructure` has checked its length, type and app-data length once.
import { Blake2b } from "../crypto/blake2b";
import { ed25519Sign, ed25519Verify } from "../crypto/ed25519";
import { Identity } from "../identity/identity";
import { PUBLIC_KEY_SIZE } from "./address";
import { puzzleSatisfied } from "./puzzle";

/** First byte of every Availability-layer packet; announces are the only kind so far. */
export const enum AvailabilityPacketType {
  Announce = 1,
}

export const TYPE_OFFSET: i32 = 0;
/** Reserved: version 1 defines no flag, and a frame with any flag set is one this node cannot read. */
export const FLAGS_OFFSET: i32 = 1;
/** Raised by each relay, and therefore the one byte left out of the signature. */
export const HOP_COUNT_OFFSET: i32 = 2;
export const SEQUENCE_OFFSET: i32 = 3;
export const PUBLIC_KEY_OFFSET: i32 = SEQUENCE_OFFSET + 4;
export const APP_DATA_LENGTH_OFFSET: i32 = PUBLIC_KEY_OFFSET + PUBLIC_KEY_SIZE;
export const APP_DATA_OFFSET: i32 = APP_DATA_LENGTH_OFFSET + 1;
export const SIGNATURE_SIZE: i32 = 64;
/**
 * Application data is bounded so an announce stays short (at most 232 bytes, under 0.4 s at SF7BW125)
 * and relays can budget its airtime; bulk data belongs in packets, not announces. 128 bytes hold a
 * service proof (98, app-data.ts) and a topic subscription, or seven subscriptions.
 */
export const MAXIMUM_APP_DATA_SIZE: i32 = 128;
export const ANNOUNCE_MINIMUM_SIZE: i32 = APP_DATA_OFFSET + SIGNATURE_SIZE;
export const ANNOUNCE_MAXIMUM_SIZE: i32 = ANNOUNCE_MINIMUM_SIZE + MAXIMUM_APP_DATA_SIZE;
const SIGNED_DIGEST_SIZE: i32 = 64;

/** Why an announce is not valid; Valid = 0. Ordered as the checks run, cheapest first. */
export const enum AnnounceVerdict {
  Valid = 0,
  /** Shorter than an announce with no app data. */
  Truncated = 1,
  /** Not an announce, or a flag this version does not define. */
  BadType = 2,
  /** App-data length over the bound, or not matching the frame length. */
  BadLength = 3,
  /** The public key does not solve the identity puzzle at this node's difficulty. */
  Puzzle = 4,
  /** The signature does not verify under the announced key. */
  Signature = 5,
}

/** "meshstack/announce/v1": keys the signed digest, so an announce signature means nothing elsewhere. */
const ANNOUNCE_CONTEXT: usize = memory.data<u8>([
  0x6d, 0x65, 0x73, 0x68, 0x73, 0x74, 0x61, 0x63, 0x6b, 0x2f, 0x61, 0x6e, 0x6e, 0x6f, 0x75, 0x6e, 0x63, 0x65,
  0x2f, 0x76, 0x31,
]);
const ANNOUNCE_CONTEXT_SIZE: i32 = 21;

// Scratch shared by every call; nothing in it survives a call (as blake2b.ts's one-shot context).
const signedDigestHasher = new Blake2b();
const signedDigest: usize = memory.data(SIGNED_DIGEST_SIZE, 8);

/** Length, type, flags and app-data length: everything about a frame that costs no hashing. */
export function checkAnnounceStructure(frame: usize, length: i32): AnnounceVerdict {
  if (length < ANNOUNCE_MINIMUM_SIZE) return AnnounceVerdict.Truncated;
  if (load<u8>(frame + TYPE_OFFSET) != AvailabilityPacketType.Announce) return AnnounceVerdict.BadType;
  if (load<u8>(frame + FLAGS_OFFSET) != 0) return AnnounceVerdict.BadType;
  const appDataLength = <i32>load<u8>(frame + APP_DATA_LENGTH_OFFSET);
  if (appDataLength > MAXIMUM_APP_DATA_SIZE || length != ANNOUNCE_MINIMUM_SIZE + appDataLength) {
    return AnnounceVerdict.BadLength;
  }
  return AnnounceVerdict.Valid;
}

// Accessors of a frame that passed checkAnnounceStructure.
@inline export function announceHopCount(frame: usize): i32 {
  return <i32>load<u8>(frame + HOP_COUNT_OFFSET);
}
@inline export function announceSequence(frame: usize): u32 {
  return load<u32>(frame + SEQUENCE_OFFSET);
}
@inline export function announcePublicKey(frame: usize): usize {
  return frame + PUBLIC_KEY_OFFSET;
}
@inline export function announceAppDataLength(frame: usize): i32 {
  return <i32>load<u8>(frame + APP_DATA_LENGTH_OFFSET);
}
@inline export function announceAppData(frame: usize): usize {
  return frame + APP_DATA_OFFSET;
}
@inline function announceSignature(frame: usize): usize {
  return frame + APP_DATA_OFFSET + announceAppDataLength(frame);
}

/** BLAKE2b-512 (keyed) of the signed bytes: type and flags, then sequence through app data. */
function digestSignedBytes(frame: usize): usize {
  const hasher = signedDigestHasher;
  hasher.init(SIGNED_DIGEST_SIZE, ANNOUNCE_CONTEXT, ANNOUNCE_CONTEXT_SIZE);
  hasher.update(frame, <usize>HOP_COUNT_OFFSET);
  hasher.update(frame + SEQUENCE_OFFSET, <usize>(APP_DATA_OFFSET - SEQUENCE_OFFSET + announceAppDataLength(frame)));
  hasher.final(signedDigest);
  return signedDigest;
}

/** The signature check alone, for a frame that passed checkAnnounceStructure. */
export function announceSignatureValid(frame: usize): bool {
  const digest = digestSignedBytes(frame);
  return ed25519Verify(announceSignature(frame), digest, <usize>SIGNED_DIGEST_SIZE, announcePublicKey(frame));
}

/**
 * Checks a received announce, cheapest first: length → type → app-data length → puzzle → signature.
 * Never reads outside `length` bytes, so any input is safe.
 */
export function verifyAnnounce(frame: usize, length: i32, difficulty: i32): AnnounceVerdict {
  const structure = checkAnnounceStructure(frame, length);
  if (structure != AnnounceVerdict.Valid) return structure;
  if (!puzzleSatisfied(announcePublicKey(frame), difficulty)) return AnnounceVerdict.Puzzle;
  if (!announceSignatureValid(frame)) return AnnounceVerdict.Signature;
  return AnnounceVerdict.Valid;
}

/**
 * Emits a signed announce of `identity` at `sequence` with hop count 0 into `out` (room for
 * `outCapacity` bytes). Returns the frame length, or -1 when the app data is over the bound or the
 * frame does not fit. The caller keeps `sequence` strictly increasing across restarts.
 */
export function createAnnounce(
  out: usize,
  outCapacity: i32,
  identity: Identity,
  sequence: u32,
  appData: usize,
  appDataLength: i32,
): i32 {
  if (appDataLength < 0 || appDataLength > MAXIMUM_APP_DATA_SIZE) return -1;
  const length = ANNOUNCE_MINIMUM_SIZE + appDataLength;
  if (length > outCapacity) return -1;
  store<u8>(out + TYPE_OFFSET, <u8>AvailabilityPacketType.Announce);
  store<u8>(out + FLAGS_OFFSET, 0);
  store<u8>(out + HOP_COUNT_OFFSET, 0);
  store<u32>(out + SEQUENCE_OFFSET, sequence);
  memory.copy(out + PUBLIC_KEY_OFFSET, identity.publicKey(), <usize>PUBLIC_KEY_SIZE);
  store<u8>(out + APP_DATA_LENGTH_OFFSET, <u8>appDataLength);
  memory.copy(out + APP_DATA_OFFSET, appData, <usize>appDataLength);
  const digest = digestSignedBytes(out);
  ed25519Sign(announceSignature(out), digest, <usize>SIGNED_DIGEST_SIZE, identity.seed(), identity.publicKey());
  return length;
}
