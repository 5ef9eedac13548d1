// `mesh vboard`: starts emulated boards behind pseudo-terminals and prints where to connect.
import { existsSync, lstatSync, readFileSync, symlinkSync, unlinkSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type BoardDefinition, findBoard } from "../../boards/index.js";
import { imagesForBoard } from "../image/mesh-image.js";
import { KeyStorageError } from "../native/key-storage.js";
import { QemuBoard, type QemuBoardOptions } from "../native/qemu-board.js";
import { checkQemuPrerequisites, NativeBoardError } from "../native/qemu-process.js";
import {
  defaultQemuFirmwarePath,
  QEMU_BOARD_NAME,
  QEMU_DEFAULT_TX_POWER_DBM,
  qemuRv32Board,
} from "../native/qemu-rv32-board.js";
import { RADIO_SETTINGS_SLOT } from "../native/tunnel-protocol.js";
import { packageVersion } from "../package-info.js";
import { FlashMemory } from "../vboard/flash-memory.js";
import { SharedAir } from "../vboard/shared-air.js";
import { addSimulatedNeighbours } from "../vboard/simulated-neighbours.js";
import { VirtualBoard } from "../vboard/virtual-board.js";
import { stackWasmPath } from "../wasm/load-stack.js";
import { loadLoRaTables } from "../wasm/lora-tables.js";
import type { Command } from "./command.js";
import { UsageError } from "./errors.js";

const usage = `Usage: mesh vboard [--board NAME]… [--count N] [--flash FILE] [--pty PATH] [--preload] [--elf FILE]
                   [--preset NAME] [--region NAME] [--spacing METRES] [--sim-nodes N] [--sim-every S]

Starts virtual boards behind pseudo-terminals and prints where to connect. Their radios share one
simulated LoRa channel, so boards started together — and simulated nodes added with --sim-nodes —
hear each other. Runs until interrupted (Ctrl-C).

  - ESP32-family boards (default \`virtual\`) are emulated in Node: the ESP ROM serial bootloader and
    flasher stub (so \`mesh flash\` and esptool work against them), then the boot log and the
    meshstack console of the stack image in their flash (so \`mesh monitor\` works).
  - \`qemu-rv32\` runs the native firmware (build/native/qemu-rv32/firmware.elf, from
    \`mesh build --board qemu-rv32\`) under qemu-system-riscv32; its radio's SPI and GPIO reach an
    SX1262 model on the same air through its UART. It speaks the serial protocol like the others
    (\`mesh monitor\`, \`mesh hil --no-flash\`) but has no ROM loader to flash.

Options:
  --board NAME      board to run: a definition from \`mesh boards\` or qemu-rv32 (default virtual);
                    repeat it to mix kinds, e.g. --board qemu-rv32 --board virtual
  --count N         boards of each --board to start, 1..8 (default 1), placed --spacing metres
                    apart in a line, in the order given
  --flash FILE      flash image file (created erased if missing); with several boards FILE-1,
                    FILE-2, … in the order they start. Without it the flash is a temporary file,
                    deleted when the boards stop. A qemu-rv32 board keeps its key storage
                    (identity) there instead, as JSON
  --pty PATH        also make PATH a link to the first board's pseudo-terminal
  --preload         write the partition table and build/stack.wasm into the emulated boards' flash
                    before booting, as if they had been flashed (qemu-rv32 needs no preloading)
  --elf FILE        firmware for qemu-rv32 boards (default build/native/qemu-rv32/firmware.elf)
  --preset NAME     LoRa preset (default SF7BW125); a qemu-rv32 board gets it in its stored settings
  --region NAME     region (default: the board's)
  --spacing METRES  distance between boards (default 100)
  --sim-nodes N     also run N simulated nodes (stack.wasm + SX1262 model, as in \`mesh sim\`) on the
                    same air, beyond the boards, 0..50 (default 0)
  --sim-every S     each simulated node broadcasts a signed hello every S seconds (default 30;
                    0 keeps them silent)`;

async function runVboard(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      board: { type: "string", multiple: true, default: ["virtual"] },
      count: { type: "string", default: "1" },
      flash: { type: "string" },
      pty: { type: "string" },
      preload: { type: "boolean", default: false },
      elf: { type: "string" },
      preset: { type: "string" },
      region: { type: "string" },
      spacing: { type: "string", default: "100" },
      "sim-nodes": { type: "string", default: "0" },
      "sim-every": { type: "string", default: "30" },
    },
    strict: true,
    allowPositionals: false,
  });
  const kinds = values.board.map(boardKind);
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 8) {
    throw new UsageError(`--count: expected an integer from 1 to 8, got '${values.count}'`);
  }
  const spacing = Number(values.spacing);
  if (!Number.isFinite(spacing) || spacing < 0)
    throw new UsageError(`--spacing: expected metres, got '${values.spacing}'`);
  const simNodes = Number(values["sim-nodes"]);
  if (!Number.isInteger(simNodes) || simNodes < 0 || simNodes > 50) {
    throw new UsageError(`--sim-nodes: expected an integer from 0 to 50, got '${values["sim-nodes"]}'`);
  }
  const simEvery = Number(values["sim-every"]);
  if (!Number.isFinite(simEvery) || simEvery < 0) {
    throw new UsageError(`--sim-every: expected seconds, got '${values["sim-every"]}'`);
  }
  const tables = await loadLoRaTables();
  if (values.preset && !tables.presets.some((p) => p.name === values.preset)) {
    throw new UsageError(`--preset: expected one of ${tables.presets.map((p) => p.name).join(", ")}`);
  }
  if (values.region && !tables.regions.some((r) => r.name === values.region)) {
    throw new UsageError(`--region: expected one of ${tables.regions.map((r) => r.name).join(", ")}`);
  }
  if (values.pty && existsSync(values.pty) && !lstatSync(values.pty).isSymbolicLink()) {
    throw new UsageError(`--pty: '${values.pty}' exists and is not a link; choose another path`);
  }
  const elfPath = resolve(values.elf ?? defaultQemuFirmwarePath());
  if (kinds.some((kind) => kind === "qemu")) {
    // Before any board starts, so a missing QEMU or firmware is one line and nothing to clean up.
    try {
      checkQemuPrerequisites(elfPath);
    } catch (error) {
      if (!(error instanceof NativeBoardError)) throw error;
      console.error(`mesh vboard: ${error.message}`);
      return 1;
    }
  }

  const air = new SharedAir();
  air.start();
  const started: { hostPath: string; close(): Promise<void> }[] = [];
  const total = kinds.length * count;
  const closeAll = async () => {
    for (const b of started) await b.close();
    air.stop();
  };
  try {
    for (const kind of kinds) {
      for (let i = 0; i < count; i++) {
        const number = started.length + 1;
        const flashPath = values.flash ? (total === 1 ? values.flash : `${values.flash}-${number}`) : undefined;
        const position = { xMetres: started.length * spacing, yMetres: 0 };
        const onEvent = (text: string) => console.error(`[board ${number}] ${text}`);
        if (kind === "qemu") {
          const qemu = await startQemuBoard(
            { elfPath, air, position, storagePath: flashPath, onEvent },
            values,
            tables,
          );
          started.push(qemu);
          console.log(
            `virtual board ${number} (${QEMU_BOARD_NAME}): ${qemu.hostPath}  firmware ${elfPath}  keys ${flashPath ?? "in memory"}`,
          );
          continue;
        }
        const board = kind;
        if (flashPath && values.preload) preload(flashPath, board);
        const virtual = await VirtualBoard.start({
          board,
          air,
          flashPath,
          position,
          preset: values.preset,
          region: values.region,
          onEvent,
        });
        if (!flashPath && values.preload) {
          writeImages(virtual.flash, board);
          virtual.reset("power on");
        }
        started.push(virtual);
        console.log(`virtual board ${number} (${board.name}): ${virtual.hostPath}  flash ${virtual.flashPath}`);
      }
    }
  } catch (error) {
    await closeAll();
    if (!(error instanceof NativeBoardError || error instanceof KeyStorageError)) throw error;
    console.error(`mesh vboard: ${error.message}`);
    return 1;
  }
  if (simNodes > 0) {
    const firstKind = kinds[0];
    await addSimulatedNeighbours(air, {
      count: simNodes,
      startXMetres: started.length * spacing,
      spacingMetres: spacing,
      everySeconds: simEvery,
      preset: values.preset,
      region: values.region ?? (firstKind === "qemu" ? qemuRv32Board : firstKind).defaultRegion,
    });
    console.log(
      `${simNodes} simulated node(s) on the same air${simEvery > 0 ? `, each saying hello every ${simEvery} s` : ""}`,
    );
  }
  if (values.pty) {
    if (existsSync(values.pty)) unlinkSync(values.pty);
    symlinkSync(started[0].hostPath, values.pty);
    console.log(`${values.pty} -> ${started[0].hostPath}`);
  }
  console.log("Ctrl-C stops the boards.");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await closeAll();
  if (values.pty && existsSync(values.pty)) unlinkSync(values.pty);
  return 0;
}

/** What a --board value starts: the QEMU board, or a Node-emulated board from boards/. */
function boardKind(name: string): "qemu" | BoardDefinition {
  if (name.trim().toLowerCase() === QEMU_BOARD_NAME) return "qemu";
  const board = findBoard(name);
  if (!board) throw new UsageError(`--board: no board '${name}' (see \`mesh boards\`)`);
  return board;
}

/**
 * Starts a QEMU board. --preset and --region reach its firmware the way a ConfigSet would, through
 * the radio-settings slot of its key storage (firmware/native/hal/hal.h HAL_SLOT_RADIO_SETTINGS).
 */
async function startQemuBoard(
  options: QemuBoardOptions,
  values: { preset?: string; region?: string },
  tables: Awaited<ReturnType<typeof loadLoRaTables>>,
): Promise<QemuBoard> {
  return QemuBoard.start({
    ...options,
    beforeBoot: (storage) => {
      if (!values.preset && !values.region) return;
      const presetIndex = Math.max(
        0,
        tables.presets.findIndex((p) => p.name === (values.preset ?? "SF7BW125")),
      );
      const regionIndex = Math.max(
        0,
        tables.regions.findIndex((r) => r.name === (values.region ?? qemuRv32Board.defaultRegion)),
      );
      storage.write(RADIO_SETTINGS_SLOT, Uint8Array.of(regionIndex, presetIndex, QEMU_DEFAULT_TX_POWER_DBM));
    },
  });
}

function writeImages(flash: FlashMemory, board: BoardDefinition): void {
  for (const image of imagesForBoard(board, readFileSync(stackWasmPath()), { version: packageVersion() })) {
    flash.eraseRange(image.offset, image.data.length);
    flash.write(image.offset, image.data);
  }
  flash.flush();
}

function preload(flashPath: string, board: BoardDefinition): void {
  const flash = FlashMemory.openFile(flashPath, board.flashBytes);
  writeImages(flash, board);
  flash.close();
}

export const vboardCommand: Command = {
  name: "vboard",
  summary: "start virtual boards (emulated ESP32s, or the native firmware under QEMU) behind pseudo-terminals",
  usage,
  run: runVboard,
};
