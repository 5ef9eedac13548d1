// `mesh build`: the native firmware for one board — the QEMU RISC-V board through
// scripts/build-native.mjs, the ESP32-family boards through ESP-IDF's idf.py.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type BoardDefinition, boards, findBoard } from "../../boards/index.js";
import { espIdfBoardFiles } from "../native/esp-idf-board-files.js";
import { findExecutable } from "../native/qemu-process.js";
import { QEMU_BOARD_NAME, QEMU_FIRMWARE_DIRECTORY } from "../native/qemu-rv32-board.js";
import { packageRoot } from "../package-info.js";
import { stackWasmPath } from "../wasm/load-stack.js";
import { loadLoRaTables } from "../wasm/lora-tables.js";
import type { Command } from "./command.js";
import { UsageError } from "./errors.js";

/** The ESP-IDF project, relative to the package root. */
const ESP_IDF_PROJECT = "firmware/native/esp-idf";
const NATIVE_BUILD_SCRIPT = "scripts/build-native.mjs";
/** The --out default of ESP boards; generated board files go beside it, since idf.py set-target empties it. */
const ESP_IDF_BUILD_DIRECTORY = "build/esp-idf";
const DEFAULT_PRESET = "SF7BW125";
const DEFAULT_TX_POWER_DBM = 14;

export const ESP_IDF_MISSING =
  "mesh build: ESP-IDF not found (idf.py not on PATH) — install ESP-IDF v5.x " +
  "(https://docs.espressif.com/projects/esp-idf/en/stable/esp32/get-started/) and run '. $IDF_PATH/export.sh'";

/** Boards with firmware to build: the QEMU board and every real board (the Node virtual board runs stack.wasm). */
function buildableBoards(): string[] {
  return [QEMU_BOARD_NAME, ...boards.filter((b) => !b.virtual).map((b) => b.name)];
}

const usage = `Usage: mesh build --board NAME [--out DIR]

Builds the native firmware: build/stack.wasm compiled ahead of time to C (wasm2c), linked with the
C runtime, the main loop and the board's HAL (firmware/native). Run \`npm run build\` first.

  qemu-rv32    the RISC-V virtual board: runs scripts/build-native.mjs (Debian packages wabt,
               gcc-riscv64-unknown-elf, picolibc-riscv64-unknown-elf), writes
               ${QEMU_FIRMWARE_DIRECTORY}/firmware.elf and prints its code and RAM budgets;
               fails when a budget is exceeded by more than 10 %. Run it with
               \`mesh vboard --board qemu-rv32\`.
  ESP32 boards every board of \`mesh boards\` but \`virtual\`: generates the partition table and
               the board's pin header from its definition, then runs ESP-IDF's
               \`idf.py -C ${ESP_IDF_PROJECT} -B DIR set-target CHIP build\`. Needs ESP-IDF v5.x on
               PATH (. $IDF_PATH/export.sh); it is not installed on the machines that test
               meshstack, so this path is not built or tested there (docs/esp-idf.md).

Boards: ${buildableBoards().join(", ")}

Options:
  --board NAME  the board to build for (required)
  --out DIR     output directory (default ${QEMU_FIRMWARE_DIRECTORY} for qemu-rv32,
                ${ESP_IDF_BUILD_DIRECTORY}/NAME for ESP32 boards)`;

async function runBuild(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { board: { type: "string" }, out: { type: "string" } },
    strict: true,
    allowPositionals: false,
  });
  const name = values.board?.trim().toLowerCase();
  const boardList = buildableBoards().join(", ");
  if (!name) throw new UsageError(`--board is required: one of ${boardList}`);
  if (name === QEMU_BOARD_NAME) return buildQemu(values.out);
  const board = findBoard(name);
  if (!board) throw new UsageError(`--board: no board '${values.board}'; boards: ${boardList}`);
  if (board.virtual) {
    throw new UsageError(
      `--board ${board.name}: runs build/stack.wasm in Node, nothing native to build; boards: ${boardList}`,
    );
  }
  return buildEspIdf(board, values.out);
}

/** Runs `node scripts/build-native.mjs --board qemu-rv32`, its output passed through line by line. */
async function buildQemu(out: string | undefined): Promise<number> {
  const root = packageRoot();
  if (!existsSync(join(root, NATIVE_BUILD_SCRIPT))) {
    console.error(
      `mesh build: ${NATIVE_BUILD_SCRIPT} is missing from ${root}; this checkout cannot build native firmware`,
    );
    return 1;
  }
  // The script resolves --out against its working directory, which is the package root here.
  const outArguments = out ? ["--out", relative(root, resolve(out))] : [];
  return run(process.execPath, [NATIVE_BUILD_SCRIPT, "--board", QEMU_BOARD_NAME, ...outArguments], root);
}

async function buildEspIdf(board: BoardDefinition, out: string | undefined): Promise<number> {
  const idf = findExecutable("idf.py");
  if (!idf) {
    console.error(ESP_IDF_MISSING);
    return 1;
  }
  const root = packageRoot();
  if (!existsSync(stackWasmPath())) {
    console.error("mesh build: build/stack.wasm is missing; run `npm run build` first");
    return 1;
  }
  const buildDirectory = resolve(out ?? join(root, ESP_IDF_BUILD_DIRECTORY, board.name));
  const generated = join(root, ESP_IDF_BUILD_DIRECTORY, "generated", board.name);
  const tables = await loadLoRaTables();
  const files = espIdfBoardFiles(board, join(generated, "partitions.csv"), {
    regionIndex: Math.max(
      0,
      tables.regions.findIndex((r) => r.name === board.defaultRegion),
    ),
    presetIndex: Math.max(
      0,
      tables.presets.findIndex((p) => p.name === DEFAULT_PRESET),
    ),
    txPowerDbm: DEFAULT_TX_POWER_DBM,
  });
  mkdirSync(generated, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(generated, file), text);
  console.log(`board files for ${board.name}: ${relative(process.cwd(), generated) || "."}`);
  return run(
    idf,
    [
      "-C",
      join(root, ESP_IDF_PROJECT),
      "-B",
      buildDirectory,
      `-DMESH_BOARD=${board.name}`,
      `-DMESH_BOARD_FILES=${generated}`,
      `-DMESH_STACK_WASM=${stackWasmPath()}`,
      "set-target",
      board.mcu,
      "build",
    ],
    root,
  );
}

/** Runs a build tool with its output passed through (console.log/error, so callers can capture it). */
function run(command: string, args: string[], cwd: string): Promise<number> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    const forward = (stream: NodeJS.ReadableStream | null, print: (line: string) => void) => {
      let pending = "";
      stream?.setEncoding("utf8");
      stream?.on("data", (text: string) => {
        const lines = (pending + text).split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) print(line);
      });
      stream?.on("end", () => {
        if (pending) print(pending);
      });
    };
    forward(child.stdout, (line) => console.log(line));
    forward(child.stderr, (line) => console.error(line));
    child.once("error", (error) => {
      console.error(`mesh build: cannot run ${command}: ${error.message}`);
      resolvePromise(1);
    });
    child.once("close", (code) => resolvePromise(code ?? 1));
  });
}

export const buildCommand: Command = {
  name: "build",
  summary: "build the native firmware for a board (qemu-rv32, or ESP32 boards with ESP-IDF)",
  usage,
  run: runBuild,
};
