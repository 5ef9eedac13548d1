// The native firmware on the QEMU RISC-V board: it boots to the banner over the bus tunnel (identity
// created and stored on first boot, kept on the next), answers the serial protocol, and the bench
// firmware runs the crypto through the AOT-compiled stack and counts instructions (docs/native.md).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodeFrame, FrameStreamDecoder } from "../../host/serial/frame-codec.js";
import { BoardRuntime } from "../../host/vboard/board-runtime.js";
import { SharedAir } from "../../host/vboard/shared-air.js";
import { buildNative, missingTools, QEMU_TOOLS, qemuBuild, root, TunnelledQemu } from "./runtime-support.js";

const missing = missingTools(QEMU_TOOLS);
const BANNER = /^meshstack \S+ board=qemu-rv32 key=([a-z2-7]{4}-){3}[a-z2-7]{4}$/;

/** A Received event (C0): the level the last hop verified and the payload as text. */
function decodeReceived(frame: Uint8Array): { level: number; text: string } {
  const body = frame.subarray(3);
  // A routing node delivers from layer 4, with the origin's 16-byte address before the payload.
  const payloadAt = body[0] === 4 ? 58 : 42;
  return { level: body[1], text: Buffer.from(body.subarray(payloadAt)).toString() };
}

describe.skipIf(missing.length > 0)(
  `the QEMU RISC-V board${missing.length > 0 ? ` (skipped: ${missing.join(", ")} not installed; apt-get install qemu-system-misc gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf wabt)` : ""}`,
  () => {
    const boards: TunnelledQemu[] = [];
    beforeAll(() => {
      const build = buildNative("qemu-rv32");
      expect(build.status, build.output).toBe(0);
    }, 180_000);
    afterEach(() => {
      for (const board of boards.splice(0)) board.stop();
    });

    it("boots to its banner, creating and storing an identity, and keeps it across a restart", async () => {
      const board = new TunnelledQemu(join(qemuBuild, "firmware.elf"));
      boards.push(board);
      await board.waitFor(
        "the banner and the radio line",
        () => board.count(/^radio=sx1262 region=EU868 /) > 0,
        20_000,
      );
      expect(board.count(BANNER)).toBe(1);
      expect(board.lines).toContain("native: new identity created and stored");
      expect(board.storage.get(0)).toHaveLength(32);
      // The node routes, and leases its announce sequences from storage (slot 2, u32).
      await board.waitFor("the announce lease", () => board.storage.get(2)?.length === 4, 5_000);
      expect(board.requestsByOp.get(0x01)).toBeGreaterThan(0); // SPI: the driver configured the chip
      const banner = board.lines.find((line) => BANNER.test(line));

      // Reboot request (07): the board answers, restarts, and comes back with the same key.
      board.sendFrame(Uint8Array.of(0x07, 0x01, 0x00));
      await board.waitFor("a second banner", () => board.count(BANNER) > 1, 20_000);
      expect(board.lines.filter((line) => BANNER.test(line))).toEqual([banner, banner]);
      expect(board.count(/new identity/)).toBe(1);
    });

    it("answers Hello with its identity and Ping with the same bytes", async () => {
      const board = new TunnelledQemu(join(qemuBuild, "firmware.elf"));
      boards.push(board);
      await board.waitFor("the banner", () => board.count(BANNER) > 0, 20_000);
      board.sendFrame(Uint8Array.of(0x01, 0x05, 0x00, 0x01)); // Hello, id 5, protocol 1
      board.sendFrame(Uint8Array.of(0x06, 0x06, 0x00, 0xde, 0xad, 0xbe, 0xef)); // Ping, id 6
      const answered = (type: number) => board.consoleFrames.find((frame) => frame[0] === type);
      await board.waitFor(
        "Identity and Pong",
        () => answered(0x81) !== undefined && answered(0x86) !== undefined,
        10_000,
      );
      const identity = answered(0x81) as Uint8Array;
      expect([identity[1], identity[2]]).toEqual([0x05, 0x00]);
      expect(identity[4]).toBe(0); // radio: SX1262
      const pong = answered(0x86) as Uint8Array;
      expect([...pong]).toEqual([0x86, 0x06, 0x00, 0xde, 0xad, 0xbe, 0xef]);
    });

    it("exchanges packets with a Node virtual board at each integrity level, both ways", async () => {
      const air = new SharedAir({ seed: 11 });
      air.start();
      const board = new TunnelledQemu(join(qemuBuild, "firmware.elf"), { air });
      boards.push(board);
      let runtime: BoardRuntime | undefined;
      try {
        await board.waitFor("the banner", () => board.count(BANNER) > 0, 20_000);
        const nodeReceived: { level: number; text: string }[] = [];
        const decoder = new FrameStreamDecoder();
        runtime = await BoardRuntime.start({
          wasm: readFileSync(join(root, "build/stack.wasm")),
          boardName: "virtual",
          radio: {
            chip: "sx1262",
            tcxoMillivolts: 1800,
            dio2AsRfSwitch: true,
            presetIndex: 0,
            regionIndex: 0,
            txPowerDbm: 14,
          },
          identitySeed: new Uint8Array(32).fill(3),
          air,
          position: { xMetres: 10, yMetres: 0 },
          uartWrite: (bytes) => {
            for (const item of decoder.push(bytes)) {
              if (item.kind === "frame" && item.payload[0] === 0xc0) nodeReceived.push(decodeReceived(item.payload));
            }
          },
          onReboot: () => {},
          seed: 5,
        });
        const node = runtime;
        // Send (02), broadcast, at levels 1 CRC-32C, 2 BLAKE2b and 4 Ed25519. The QEMU board's host has
        // not spoken when its packets arrive, so it logs an `rx` line for each; the Node board's host
        // (this test) has, so it reports Received events.
        const send = (level: number, text: string) =>
          Uint8Array.of(0x02, level, 0x00, level, 0x01, 0x00, 0x00, ...new Uint8Array(32), ...Buffer.from(text));
        const levels = ["crc32c", "blake2b", "ed25519"];
        // Broadcasts are not acknowledged: a frame that meets one of the boards' boot beacons or announces
        // on the air is lost, as on a real radio (it failed about one run in five, before and after the
        // boot beacons). A packet not seen within 8 s is sent again, at most three times in all.
        const sendUntilSeen = async (sendOne: (i: number) => void, seen: (i: number) => boolean) => {
          for (let round = 0; round < 3 && ![0, 1, 2].every(seen); round++) {
            for (const i of [0, 1, 2]) if (!seen(i)) sendOne(i);
            const deadline = Date.now() + 8_000;
            while (![0, 1, 2].every(seen) && Date.now() < deadline)
              await new Promise((resolve) => setTimeout(resolve, 100));
          }
        };
        const onQemu = () => board.lines.filter((line) => /^rx .*"to-qemu-\d"$/.test(line));
        const seenOnQemu = (i: number) => onQemu().some((line) => line.endsWith(`"to-qemu-${i}"`));
        await sendUntilSeen((i) => node.receive(encodeFrame(send([1, 2, 4][i], `to-qemu-${i}`))), seenOnQemu);
        const onNode = () => nodeReceived.filter((event) => event.text.startsWith("to-node-"));
        const seenOnNode = (i: number) => onNode().some((event) => event.text === `to-node-${i}`);
        await sendUntilSeen((i) => board.sendFrame(send([1, 2, 4][i], `to-node-${i}`)), seenOnNode);
        for (const [i, name] of levels.entries()) {
          const lines = onQemu().filter((line) => line.endsWith(`"to-qemu-${i}"`));
          expect(lines.length, `to-qemu-${i}`).toBeGreaterThan(0);
          for (const line of lines) expect(line.split(" ")[3]).toBe(name);
        }
        // Each text counts once: a resend carries a new packet id, so a late first copy and its resend may both arrive.
        const byText = new Map(onNode().map((event) => [event.text, event]));
        expect([...byText.values()].sort((a, b) => a.text.localeCompare(b.text))).toEqual([
          { level: 1, text: "to-node-0" },
          { level: 2, text: "to-node-1" },
          { level: 4, text: "to-node-2" },
        ]);
      } finally {
        runtime?.stop();
        air.stop();
      }
    });

    it("counts the instructions of Ed25519, X25519, BLAKE2b and ChaCha20 in the bench firmware", () => {
      const run = spawnSync(
        "qemu-system-riscv32",
        ["-M", "virt", "-bios", "none", "-nographic", "-monitor", "none", "-icount", "shift=0"].concat([
          "-kernel",
          join(qemuBuild, "bench.elf"),
        ]),
        { encoding: "utf8", timeout: 60_000 },
      );
      expect(run.status, run.stdout + run.stderr).toBe(0);
      const counts = new Map(
        [...run.stdout.matchAll(/^bench (\S+) instructions=(\d+)/gm)].map((m) => [m[1], Number(m[2])]),
      );
      for (const op of ["ed25519-sign-64B", "ed25519-verify-64B", "x25519", "blake2b-1KiB", "chacha20-1KiB"]) {
        expect(counts.get(op), op).toBeGreaterThan(0);
      }
      expect(run.stdout).toContain("bench done");
    });
  },
);
