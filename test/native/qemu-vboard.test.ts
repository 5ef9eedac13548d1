// `mesh vboard --board qemu-rv32` as a person runs it: one line when QEMU or the firmware is missing,
// otherwise the QEMU board's pseudo-terminal printed beside a Node board's, answering the serial
// protocol, until Ctrl-C.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../host/cli/main.js";
import { findExecutable } from "../../host/native/qemu-process.js";
import { defaultQemuFirmwarePath } from "../../host/native/qemu-rv32-board.js";
import { BoardClient } from "../../host/serial/board-client.js";
import { openSerialPort } from "../../host/serial/serial-port.js";
import { runMesh } from "../support/run-mesh.js";
import { temporaryDirectory } from "../support/temporary-directory.js";

afterEach(() => vi.restoreAllMocks());

describe("mesh vboard --board qemu-rv32 refuses to start without what it needs", () => {
  it("a missing firmware ELF: one line naming `mesh build`, exit 1", async () => {
    const { code, err } = await runMesh("vboard", "--board", "qemu-rv32", "--elf", "/nonexistent/firmware.elf");
    expect(code).toBe(1);
    expect(err).toBe(
      findExecutable("qemu-system-riscv32")
        ? "mesh vboard: no firmware at /nonexistent/firmware.elf: run `mesh build --board qemu-rv32`"
        : "mesh vboard: qemu-system-riscv32 not found: apt-get install qemu-system-misc",
    );
  });

  it("QEMU not installed: one line naming the Debian package, exit 1", async () => {
    const saved = process.env.PATH;
    process.env.PATH = temporaryDirectory("meshstack-empty-path-");
    try {
      const { code, err } = await runMesh("vboard", "--board", "qemu-rv32");
      expect(code).toBe(1);
      expect(err).toBe("mesh vboard: qemu-system-riscv32 not found: apt-get install qemu-system-misc");
    } finally {
      process.env.PATH = saved;
    }
  });
});

const missing = ["qemu-system-riscv32", "socat"].filter((tool) => !findExecutable(tool));
const elfPath = defaultQemuFirmwarePath();
const skipReason =
  missing.length > 0
    ? `${missing.join(", ")} not installed`
    : !existsSync(elfPath)
      ? `no ${elfPath} (test/native/qemu-board.test.ts builds it)`
      : "";

describe.skipIf(skipReason !== "")(
  `mesh vboard with a QEMU board and a Node board${skipReason ? ` (skipped: ${skipReason})` : ""}`,
  () => {
    it("prints both pseudo-terminals; the QEMU one answers Hello; its identity is kept in --flash; Ctrl-C stops both", async () => {
      const lines: string[] = [];
      vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.join(" ")));
      vi.spyOn(console, "error").mockImplementation(() => {});
      const keys = join(temporaryDirectory("meshstack-qemu-keys-"), "board");
      const running = main(["vboard", "--board", "qemu-rv32", "--board", "virtual", "--preload", "--flash", keys]);
      const deadline = performance.now() + 30_000;
      while (!lines.includes("Ctrl-C stops the boards.") && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(lines[0]).toMatch(/^virtual board 1 \(qemu-rv32\): \S+ {2}firmware \S+firmware\.elf {2}keys \S+board-1$/);
      expect(lines[1]).toMatch(/^virtual board 2 \(virtual\): \S+ {2}flash \S+board-2$/);

      const channel = await openSerialPort(lines[0].split(" ")[4], 115_200);
      const client = new BoardClient(channel, { timeoutMs: 3000 });
      try {
        // The board may still be booting (its tunnel requests come first): ask until it answers.
        let identity: Awaited<ReturnType<BoardClient["hello"]>> | undefined;
        for (let attempt = 0; attempt < 10 && !identity; attempt++)
          identity = await client.hello().catch(() => undefined);
        expect(identity?.boardName).toBe("qemu-rv32");
        const stored = JSON.parse(readFileSync(`${keys}-1`, "utf8"));
        expect(stored.slots["0"]).toMatch(/^[0-9a-f]{64}$/);
      } finally {
        client.close();
        channel.close();
      }
      process.emit("SIGINT");
      expect(await running).toBe(0);
    }, 60_000);
  },
);
