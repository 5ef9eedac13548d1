// The QEMU launcher on its own, with a 90-byte bare-metal program (fixtures/uart-echo.S) that prints a
// line and echoes its UART: every byte value crosses QEMU's stdio chardev unchanged both ways, the
// process restarts and stops cleanly, and what is missing is said in one line.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  checkQemuPrerequisites,
  findExecutable,
  NativeBoardError,
  QemuProcess,
  qemuArguments,
} from "../../host/native/qemu-process.js";
import { packageRoot } from "../../host/package-info.js";

const missing = ["qemu-system-riscv32", "riscv64-unknown-elf-gcc"].filter((tool) => !findExecutable(tool));
const echoElf = join(packageRoot(), "build/native/test/uart-echo.elf");
const BANNER = "uart-echo ready\r\n";

const running: QemuProcess[] = [];
afterEach(async () => {
  for (const qemu of running.splice(0)) await qemu.stop();
});

/** Starts the echo program and collects what its UART writes. */
async function startEcho() {
  let output = Buffer.alloc(0);
  let exits = 0;
  const qemu = new QemuProcess({
    elfPath: echoElf,
    onOutput: (bytes) => {
      output = Buffer.concat([output, bytes]);
    },
    onExit: () => exits++,
  });
  running.push(qemu);
  await qemu.start();
  const waitFor = async (length: number) => {
    const deadline = performance.now() + 10_000;
    while (output.length < length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return output;
  };
  return {
    qemu,
    waitFor,
    output: () => output,
    exits: () => exits,
    clear: () => {
      output = Buffer.alloc(0);
    },
  };
}

describe("the QEMU command line", () => {
  it("puts the UART on stdio without QEMU's monitor or signal handling in the data", () => {
    const args = qemuArguments("fw.elf");
    expect(args.join(" ")).toBe(
      "-M virt -bios none -nographic -monitor none -chardev stdio,id=uart,signal=off -serial chardev:uart -kernel fw.elf",
    );
    expect(qemuArguments("fw.elf", 3)).toContain("shift=3");
  });

  it("says in one line what to do when QEMU or the firmware is missing", () => {
    expect(() => checkQemuPrerequisites("/nonexistent/firmware.elf", "qemu-system-riscv32-not-installed")).toThrow(
      new NativeBoardError("qemu-system-riscv32-not-installed not found: apt-get install qemu-system-misc"),
    );
    if (findExecutable("qemu-system-riscv32")) {
      expect(() => checkQemuPrerequisites("/nonexistent/firmware.elf")).toThrow(
        new NativeBoardError("no firmware at /nonexistent/firmware.elf: run `mesh build --board qemu-rv32`"),
      );
    }
  });
});

describe.skipIf(missing.length > 0)(
  `the QEMU launcher${missing.length > 0 ? ` (skipped: ${missing.join(", ")} not installed)` : ""}`,
  () => {
    beforeAll(() => {
      mkdirSync(join(packageRoot(), "build/native/test"), { recursive: true });
      execFileSync("riscv64-unknown-elf-gcc", [
        "-march=rv32imac",
        "-mabi=ilp32",
        "-nostdlib",
        "-nostartfiles",
        "-Wl,-Ttext=0x80000000",
        "-Wl,-e,_start",
        "-o",
        echoElf,
        join(packageRoot(), "test/native/fixtures/uart-echo.S"),
      ]);
    });

    it("carries every byte value through the UART unchanged, both ways", async () => {
      const echo = await startEcho();
      expect((await echo.waitFor(BANNER.length)).toString()).toBe(BANNER);
      echo.clear();
      // Ctrl-A (QEMU's mux escape), Ctrl-C (SIGINT with signal=on), NUL, CR/LF and FE FF among them.
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const input = Buffer.concat([all, all.slice().reverse()]);
      echo.qemu.write(input);
      expect(Buffer.compare(await echo.waitFor(input.length), input)).toBe(0);
    }, 30_000);

    it("restarts from the ELF, and stops without reporting an exit", async () => {
      const echo = await startEcho();
      await echo.waitFor(BANNER.length);
      echo.clear();
      await echo.qemu.restart();
      expect((await echo.waitFor(BANNER.length)).toString()).toBe(BANNER);
      await echo.qemu.stop();
      expect(echo.qemu.running).toBe(false);
      expect(echo.exits()).toBe(0);
      // Writing to a stopped board is dropped, as bytes to a board held in reset.
      expect(() => echo.qemu.write(Uint8Array.of(1))).not.toThrow();
    }, 30_000);

    it("reports QEMU exiting on its own", async () => {
      const echo = await startEcho();
      await echo.waitFor(BANNER.length);
      const pid = (echo.qemu as unknown as { child: { pid: number } }).child.pid;
      process.kill(pid, "SIGKILL");
      const deadline = performance.now() + 5000;
      while (echo.exits() === 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(echo.exits()).toBe(1);
      expect(echo.qemu.running).toBe(false);
    }, 30_000);
  },
);
