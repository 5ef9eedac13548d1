import { describe, expect, it } from "vitest";
import { Status } from "../../host/wasm/stack.js";
import { integrityPair } from "../support/integrity-pair.js";
import { SeededRandom } from "../support/seeded-random.js";

describe("memory is bounded", () => {
  it("two signing endpoints with a 24-buffer pool fit in 2 pages, and traffic allocates nothing", async () => {
    const p = await integrityPair();
    const key = new Uint8Array(16).fill(1);
    p.stack.setContact(p.aliceBook, 0, p.bob.publicKey, key, true);
    p.stack.setContact(p.bobBook, 0, p.alice.publicKey, key, true);
    // Touch every path once (the Ed25519 base-point table may be built on first use), then measure.
    const random = new SeededRandom(77);
    const exchange = (count: number) => {
      for (let i = 0; i < count; i++) {
        const level = (i % 4) + 1;
        const payload = random.bytes(random.between(0, 1000));
        expect(p.stack.push(p.aliceLink, p.pool, payload, { level, contact: 0 })).toBe(Status.Ok);
        expect(p.stack.pop(p.bobLink, p.pool)?.payload).toEqual(payload);
        p.stack.push(p.aliceWire, p.pool, random.bytes(random.between(0, 200)));
        expect(p.stack.pop(p.bobLink, p.pool)).toBeUndefined();
      }
    };
    exchange(4);
    const heapBefore = p.stack.heapBytes();
    const memoryBefore = p.stack.memoryBytes();
    exchange(400);
    expect(p.stack.heapBytes()).toBe(heapBefore);
    expect(p.stack.memoryBytes()).toBe(memoryBefore);
    expect(heapBefore).toBeLessThanOrEqual(2 * 65536);
    expect(memoryBefore).toBeLessThanOrEqual(2 * 65536);
    expect(p.stack.poolAvailable(p.pool)).toBe(24);
    expect(p.stack.integrityCounters(p.bobLink).acceptedEd25519).toBe(101);
  });
});
