// The native firmware on the RISC-V virtual board: QEMU runs build/native/qemu-rv32/firmware.elf, its
// radio tunnelled to an SX1262 model on the air a Node virtual board shares, and the HIL suite checks
// it through its pseudo-terminal as it would a board on USB: boot banner, identity, ping, and a
// packet at each integrity level in both directions.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type QemuBench, startQemuBench } from "../../host/hil/qemu-bench.js";
import { type HilResult, runHilSuite } from "../../host/hil/suite.js";
import { findExecutable } from "../../host/native/qemu-process.js";
import { defaultQemuFirmwarePath } from "../../host/native/qemu-rv32-board.js";
import { IDENTITY_SEED_SLOT } from "../../host/native/tunnel-protocol.js";
import { packageRoot } from "../../host/package-info.js";
import { runMesh } from "../support/run-mesh.js";

/** The tools without which neither the ELF can be built nor QEMU run. */
const missing = ["qemu-system-riscv32", "riscv64-unknown-elf-gcc", "wasm2c", "socat"].filter(
  (tool) => !findExecutable(tool),
);
const elfPath = defaultQemuFirmwarePath();

function failures(results: HilResult[]): string {
  return results
    .filter((r) => !r.ok)
    .map((r) => `${r.name}: ${r.detail}`)
    .join("\n");
}

describe.skipIf(missing.length > 0)(
  `the QEMU board passes the HIL suite${missing.length > 0 ? ` (skipped: ${missing.join(", ")} not installed; apt-get install qemu-system-misc gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf wabt socat)` : ""}`,
  () => {
    let bench: QemuBench;
    const events: string[] = [];

    beforeAll(async () => {
      if (existsSync(join(packageRoot(), "scripts/build-native.mjs"))) {
        // `mesh build` as a person would run it; cached in build/native/ (the build script compiles
        // only when build/stack.wasm or a firmware source changed), so the ELF is never stale.
        const build = await runMesh("build", "--board", "qemu-rv32");
        expect(build.code, `${build.out}\n${build.err}`).toBe(0);
      }
      expect(existsSync(elfPath), `no firmware at ${elfPath}`).toBe(true);
      bench = await startQemuBench({ elfPath, onEvent: (text) => events.push(text) });
    }, 300_000);

    afterAll(async () => {
      await bench?.close();
    });

    it("boots, shows its identity, answers a ping and sends at every level to a Node board", async () => {
      const results = await runHilSuite(bench.targets, { flash: false });
      expect(failures(results), events.join("\n")).toBe("");
      const names = results.map((r) => r.name.split(" ")[0]);
      for (const step of ["boot", "identity", "ping", "radio", "stats"]) expect(names).toContain(step);
      expect(results.filter((r) => r.name.startsWith("radio"))).toHaveLength(4);
      const banner = results.find((r) => r.name.startsWith("boot banner") && r.name.includes(bench.qemu.hostPath));
      expect(banner?.detail).toMatch(/^meshstack \S+ board=qemu-rv32 key=/);
    }, 180_000);

    it("receives at every level from a Node board", async () => {
      const results = await runHilSuite([...bench.targets].reverse(), { flash: false });
      expect(failures(results), events.join("\n")).toBe("");
      expect(results.filter((r) => r.name.startsWith("radio") && r.ok)).toHaveLength(4);
    }, 180_000);

    it("keeps its identity across a reboot (key storage on the host)", async () => {
      const first = await runHilSuite([bench.targets[0]], { flash: false });
      const second = await runHilSuite([bench.targets[0]], { flash: false });
      const key = (results: HilResult[]) => results.find((r) => r.name.startsWith("boot banner"))?.detail;
      expect(key(first)).toMatch(/key=/);
      expect(key(second)).toBe(key(first));
      expect(bench.qemu.storage.read(IDENTITY_SEED_SLOT)).toHaveLength(32);
      expect(bench.qemu.tunnel.counters.refused).toBe(0);
    }, 120_000);
  },
);
