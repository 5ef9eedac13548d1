// `mesh flash`: writes images to a board through its ESP serial bootloader with esptool-js, checks each
// one's MD5 in flash, and starts the new firmware.
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { boards, findBoard } from "../../boards/index.js";
import { type BoardLayout, boardLayout, LayoutError, placeImage } from "../flash/board-layout.js";
import { checkImages, FlashError, type FlashImage, flashImages, type ResetMode } from "../flash/flasher.js";
import { imagesForBoard } from "../image/mesh-image.js";
import { packageVersion } from "../package-info.js";
import { stackWasmPath } from "../wasm/load-stack.js";
import type { Command } from "./command.js";
import { UsageError } from "./errors.js";
import { ProgressBar } from "./progress.js";

/** esptool's default write speed; every USB-UART bridge on the boards here manages it. */
const DEFAULT_BAUD = 460800;
const MIN_BAUD = 9600;
const MAX_BAUD = 4_000_000;
const RESET_MODES: readonly ResetMode[] = ["default_reset", "no_reset"];

const usage = `Usage: mesh flash --port PORT --board BOARD [--baud N] [--before default_reset|no_reset] [IMAGE…]

Writes images to a board through its ESP serial bootloader (esptool-js): uploads the flasher stub,
writes each image compressed, checks its MD5 in flash, then starts the new firmware. A failed or
interrupted flash is safe to run again.

IMAGE is NAME=FILE or 0xOFFSET=FILE. NAME is bootloader, partition-table, or one of the board's
partitions (factory, meshstack, …); an offset must be a multiple of 0x1000. With no IMAGE, writes
what meshstack builds for the board: its partition table and the meshstack image made from
build/stack.wasm. The nvs partition, which holds the node's keys, is never written.

Options:
  --port PORT      the board's serial port (/dev/ttyUSB0, /dev/ttyACM0, …)
  --board BOARD    ${boards.map((b) => b.name).join(", ")}
  --baud N         baud rate for writing (default ${DEFAULT_BAUD}); the bootloader is reached at 115200 first
  --before MODE    default_reset: pulse DTR/RTS to enter the bootloader (default);
                   no_reset: the board is already in its bootloader (BOOT held while tapping RESET)
  --verbose        print esptool-js's log`;

function readImageFile(spec: string, path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new UsageError(`IMAGE '${spec}': cannot read '${path}': ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/** NAME=FILE or 0xOFFSET=FILE, placed on the board's layout. */
function parseImage(spec: string, layout: BoardLayout): FlashImage {
  const at = spec.indexOf("=");
  if (at <= 0 || at === spec.length - 1) {
    throw new UsageError(`IMAGE '${spec}': expected NAME=FILE or 0xOFFSET=FILE`);
  }
  const target = spec.slice(0, at);
  const path = spec.slice(at + 1);
  let place: { name: string } | { offset: number };
  if (/^0x[0-9a-f]+$/i.test(target)) {
    const offset = Number.parseInt(target, 16);
    if (offset >= layout.flashSizeBytes) {
      throw new UsageError(`IMAGE '${spec}': ${target} is past the end of the ${layout.name}'s flash`);
    }
    place = { offset };
  } else if (/^\d+$/.test(target)) {
    throw new UsageError(`IMAGE '${spec}': write offsets in hexadecimal, like 0x10000`);
  } else {
    place = { name: target };
  }
  try {
    // Check the region first, so a wrong name is reported before a missing file.
    placeImage(layout, place, new Uint8Array(0));
    return placeImage(layout, place, readImageFile(spec, path));
  } catch (error) {
    if (error instanceof LayoutError) throw new UsageError(`IMAGE '${spec}': ${error.message}`);
    throw error;
  }
}

/** What meshstack builds for the board: its partition table and the meshstack image. */
function defaultImages(board: NonNullable<ReturnType<typeof findBoard>>, layout: BoardLayout): FlashImage[] {
  const wasmPath = stackWasmPath();
  if (!existsSync(wasmPath)) throw new FlashError("bad-image", `${wasmPath} is missing`, "run `npm run build` first");
  try {
    return imagesForBoard(board, new Uint8Array(readFileSync(wasmPath)), { version: packageVersion() }).map((image) =>
      placeImage(layout, { name: image.name }, image.data),
    );
  } catch (error) {
    if (error instanceof RangeError || error instanceof LayoutError) {
      throw new FlashError("image-too-large", error.message, "check the board's partitions and the build");
    }
    throw error;
  }
}

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name}: expected an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

async function runFlash(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      port: { type: "string" },
      board: { type: "string" },
      baud: { type: "string" },
      before: { type: "string" },
      verbose: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (!values.port) throw new UsageError("--port: required (the board's serial port, e.g. /dev/ttyUSB0)");
  if (!values.board) throw new UsageError(`--board: required (one of ${boards.map((b) => b.name).join(", ")})`);
  const board = findBoard(values.board);
  if (!board) {
    throw new UsageError(`--board: unknown board '${values.board}' (one of ${boards.map((b) => b.name).join(", ")})`);
  }
  const baud = integer("baud", values.baud, DEFAULT_BAUD, MIN_BAUD, MAX_BAUD);
  const before = (values.before ?? "default_reset") as ResetMode;
  if (!RESET_MODES.includes(before)) {
    throw new UsageError(`--before: expected ${RESET_MODES.join(" or ")}, got '${values.before}'`);
  }
  const layout = boardLayout(board);
  const explicit = positionals.map((spec) => parseImage(spec, layout));
  const flashOptions = { chip: layout.chip, flashSizeBytes: layout.flashSizeBytes };
  try {
    checkImages({ ...flashOptions, images: explicit, allowEmpty: true });
  } catch (error) {
    if (error instanceof FlashError) throw new UsageError(error.line);
    throw error;
  }

  const progress = new ProgressBar("flashing");
  try {
    const images = explicit.length > 0 ? explicit : defaultImages(board, layout);
    const report = await flashImages({
      port: values.port,
      baud,
      before,
      images,
      ...flashOptions,
      onProgress: (fraction, detail) => progress.update(fraction, detail),
      onLog: values.verbose ? (line) => console.error(line) : undefined,
      onNotice: (message) => console.error(`mesh flash: ${message}`),
    });
    progress.done();
    console.log(
      `Flashed ${report.images.length} image${report.images.length === 1 ? "" : "s"} to ${report.chip} on ${report.port} (MAC ${report.mac}) in ${(report.durationMs / 1000).toFixed(1)} s at ${report.baud} baud`,
    );
    for (const image of report.images) {
      console.log(
        `  ${image.name.padEnd(16)} 0x${image.address.toString(16).padStart(6, "0")}  ${String(image.size).padStart(8)} B  md5 ${image.md5} verified`,
      );
    }
    console.log(
      report.started === "hard-reset"
        ? "Started the new firmware (reset via RTS)."
        : "Asked the loader to start the new firmware (the port has no reset line; press RESET if the board stays in its loader).",
    );
    return 0;
  } catch (error) {
    progress.done();
    if (error instanceof FlashError) {
      console.error(`mesh flash: ${error.line}`);
      return 1;
    }
    throw error;
  }
}

export const flashCommand: Command = {
  name: "flash",
  summary: "write images to a board through its ESP serial bootloader",
  usage,
  run: runFlash,
};
