// A trap inside the AOT-compiled stack on the QEMU board is reported with its reason and the board
// restarts cleanly (banner again). The trap-test firmware (scripts/build-native.mjs builds it next to
// firmware.elf) makes the stack's BLAKE2b read past the end of linear memory right after booting.
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildNative, missingTools, QEMU_TOOLS, qemuBuild, TunnelledQemu } from "./runtime-support.js";

const missing = missingTools(QEMU_TOOLS);
const BANNER = /^meshstack \S+ board=qemu-rv32 key=/;
const TRAP = "trap: out-of-bounds memory or table access";

describe.skipIf(missing.length > 0)(
  `a trap on the QEMU board${missing.length > 0 ? ` (skipped: ${missing.join(", ")} not installed; apt-get install qemu-system-misc gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf wabt)` : ""}`,
  () => {
    let board: TunnelledQemu | undefined;
    beforeAll(() => {
      const build = buildNative("qemu-rv32");
      expect(build.status, build.output).toBe(0);
    }, 180_000);
    afterEach(() => board?.stop());

    it("is logged with its reason and the board restarts to its banner", async () => {
      board = new TunnelledQemu(join(qemuBuild, "firmware-trap-test.elf"));
      const b = board;
      await b.waitFor("trap, then a second banner", () => b.count(BANNER) >= 2 && b.count(/^trap: /) >= 1, 30_000);
      const first = b.lines.findIndex((line) => BANNER.test(line));
      const trap = b.lines.indexOf(TRAP);
      const second = b.lines.findIndex((line, i) => i > trap && BANNER.test(line));
      expect(first).toBeGreaterThanOrEqual(0);
      expect(trap).toBeGreaterThan(first);
      expect(second).toBeGreaterThan(trap);
      // The restart is a clean boot: the identity stored before the trap is loaded again.
      expect(b.lines[second]).toBe(b.lines[first]);
      expect(b.exitCode).toBeNull();
    });
  },
);
