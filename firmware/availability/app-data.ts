// What an endpoint says about itself in its announce's app data (docs/routing.md, "Announce app
// data"): the topics it subscribes to (multicast) and the services it can prove it holds (anycast).
// A sequence of entries `kind (1) | length (1) | value (length)`; unknown kinds are skipped, so later
// versions can add entries old nodes ignore. The announce signature covers all of it.
//
//   kind 1 topic:   16-byte topic id
//   kind 2 service: service public key (32) | Ed25519 signature by the service key (64) over
//                   BLAKE2b-512(key = "meshstack/service/v1", holder's 16-byte address)
//
// The service proof binds the key to this holder: a proof copied into another endpoint's announce
// names the wrong address and fails.
import { Blake2b } from "../crypto/blake2b";
import { ed25519Sign, ed25519Verify } from "../crypto/ed25519";
import { Identity } from "../identity/identity";
import { ADDRESS_SIZE, PUBLIC_KEY_SIZE } from "./address";

export const enum AppDataKind {
  Topic = 1,
  Service = 2,
}

export const ENTRY_HEADER_SIZE: i32 = 2;
export const TOPIC_SIZE: i32 = 16;
const SIGNATURE_SIZE: i32 = 64;
export const SERVICE_PROOF_SIZE: i32 = PUBLIC_KEY_SIZE + SIGNATURE_SIZE;
const DIGEST_SIZE: i32 = 64;

/** "meshstack/service/v1": keys the proof digest so it means nothing in any other protocol. */
const SERVICE_CONTEXT: usize = memory.data<u8>([
  0x6d, 0x65, 0x73, 0x68, 0x73, 0x74, 0x61, 0x63, 0x6b, 0x2f, 0x73, 0x65, 0x72, 0x76, 0x69, 0x63, 0x65, 0x2f,
  0x76, 0x31,
]);
const SERVICE_CONTEXT_SIZE: i32 = 20;
const proofHasher = new Blake2b();
const proofDigest: usize = memory.data(DIGEST_SIZE, 8);

/**
 * Offset of the entry after the one at `offset` in app data of `length` bytes, or -1 when the entry at
 * `offset` runs past the end (the whole app data is then ignored: it was signed that way, so it is
 * the endpoint's own mistake, not a forgery).
 */
export function nextEntry(appData: usize, length: i32, offset: i32): i32 {
  if (offset + ENTRY_HEADER_SIZE > length) return -1;
  const end = offset + ENTRY_HEADER_SIZE + <i32>load<u8>(appData + <usize>offset + 1);
  return end <= length ? end : -1;
}

@inline export function entryKind(appData: usize, offset: i32): i32 {
  return <i32>load<u8>(appData + <usize>offset);
}

@inline export function entryLength(appData: usize, offset: i32): i32 {
  return <i32>load<u8>(appData + <usize>offset + 1);
}

@inline export function entryValue(appData: usize, offset: i32): usize {
  return appData + <usize>(offset + ENTRY_HEADER_SIZE);
}

/** True when every entry of the app data lies inside it (entries are then safe to walk). */
export function appDataWellFormed(appData: usize, length: i32): bool {
  let offset = 0;
  while (offset < length) {
    offset = nextEntry(appData, length, offset);
    if (offset < 0) return false;
  }
  return true;
}

function digestHolder(holderAddress: usize): usize {
  proofHasher.init(DIGEST_SIZE, SERVICE_CONTEXT, SERVICE_CONTEXT_SIZE);
  proofHasher.update(holderAddress, <usize>ADDRESS_SIZE);
  proofHasher.final(proofDigest);
  return proofDigest;
}

/** Writes a service proof value (public key, signature) for `holderAddress` to `out` (96 bytes). */
export function writeServiceProof(out: usize, service: Identity, holderAddress: usize): void {
  memory.copy(out, service.publicKey(), <usize>PUBLIC_KEY_SIZE);
  const digest = digestHolder(holderAddress);
  ed25519Sign(out + <usize>PUBLIC_KEY_SIZE, digest, <usize>DIGEST_SIZE, service.seed(), service.publicKey());
}

/** True when the 96-byte proof at `proof` shows its service key vouches for `holderAddress`. */
export function serviceProofValid(proof: usize, holderAddress: usize): bool {
  const digest = digestHolder(holderAddress);
  return ed25519Verify(proof + <usize>PUBLIC_KEY_SIZE, digest, <usize>DIGEST_SIZE, proof);
}
