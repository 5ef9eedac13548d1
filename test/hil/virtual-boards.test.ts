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
});
