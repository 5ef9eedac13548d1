// Endpoint addresses (docs/routing.md, "Addresses"): an endpoint is named by its Ed25519 public key;
// its address is that key hashed and truncated, short enough to carry in every routed packet.
import { blake2b } from "../crypto/blake2b";

/**
 * 16 bytes (128 bits). Accidental collisions: for n = 10^5 endpoints the birthday bound gives
 * n²/2^129 ≈ 1.5·10^-29, negligible for any mesh we can imagine. Deliberate collisions matter more:
 * an attacker who wants to receive a target's traffic grinds keys until one hashes to the target's
 * address, a second preimage costing 2^128 hashes (times 2^difficulty for the identity puzzle,
 * puzzle.ts). At 8 bytes that would be 2^64 work — within reach of a GPU farm, so an address could be
 * hijacked; at 16 bytes it is out of reach. Reticulum made the same choice (128-bit destination hashes).
 */
export const ADDRESS_SIZE: i32 = 16;
export const PUBLIC_KEY_SIZE: i32 = 32;

/** "meshstack/address/v1": BLAKE2b key, so an address never equals any other hash of the same key. */
const ADDRESS_CONTEXT: usize = memory.data<u8>([
  0x6d, 0x65, 0x73, 0x68, 0x73, 0x74, 0x61, 0x63, 0x6b, 0x2f, 0x61, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73, 0x2f,
  0x76, 0x31,
]);
const ADDRESS_CONTEXT_SIZE: i32 = 20;

/** Writes the 16-byte address of the 32-byte Ed25519 `publicKey` to `out`. */
export function endpointAddressOf(out: usize, publicKey: usize): void {
  blake2b(out, ADDRESS_SIZE, publicKey, <usize>PUBLIC_KEY_SIZE, ADDRESS_CONTEXT, ADDRESS_CONTEXT_SIZE);
}
