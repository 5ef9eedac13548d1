// An independent model of the Availability wire format in @noble (docs/routing.md): addresses, the
// identity puzzle, the signed digest, and announces signed by noble, plus key grinding — the host's
// job, never the stack's.
import { ed25519 } from "@noble/curves/ed25519.js";
import { blake2b } from "@noble/hashes/blake2.js";

const text = (value: string) => new TextEncoder().encode(value);
const ADDRESS_KEY = text("meshstack/address/v1");
const PUZZLE_KEY = text("meshstack/puzzle/v1");
const ANNOUNCE_KEY = text("meshstack/announce/v1");

export const HOP_COUNT_OFFSET = 2;
export const SIGNATURE_SIZE = 64;

export function nobleAddress(publicKey: Uint8Array): Uint8Array {
  return blake2b(publicKey, { key: ADDRESS_KEY, dkLen: 16 });
}

/** Leading zero bits of H(H(pk)), H = BLAKE2b-256 keyed "meshstack/puzzle/v1" (most significant bit first). */
export function noblePuzzleZeroBits(publicKey: Uint8Array): number {
  const hash = blake2b(blake2b(publicKey, { key: PUZZLE_KEY, dkLen: 32 }), { key: PUZZLE_KEY, dkLen: 32 });
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** The digest an announce's signature covers: every byte before the signature except the hop count. */
export function nobleSignedDigest(frame: Uint8Array): Uint8Array {
  const signed = new Uint8Array(frame.length - SIGNATURE_SIZE - 1);
  signed.set(frame.subarray(0, HOP_COUNT_OFFSET), 0);
  signed.set(frame.subarray(HOP_COUNT_OFFSET + 1, frame.length - SIGNATURE_SIZE), HOP_COUNT_OFFSET);
  return blake2b(signed, { key: ANNOUNCE_KEY, dkLen: 64 });
}

export interface TestIdentity {
  seed: Uint8Array;
  publicKey: Uint8Array;
}

/** Grinds seeds derived from `label` until the public key solves the puzzle at `difficulty`. */
export function grindIdentity(label: string, difficulty: number): TestIdentity & { attempts: number } {
  for (let attempt = 0; ; attempt++) {
    const seed = blake2b(text(`${label}/${attempt}`), { dkLen: 32 });
    const publicKey = ed25519.getPublicKey(seed);
    if (noblePuzzleZeroBits(publicKey) >= difficulty) return { seed, publicKey, attempts: attempt + 1 };
  }
}

/** An announce built and signed by noble, independent of the stack's emitter. */
export function nobleAnnounce(
  identity: TestIdentity,
  sequence: number,
  appData: Uint8Array = new Uint8Array(),
  hopCount = 0,
): Uint8Array {
  const frame = new Uint8Array(104 + appData.length);
  const view = new DataView(frame.buffer);
  frame[0] = 1;
  frame[1] = 0;
  frame[2] = hopCount;
  view.setUint32(3, sequence >>> 0, true);
  frame.set(identity.publicKey, 7);
  frame[39] = appData.length;
  frame.set(appData, 40);
  frame.set(ed25519.sign(nobleSignedDigest(frame), identity.seed), 40 + appData.length);
  return frame;
}

export function nobleVerifyAnnounce(frame: Uint8Array): boolean {
  const publicKey = frame.subarray(7, 39);
  return ed25519.verify(frame.subarray(frame.length - SIGNATURE_SIZE), nobleSignedDigest(frame), publicKey, {
    zip215: false,
  });
}
