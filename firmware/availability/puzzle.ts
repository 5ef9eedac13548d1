// The S/Kademlia static crypto puzzle on identities (Baumgart & Mies 2007, §4.1): an identity is only
// accepted when H(H(public key)) starts with `difficulty` zero bits, so making one costs about
// 2^difficulty key generations. Checking costs two BLAKE2b compressions. Grinding keys is the job of
// whoever creates the identity (the host), never of the stack.
import { blake2b } from "../crypto/blake2b";
import { PUBLIC_KEY_SIZE } from "./address";

/** BLAKE2b-256: every difficulty a network could afford (≤ 64 bits) fits with room to spare. */
const PUZZLE_HASH_SIZE: i32 = 32;
/** Difficulties above this are refused as configuration errors rather than silently capped. */
export const MAXIMUM_DIFFICULTY: i32 = 64;

/** "meshstack/puzzle/v1": keys both hashes, so the puzzle hash is unrelated to the address hash. */
const PUZZLE_CONTEXT: usize = memory.data<u8>([
  0x6d, 0x65, 0x73, 0x68, 0x73, 0x74, 0x61, 0x63, 0x6b, 0x2f, 0x70, 0x75, 0x7a, 0x7a, 0x6c, 0x65, 0x2f, 0x76, 0x31,
]);
const PUZZLE_CONTEXT_SIZE: i32 = 19;

const innerHash: usize = memory.data(PUZZLE_HASH_SIZE, 8);
const outerHash: usize = memory.data(PUZZLE_HASH_SIZE, 8);

/**
 * True when H(H(publicKey)) has at least `difficulty` leading zero bits (most significant bit of byte 0
 * first), H = BLAKE2b-256 keyed with "meshstack/puzzle/v1". The inner hash plays S/Kademlia's node ID;
 * it is deliberately not the address: if the puzzle were a function of the address, a key ground to
 * collide with a target's address would solve the target's puzzle for free. Independent hashes make
 * an address hijack cost 2^(128 + difficulty). Difficulty outside 0..64 is never satisfied.
 */
export function puzzleSatisfied(publicKey: usize, difficulty: i32): bool {
  if (difficulty < 0 || difficulty > MAXIMUM_DIFFICULTY) return false;
  blake2b(innerHash, PUZZLE_HASH_SIZE, publicKey, <usize>PUBLIC_KEY_SIZE, PUZZLE_CONTEXT, PUZZLE_CONTEXT_SIZE);
  blake2b(outerHash, PUZZLE_HASH_SIZE, innerHash, <usize>PUZZLE_HASH_SIZE, PUZZLE_CONTEXT, PUZZLE_CONTEXT_SIZE);
  // Big-endian over the first 8 bytes: clz counts the leading zero bits in wire order.
  return <i32>clz<u64>(bswap<u64>(load<u64>(outerHash))) >= difficulty;
}
