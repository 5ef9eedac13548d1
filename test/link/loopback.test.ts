import { describe, expect, it } from "vitest";
import { Stack, Status } from "../../host/wasm/stack.js";
import { SeededRandom } from "../support/seeded-random.js";

async function wire(options: { mtu?: number; queueLength?: number; seed?: number; poolSize?: number } = {}) {
  const stack = await Stack.load();
  const pool = stack.createPool(options.poolSize ?? 32);
  const [a, b] = stack.createLoopbackPair(pool, options);
  return { stack, pool, a, b };
}

describe("the loopback Data Link", () => {
  it("carries frames both ways in order, up to its MTU", async () => {
    const { stack, pool, a, b } = await wire({ mtu: 300 });
    expect(stack.mtu(a)).toBe(300);
    const random = new SeededRandom(1);
    const frames = [0, 1, 299, 300].map((n) => random.bytes(n));
    for (const f of frames) expect(stack.push(a, pool, f)).toBe(Status.Ok);
    for (const f of frames) expect(stack.pop(b, pool)?.payload).toEqual(f);
    expect(stack.pop(b, pool)).toBeUndefined();
    expect(stack.push(b, pool, new Uint8Array([42]))).toBe(Status.Ok);
    expect(stack.pop(a, pool)?.payload).toEqual(new Uint8Array([42]));
    expect(stack.push(a, pool, new Uint8Array(301))).toBe(Status.TooBig);
    expect(stack.poolAvailable(pool)).toBe(32);
  });

  it("drops and counts frames that overflow the receiver's queue", async () => {
    const { stack, pool, a, b } = await wire({ queueLength: 4 });
    for (let i = 0; i < 10; i++) expect(stack.push(a, pool, new Uint8Array([i]))).toBe(Status.Ok);
    expect(stack.loopbackCounters(a).receiveOverflow).toBe(6);
    for (let i = 0; i < 4; i++) expect(stack.pop(b, pool)?.payload).toEqual(new Uint8Array([i]));
    expect(stack.poolAvailable(pool)).toBe(32);
  });

  it("answers NoBuffer when the pool is exhausted, and recovers when buffers come back", async () => {
    const { stack, pool, a, b } = await wire({ poolSize: 3, queueLength: 8 });
    for (let i = 0; i < 3; i++) expect(stack.push(a, pool, new Uint8Array([i]))).toBe(Status.Ok);
    expect(stack.push(a, pool, new Uint8Array([3]))).toBe(Status.NoBuffer);
    expect(stack.pop(b, pool)?.payload).toEqual(new Uint8Array([0]));
    expect(stack.push(a, pool, new Uint8Array([3]))).toBe(Status.Ok);
  });

  it("injects each fault at about its configured rate, reproducibly from the seed", async () => {
    const run = async () => {
      const { stack, pool, a, b } = await wire({ seed: 1234, queueLength: 64, poolSize: 64 });
      stack.setFaults(a, { drop: 0.1, duplicate: 0.1, bitFlip: 0.25, truncate: 0.05, reorder: 0.2 });
      const received: string[] = [];
      for (let i = 0; i < 2000; i++) {
        stack.push(a, pool, new Uint8Array(40).fill(i & 0xff));
        if (i % 4 === 3)
          for (let r = stack.pop(b, pool); r; r = stack.pop(b, pool))
            received.push(Buffer.from(r.payload).toString("hex"));
      }
      return { counters: stack.loopbackCounters(a), received };
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    const c = first.counters;
    expect(c.framesSent).toBe(2000);
    expect(c.dropped / 2000).toBeCloseTo(0.1, 1);
    expect(c.duplicated / 1800).toBeCloseTo(0.1, 1);
    expect(c.truncated).toBeGreaterThan(50);
    expect(c.bitsFlipped).toBeGreaterThan(300);
    expect(c.reordered).toBeGreaterThan(200);
    expect(first.received.length).toBe(c.framesDelivered);
  });

  it("rejects fault probabilities outside 0..1", async () => {
    const { stack, a } = await wire();
    expect(() => stack.setFaults(a, { drop: 1.5 })).toThrow(/drop/);
    expect(() => stack.setFaults(a, { bitFlip: -0.1 })).toThrow(/bitFlip/);
  });
});

describe("handles", () => {
  it("refuse creation with bad arguments instead of trapping", async () => {
    const stack = await Stack.load();
    expect(() => stack.createPool(0)).toThrow(/packet pool/);
    expect(() => stack.createPool(65)).toThrow(/packet pool/);
    const pool = stack.createPool(2);
    expect(() => stack.createLoopbackPair(pool, { mtu: 1281 })).toThrow(/loopback/);
    expect(() => stack.createLoopbackPair(99)).toThrow(/loopback/);
    expect(() => stack.createIntegrity(42, pool, undefined, 0)).toThrow(/integrity/);
    expect(stack.push(42, pool, new Uint8Array(1))).toBe(Status.BadArgument);
    expect(stack.pop(42, pool)).toBeUndefined();
  });
});
