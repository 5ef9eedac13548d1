// `mesh flash` end to end: unmodified esptool-js, through the Web Serial adapter, over a real
// pseudo-terminal, flashing the emulated ROM loader and stub on the other end.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { findBoard } from "../../boards/index.js";
import { explainFailure, FlashError, type FlashImage, flashImages } from "../../host/flash/flasher.js";
import { PortOpenError } from "../../host/flash/serial-transport.js";
import { encodePartitionTable } from "../../host/image/partition-table.js";
import type { ChipName } from "../../host/vboard/chips.js";
import { FlashMemory } from "../../host/vboard/flash-memory.js";
import { openPtyPair, PtyError } from "../../host/vboard/pty.js";
import { Command, type LoaderMode } from "../../host/vboard/rom-loader.js";
import { stackWasmPath } from "../../host/wasm/load-stack.js";
import { runMesh } from "../support/run-mesh.js";
import { SeededRandom } from "../support/seeded-random.js";
import { type EmulatedBoard, startEmulatedBoard } from "./emulated-board.js";

const MB = 1024 * 1024;
/** Small enough to keep the file quick to create and compare, big enough for the real layouts. */
const FLASH_BYTES = 4 * MB;
const workDir = mkdtempSync(join(tmpdir(), "meshstack-flash-test-"));
let fileCount = 0;

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function flashFile(): string {
  return join(workDir, `flash-${fileCount++}.bin`);
}

/** What the flash file must hold: the images where they were written, 0xFF everywhere else. */
function expectedFlash(images: FlashImage[]): Uint8Array {
  const expected = new Uint8Array(FLASH_BYTES).fill(0xff);
  for (const image of images) expected.set(image.data, image.address);
  return expected;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

const md5 = (data: Uint8Array) => createHash("md5").update(data).digest("hex");

/** A bootloader, a partition table and an app, where that chip's ROM expects them. */
function imagesFor(chip: ChipName, seed: number): FlashImage[] {
  const random = new SeededRandom(seed);
  // Random bytes do not compress: the app needs several 16 KiB FLASH_DEFL_DATA blocks.
  const app = random.bytes(80_000);
  app.fill(0, 20_000, 40_000);
  return [
    { name: "bootloader", address: chip === "esp32" ? 0x1000 : 0x0, data: random.bytes(12_000) },
    { name: "partition-table", address: 0x8000, data: random.bytes(0xc00) },
    { name: "app", address: 0x10000, data: app },
  ];
}

interface Session {
  board: EmulatedBoard;
  flash: FlashMemory;
  commands: { command: number; mode: LoaderMode }[];
}

const open: EmulatedBoard[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((board) => board.close()));
  vi.restoreAllMocks();
});

async function session(
  chip: ChipName,
  flash: FlashMemory,
  options: {
    corruptFlashWrite?: boolean;
    onCommand?: (command: number, mode: LoaderMode, board: EmulatedBoard) => void;
  } = {},
): Promise<Session> {
  const commands: Session["commands"] = [];
  const board = await startEmulatedBoard({
    chip,
    flash,
    faults: { corruptFlashWrite: options.corruptFlashWrite },
    onCommand: (command, mode, b) => {
      commands.push({ command, mode });
      options.onCommand?.(command, mode, b);
    },
  });
  open.push(board);
  return { board, flash, commands };
}

function flash(s: Session, images: FlashImage[], extra: Partial<Parameters<typeof flashImages>[0]> = {}) {
  return flashImages({
    port: s.board.hostPath,
    baud: 921600,
    before: "default_reset",
    images,
    onProgress: () => {},
    ...extra,
  });
}

describe("openPtyPair", () => {
  it("joins two pseudo-terminals, both ways, and removes them on close", async () => {
    const pair = await openPtyPair();
    const openPort = (path: string) =>
      new Promise<SerialPort>((resolve, reject) => {
        const port = new SerialPort({ path, baudRate: 115200 }, (e) => (e ? reject(e) : resolve(port)));
      });
    const host = await openPort(pair.hostPath);
    const board = await openPort(pair.boardPath);
    const received = (port: SerialPort, length: number) =>
      new Promise<number[]>((resolve) => {
        const bytes: number[] = [];
        port.on("data", (chunk: Buffer) => {
          bytes.push(...chunk);
          if (bytes.length >= length) resolve(bytes);
        });
      });
    // Raw: 0x0A, 0x0D, 0x03 and 0xC0 must cross untouched (no line discipline, no echo).
    const toBoard = received(board, 4);
    host.write(Buffer.from([0x0a, 0x0d, 0x03, 0xc0]));
    expect(await toBoard).toEqual([0x0a, 0x0d, 0x03, 0xc0]);
    const toHost = received(host, 2);
    board.write(Buffer.from([0x11, 0x13]));
    expect(await toHost).toEqual([0x11, 0x13]);
    await Promise.all([host, board].map((p) => new Promise<void>((resolve) => p.close(() => resolve()))));
    await pair.close();
    expect(existsSync(pair.hostPath) || existsSync(pair.boardPath)).toBe(false);
  });

  it("says how to install socat when it is missing", async () => {
    const path = process.env.PATH;
    process.env.PATH = workDir;
    try {
      await expect(openPtyPair()).rejects.toThrow(new PtyError("socat not found: apt-get install socat"));
    } finally {
      process.env.PATH = path;
    }
  });
});

describe("unmodified esptool-js flashes the emulated bootloader over a pseudo-terminal", () => {
  for (const [chip, chipName] of [
    ["esp32", "ESP32"],
    ["esp32s3", "ESP32-S3"],
    ["esp32c3", "ESP32-C3"],
  ] as const) {
    it(`${chipName}: detects the chip, runs the stub, writes compressed, verifies MD5; the flash file holds exactly the images`, async () => {
      const path = flashFile();
      const s = await session(chip, FlashMemory.openFile(path, FLASH_BYTES));
      const images = imagesFor(chip, 10);
      const notices: string[] = [];
      const fractions: number[] = [];
      const report = await flash(s, images, {
        chip,
        flashSizeBytes: FLASH_BYTES,
        onNotice: (m) => notices.push(m),
        onProgress: (f) => fractions.push(f),
      });
      await s.board.ranUserCode;

      expect(report.chipName).toBe(chipName);
      expect(report.chip).toMatch(new RegExp(`^${chipName}`));
      expect(report.flashSize).toBe("4MB");
      expect(report.baud).toBe(921600);
      expect(report.started).toBe("run-user-code");
      expect(report.images.map((i) => [i.name, i.address, i.md5])).toEqual(
        images.map((i) => [i.name, i.address, md5(i.data)]),
      );
      expect(notices.join("\n")).toMatch(/cannot drive DTR\/RTS/);
      expect(fractions.at(-1)).toBe(1);
      expect(fractions).toEqual([...fractions].sort((a, b) => a - b));

      // The protocol path: stub uploaded through the ROM, baud raised, compressed writes and MD5 in the stub.
      const romCommands = new Set(s.commands.filter((c) => c.mode === "rom").map((c) => c.command));
      const stubCommands = new Set(s.commands.filter((c) => c.mode === "stub").map((c) => c.command));
      for (const command of [Command.Sync, Command.ReadReg, Command.MemBegin, Command.MemData, Command.MemEnd]) {
        expect(romCommands).toContain(command);
      }
      for (const command of [
        Command.ChangeBaudrate,
        Command.FlashDeflBegin,
        Command.FlashDeflData,
        Command.FlashDeflEnd,
        Command.SpiFlashMd5,
        Command.RunUserCode,
      ]) {
        expect(stubCommands).toContain(command);
      }
      expect(stubCommands).not.toContain(Command.FlashData);

      s.flash.close();
      const onDisk = new Uint8Array(readFileSync(path));
      expect(onDisk.length).toBe(FLASH_BYTES);
      expect(firstDifference(onDisk, expectedFlash(images))).toBe(-1);
    });
  }

  it("a corrupted write is caught by the MD5 check", async () => {
    const s = await session("esp32s3", FlashMemory.inMemory(FLASH_BYTES), { corruptFlashWrite: true });
    const error = await flash(s, imagesFor("esp32s3", 11)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlashError);
    expect((error as FlashError).failure).toBe("verify-failed");
    expect((error as FlashError).line).toMatch(/^bootloader at 0x0 did not verify: .*MD5 mismatch\); run again/);
  });

  it("the port closing mid-flash gives the clear error, and a second attempt succeeds", async () => {
    const path = flashFile();
    const memory = FlashMemory.openFile(path, FLASH_BYTES);
    const images = imagesFor("esp32c3", 12);
    let dataBlocks = 0;
    const first = await session("esp32c3", memory, {
      onCommand: (command, _mode, board) => {
        // The cable comes out during the app's compressed blocks.
        if (command === Command.FlashDeflData && ++dataBlocks === 4) void board.unplug();
      },
    });
    const error = await flash(first, images).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlashError);
    expect((error as FlashError).line).toBe(
      "the port closed mid-flash; check the cable and run again — flashing is safe to retry",
    );

    // Plugged back in: the board resets into its ROM loader; its flash kept what was written.
    const second = await session("esp32c3", memory);
    const report = await flash(second, images);
    expect(report.images).toHaveLength(3);
    memory.close();
    expect(firstDifference(new Uint8Array(readFileSync(path)), expectedFlash(images))).toBe(-1);
  });

  it("refuses a board with another chip", async () => {
    const s = await session("esp32", FlashMemory.inMemory(FLASH_BYTES));
    const error = await flash(s, imagesFor("esp32", 13), { chip: "esp32s3" }).catch((e: unknown) => e);
    expect((error as FlashError).failure).toBe("wrong-chip");
    expect((error as FlashError).line).toMatch(/has an ESP32, but the board has an ESP32-S3; check --board/);
  });

  it("refuses a flash smaller than the board's", async () => {
    const s = await session("esp32s3", FlashMemory.inMemory(FLASH_BYTES));
    const error = await flash(s, imagesFor("esp32s3", 14), { flashSizeBytes: 8 * MB }).catch((e: unknown) => e);
    expect((error as FlashError).failure).toBe("flash-too-small");
  });

  it("reports a port that does not exist, and one that another program holds", async () => {
    const missing = await flashImages({
      port: join(workDir, "ttyNOPE"),
      baud: 115200,
      before: "no_reset",
      images: imagesFor("esp32", 15),
      onProgress: () => {},
    }).catch((e: unknown) => e);
    expect((missing as FlashError).failure).toBe("port-not-found");
    expect((missing as FlashError).line).toMatch(/ttyNOPE: no such serial port; /);

    const s = await session("esp32", FlashMemory.inMemory(FLASH_BYTES));
    const holder = new SerialPort({ path: s.board.hostPath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => holder.open((e) => (e ? reject(e) : resolve())));
    try {
      const busy = await flash(s, imagesFor("esp32", 15)).catch((e: unknown) => e);
      expect((busy as FlashError).failure).toBe("port-busy");
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it("refuses images that break the layout before touching the port", async () => {
    const base = { port: "/dev/null", baud: 115200, before: "no_reset" as const, onProgress: () => {} };
    const data = new Uint8Array(0x2000);
    const cases: [FlashImage[], RegExp][] = [
      [[{ name: "x", address: 0x10800, data }], /does not start on a 4 KiB sector/],
      [[{ name: "meshstack", address: 0x10000, data, partitionSize: 0x1000 }], /larger than its 4096-byte partition/],
      [
        [
          { name: "a", address: 0x10000, data },
          { name: "b", address: 0x11000, data },
        ],
        /b at 0x11000 overlaps a/,
      ],
    ];
    for (const [images, message] of cases) {
      await expect(flashImages({ ...base, images })).rejects.toThrow(message);
    }
  });
});

describe("failures become one line with a hint", () => {
  const context = {
    port: "/dev/ttyUSB0",
    before: "default_reset" as const,
    lost: false,
    signalsSupported: true,
    stage: "connecting",
  };

  it("no answer from the bootloader", () => {
    const error = explainFailure(new Error("Failed to connect with the device"), context);
    expect(error.line).toBe(
      "no answer from the bootloader on /dev/ttyUSB0; hold BOOT and tap RESET, or use --before no_reset",
    );
    expect(
      explainFailure(new Error("Failed to connect with the device"), { ...context, before: "no_reset" }).hint,
    ).toMatch(/hold BOOT and tap RESET, then run again/);
  });

  it("permission denied and a busy port", () => {
    const denied = explainFailure(new PortOpenError("/dev/ttyUSB0", "permission", "Error: Permission denied"), context);
    expect(denied.line).toMatch(/permission denied; add yourself to the dialout group/);
    const busy = explainFailure(new PortOpenError("/dev/ttyUSB0", "busy", "Cannot lock port"), context);
    expect(busy.line).toMatch(/in use by another program; close/);
  });

  it("anything once the port is lost is the disconnect", () => {
    const error = explainFailure(new Error("Serial data stream stopped"), { ...context, lost: true, stage: "writing" });
    expect(error.line).toBe("the port closed mid-flash; check the cable and run again — flashing is safe to retry");
  });
});

describe("mesh flash", () => {
  const mesh = runMesh;

  const file = join(workDir, "image.bin");
  writeFileSync(file, new Uint8Array(0x3000).fill(0x42));
  const big = join(workDir, "big.bin");
  writeFileSync(big, new Uint8Array(0x40001));

  const bad: [string, string[], RegExp][] = [
    ["no --port", ["--board", "virtual"], /^mesh flash: --port: required/],
    ["no --board", ["--port", "/dev/ttyUSB0"], /^mesh flash: --board: required \(one of .*virtual/],
    ["an unknown board", ["--port", "p", "--board", "nope"], /--board: unknown board 'nope'/],
    [
      "a bad baud rate",
      ["--port", "p", "--board", "virtual", "--baud", "fast"],
      /--baud: expected an integer from 9600 to 4000000, got 'fast'$/,
    ],
    [
      "a bad reset mode",
      ["--port", "p", "--board", "virtual", "--before", "usb"],
      /--before: expected default_reset or no_reset, got 'usb'$/,
    ],
    ["an unknown option", ["--port", "p", "--board", "virtual", "--erase-all"], /--erase-all/],
    ["an image without a target", ["--port", "p", "--board", "virtual", file], /expected NAME=FILE or 0xOFFSET=FILE$/],
    [
      "an unknown region",
      ["--port", "p", "--board", "virtual", `spiffs=${file}`],
      /has no region 'spiffs' \(it has bootloader, partition-table, nvs, factory, meshstack\)$/,
    ],
    [
      "the key storage",
      ["--port", "p", "--board", "virtual", `nvs=${file}`],
      /refusing to write nvs at 0x9000: it holds the node's keys/,
    ],
    [
      "an offset into the key storage",
      ["--port", "p", "--board", "virtual", `0xa000=${file}`],
      /refusing to write nvs/,
    ],
    [
      "a missing file",
      ["--port", "p", "--board", "virtual", "meshstack=/nonexistent/m.bin"],
      /cannot read '\/nonexistent\/m.bin': ENOENT$/,
    ],
    [
      "an image larger than its partition",
      ["--port", "p", "--board", "virtual", `meshstack=${big}`],
      /262145 bytes, larger than its 262144-byte partition; build a smaller image/,
    ],
    [
      "an unaligned offset",
      ["--port", "p", "--board", "virtual", `0x10010=${file}`],
      /does not start on a 4 KiB sector/,
    ],
    ["a decimal offset", ["--port", "p", "--board", "virtual", `65536=${file}`], /write offsets in hexadecimal/],
  ];
  for (const [what, args, message] of bad) {
    it(`answers ${what} with one line and exit 2`, async () => {
      const { code, err } = await mesh("flash", ...args);
      expect(err.split("\n")).toHaveLength(1);
      expect(err).toMatch(message);
      expect(code).toBe(2);
    });
  }

  it("flashes the virtual board and prints what it wrote", async () => {
    const board = findBoard("virtual")!;
    const s = await session(board.mcu, FlashMemory.inMemory(board.flashBytes));
    const { code, out, err } = await mesh(
      "flash",
      "--port",
      s.board.hostPath,
      "--board",
      "virtual",
      "--before",
      "no_reset",
      `meshstack=${file}`,
      `0x10000=${file}`,
    );
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(/^Flashed 2 images to ESP32-S3 \(QFN56\) \(revision v0\.2\) on .* at 460800 baud$/m);
    expect(out).toMatch(/^ {2}meshstack +0x3c0000 +12288 B +md5 [0-9a-f]{32} verified$/m);
    expect(out).toMatch(/press RESET if the board stays in its loader/);
    expect(s.flash.read(0x3c0000, 0x3000).every((b) => b === 0x42)).toBe(true);
    expect(s.flash.read(0x10000, 0x3000).every((b) => b === 0x42)).toBe(true);
  });

  it.runIf(existsSync(stackWasmPath()))(
    "with no IMAGE writes what meshstack builds: the partition table and the meshstack image",
    async () => {
      const board = findBoard("virtual")!;
      const s = await session(board.mcu, FlashMemory.inMemory(board.flashBytes));
      const { code, out } = await mesh("flash", "--port", s.board.hostPath, "--board", "virtual", "--baud", "921600");
      expect(code).toBe(0);
      expect(out).toMatch(/Flashed 2 images/);
      const table = encodePartitionTable(board.flash.partitions);
      expect(s.flash.read(0x8000, table.length)).toEqual(table);
      expect(new TextDecoder().decode(s.flash.read(0x3c0000, 4))).toBe("mesh");
    },
  );
});
