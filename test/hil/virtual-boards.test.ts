import { describe, expect, it } from "vitest";
import { runHilSuite } from "../../host/hil/suite.js";
import { startVirtualBench } from "../../host/hil/virtual-bench.js";

describe("the hardware-in-the-loop suite on two virtual boards", () => {
  it("flashes with esptool-js over pseudo-terminals, boots, answers, and exchanges radio messages at each level", async () => {
    const bench = await startVirtualBench(2);
    try {
      const results = await runHilSuite(bench.targets);
      const failed = results.filter((r) => !r.ok);
      expect(failed, failed.map((f) => `${f.name}: ${f.detail}`).join("\n")).toEqual([]);
      const names = results.map((r) => r.name.split(" ")[0]);
      for (const step of ["flash", "boot", "identity", "ping", "radio", "stats"]) expect(names).toContain(step);
      expect(results.filter((r) => r.name.startsWith("radio"))).toHaveLength(4);
      // The flash images now hold the stack: the boards booted what esptool wrote.
      for (const board of bench.boards) expect(board.mode).toBe("running");
    } finally {
      await bench.close();
    }
  }, 120_000);

  it("sends a level again when its frame is lost on the air, and checks the counters against what arrived", async () => {
    const bench = await startVirtualBench(2);
    // Damage the first CRC-32C unicast (Integrity level byte 1, Availability packet type 2) and the
    // first SipHash frame (level byte 3) on the air: the receiver's integrity check refuses each, as a
    // collision would leave it. The SipHash resend needs a fresh single-use key.
    const channel = bench.air.channel;
    const transmit = channel.transmit.bind(channel);
    const damaged = new Set<number>();
    channel.transmit = (sender, frame, modulation, powerDbm) => {
      const level = frame[1];
      const target = (level === 1 && frame[2] === 2) || level === 3;
      if (frame[0] === 0 && target && !damaged.has(level)) {
        damaged.add(level);
        const copy = frame.slice();
        copy[copy.length - 1] ^= 0xff;
        return transmit(sender, copy, modulation, powerDbm);
      }
      return transmit(sender, frame, modulation, powerDbm);
    };
    try {
      const results = await runHilSuite(bench.targets);
      const failed = results.filter((r) => !r.ok);
      expect(failed, failed.map((f) => `${f.name}: ${f.detail}`).join("\n")).toEqual([]);
      expect([...damaged].sort()).toEqual([1, 3]);
      for (const level of ["crc32c", "siphash"]) {
        expect(results.find((r) => r.name.startsWith(`radio ${level}`))?.detail).toMatch(/send 2 of 3/);
      }
      const stats = results.find((r) => r.name.startsWith("stats"))?.detail;
      expect(stats).toMatch(/Crc32c 1\/2, Blake2b 1\/1, SipHash 1\/2, Ed25519 1\/1, routed 4\/6/);
    } finally {
      await bench.close();
    }
  }, 120_000);
});
