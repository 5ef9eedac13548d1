// Two endpoints, alice and bob, each with an Integrity link over one end of a loopback wire, in one
// stack.wasm instance. Tests reach under the Integrity layer through the wire handles.
import { blake2b } from "@noble/hashes/blake2.js";
import { Stack } from "../../host/wasm/stack.js";

export interface IntegrityPair {
  stack: Stack;
  pool: number;
  aliceWire: number;
  bobWire: number;
  alice: { handle: number; publicKey: Uint8Array; seed: Uint8Array };
  bob: { handle: number; publicKey: Uint8Array; seed: Uint8Array };
  aliceBook: number;
  bobBook: number;
  aliceLink: number;
  bobLink: number;
}

export function testSeed(label: string): Uint8Array {
  return blake2b(new TextEncoder().encode(label), { dkLen: 32 });
}

export async function integrityPair(
  options: { poolSize?: number; queueLength?: number; seed?: number; signing?: boolean } = {},
): Promise<IntegrityPair> {
  const stack = await Stack.load();
  const pool = stack.createPool(options.poolSize ?? 24);
  const [aliceWire, bobWire] = stack.createLoopbackPair(pool, {
    queueLength: options.queueLength ?? 16,
    seed: options.seed ?? 7,
  });
  const aliceSeed = testSeed("alice");
  const bobSeed = testSeed("bob");
  const alice = { ...stack.createIdentity(aliceSeed), seed: aliceSeed };
  const bob = { ...stack.createIdentity(bobSeed), seed: bobSeed };
  const aliceBook = stack.createAddressBook(8);
  const bobBook = stack.createAddressBook(8);
  const signing = options.signing ?? true;
  const aliceLink = stack.createIntegrity(aliceWire, pool, signing ? alice.handle : undefined, aliceBook);
  const bobLink = stack.createIntegrity(bobWire, pool, signing ? bob.handle : undefined, bobBook);
  return { stack, pool, aliceWire, bobWire, alice, bob, aliceBook, bobBook, aliceLink, bobLink };
}

/** Sum of every counter that records a dropped frame. */
export function dropsOf(counters: Record<string, number>): number {
  return Object.entries(counters)
    .filter(
      ([name]) => name.startsWith("rejected") || ["truncated", "unknownLevel", "unknownKey", "spentKey"].includes(name),
    )
    .reduce((sum, [, value]) => sum + value, 0);
}
