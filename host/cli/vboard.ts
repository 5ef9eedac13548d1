// `mesh vboard`: starts emulated boards behind pseudo-terminals and prints where to connect.
import { existsSync, lstatSync, readFileSync, symlinkSync, unlinkSync } from "node:fs";
import { parseArgs } from "node:util";
import { findBoard } from "../../boards/index.js";
import { imagesForBoard } from "../image/mesh-image.js";
import { packageVersion } from "../package-info.js";
import { FlashMemory } from "../vboard/flash-memory.js";
import { SharedAir } from "../vboard/shared-air.js";
import { addSimulatedNeighbours } from "../vboard/simulated-neighbours.js";
import { VirtualBoard } from "../vboard/virtual-board.js";
import { stackWasmPath } from "../wasm/load-stack.js";
import { loadLoRaTables } from "../wasm/lora-tables.js";
import type { Command } from "./command.js";
import { UsageError } from "./errors.js";

const usage = `Usage: mesh vboard [--board NAME] [--count N] [--flash FILE] [--pty PATH] [--preload]
                   [--preset NAME] [--region NAME] [--spacing METRES] [--sim-nodes N] [--sim-every S]

Starts virtual boards: each emulates an ESP32-family board behind a pseudo-terminal — the ESP ROM
serial bootloader and flasher stub (so \`mesh flash\` and esptool work against it), then the boot
log and the meshstack console of the stack image in its flash (so \`mesh monitor\` works). Their
radios share one simulated LoRa channel, so boards started together — and simulated nodes added
with --sim-nodes — hear each other. Runs until interrupted (Ctrl-C).

Options:
  --board NAME      board definition to emulate (default virtual; see \`mesh boards\`)
  --count N         boards to start, 1..8 (default 1), placed --spacing metres apart in a line
  --flash FILE      flash image file (created erased if missing); with --count, FILE-1, FILE-2, …
  --pty PATH        also make PATH a link to the (first) board's pseudo-terminal
  --preload         write the partition table and build/stack.wasm into flash before booting,
                    as if the board had been flashed
  --preset NAME     LoRa preset (default SF7BW125)
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
      board: { type: "string", default: "virtual" },
      count: { type: "string", default: "1" },
      flash: { type: "string" },
      pty: { type: "string" },
      preload: { type: "boolean", default: false },
      preset: { type: "string" },
      region: { type: "string" },
      spacing: { type: "string", default: "100" },
      "sim-nodes": { type: "string", default: "0" },
      "sim-every": { type: "string", default: "30" },
    },
    strict: true,
    allowPositionals: false,
  });
  const board = findBoard(values.board);
  if (!board) throw new UsageError(`--board: no board '${values.board}' (see \`mesh boards\`)`);
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

  const air = new SharedAir();
  air.start();
  const boards: VirtualBoard[] = [];
  for (let i = 0; i < count; i++) {
    const flashPath = values.flash ? (count === 1 ? values.flash : `${values.flash}-${i + 1}`) : undefined;
    if (flashPath && values.preload) preload(flashPath, board);
    const virtual = await VirtualBoard.start({
      board,
      air,
      flashPath,
      position: { xMetres: i * spacing, yMetres: 0 },
      preset: values.preset,
      region: values.region,
      onEvent: (text) => console.error(`[board ${i + 1}] ${text}`),
    });
    if (!flashPath && values.preload) {
      writeImages(virtual.flash, board);
      virtual.reset("power on");
    }
    boards.push(virtual);
    console.log(`virtual board ${i + 1} (${board.name}): ${virtual.hostPath}  flash ${virtual.flashPath}`);
  }
  if (simNodes > 0) {
    await addSimulatedNeighbours(air, {
      count: simNodes,
      startXMetres: count * spacing,
      spacingMetres: spacing,
      everySeconds: simEvery,
      preset: values.preset,
      region: values.region ?? board.defaultRegion,
    });
    console.log(
      `${simNodes} simulated node(s) on the same air${simEvery > 0 ? `, each saying hello every ${simEvery} s` : ""}`,
    );
  }
  if (values.pty) {
    if (existsSync(values.pty)) unlinkSync(values.pty);
    symlinkSync(boards[0].hostPath, values.pty);
    console.log(`${values.pty} -> ${boards[0].hostPath}`);
  }
  console.log("Ctrl-C stops the boards.");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  for (const b of boards) await b.close();
  if (values.pty && existsSync(values.pty)) unlinkSync(values.pty);
  air.stop();
  return 0;
}

function writeImages(flash: FlashMemory, board: NonNullable<ReturnType<typeof findBoard>>): void {
  for (const image of imagesForBoard(board, readFileSync(stackWasmPath()), { version: packageVersion() })) {
    flash.eraseRange(image.offset, image.data.length);
    flash.write(image.offset, image.data);
  }
  flash.flush();
}

function preload(flashPath: string, board: NonNullable<ReturnType<typeof findBoard>>): void {
  const flash = FlashMemory.openFile(flashPath, board.flashBytes);
  writeImages(flash, board);
  flash.close();
}

export const vboardCommand: Command = {
  name: "vboard",
  summary: "start virtual boards (ESP ROM loader + meshstack) behind pseudo-terminals",
  usage,
  run: runVboard,
};
