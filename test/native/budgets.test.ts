// The QEMU firmware's code and RAM budgets (issue 6: ≤ 256 KiB code, ≤ 160 KiB RAM): the build prints
// them, stays within them, and fails loudly when a target is exceeded by more than 10 %.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildNative, missingTools, QEMU_TOOLS, qemuBuild } from "./runtime-support.js";

const missing = missingTools(QEMU_TOOLS.filter((tool) => tool !== "qemu-system-riscv32"));
const KIB = 1024;

function budgetLine(output: string, name: string): { bytes: number; target: number; verdict: string } {
  const match = new RegExp(`^budget ${name} (\\d+) bytes .* target (\\d+) bytes .*: (.+)$`, "m").exec(output);
  if (!match) throw new Error(`no '${name}' budget line in:\n${output}`);
  return { bytes: Number(match[1]), target: Number(match[2]), verdict: match[3] };
}

describe.skipIf(missing.length > 0)(
  `the QEMU firmware build${missing.length > 0 ? ` (skipped: ${missing.join(", ")} not installed; apt-get install wabt gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf)` : ""}`,
  () => {
    let output = "";
    beforeAll(() => {
      const build = buildNative("qemu-rv32");
      expect(build.status, build.output).toBe(0);
      output = build.output;
    }, 180_000);

    it("prints code and RAM within their targets", () => {
      const code = budgetLine(output, "code");
      const ram = budgetLine(output, "ram");
      expect(code.target).toBe(256 * KIB);
      expect(ram.target).toBe(160 * KIB);
      expect(code.bytes).toBeLessThanOrEqual(code.target);
      expect(ram.bytes).toBeLessThanOrEqual(ram.target);
      expect(code.verdict).toBe("ok");
      expect(ram.verdict).toBe("ok");
    });

    it("counts the wasm arena and the stack in RAM", () => {
      const budgets = JSON.parse(readFileSync(join(qemuBuild, "budgets.json"), "utf8"));
      expect(budgets.arenaBytes).toBe(budgets.arenaPages * 64 * KIB);
      expect(budgets.ramBytes).toBeGreaterThanOrEqual(budgets.arenaBytes + budgets.stackBytes);
      expect(budgets.stackBytes).toBe(budgets.stack.total);
    });

    it("fails with a non-zero exit when a budget is exceeded by more than 10 %", () => {
      const ram = budgetLine(output, "ram").bytes;
      const over = buildNative("qemu-rv32", ["--budget-ram", String(Math.floor(ram / 1.2))]);
      expect(over.status).not.toBe(0);
      expect(over.output).toMatch(/budget ram .*EXCEEDED by more than 10 %/);
      const within = buildNative("qemu-rv32", ["--budget-ram", String(Math.ceil(ram / 1.05))]);
      expect(within.status, within.output).toBe(0);
      expect(within.output).toMatch(/budget ram .*over target, within 10 %/);
    });
  },
);
