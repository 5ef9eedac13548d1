// Writes images to an ESP32-family board through its serial ROM bootloader with esptool-js, unmodified:
// connect (reset into download mode unless told not to), identify the chip, upload and start the
// flasher stub, raise the baud rate, write each image compressed and check its MD5 in flash, then
// let the new firmware run. Failures become one FlashError each: a line saying what happened and a
// hint saying what to do.
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { ESPLoader, Transport } from "esptool-js";
import { SerialPort } from "serialport";
import { PortLostError, PortOpenError, WebSerialPort } from "./serial-transport.js";

export type ResetMode = "default_reset" | "no_reset";

export interface FlashImage {
  /** Flash offset; a whole number of 4 KiB sectors, because the loader erases whole sectors. */
  address: number;
  data: Uint8Array;
  /** For messages and progress: "meshstack", "partition-table", or the offset. */
  name: string;
  /** The size of the partition the image goes to, when there is one: larger images are refused. */
  partitionSize?: number;
}

export interface FlashOptions {
  port: string;
  /** Baud rate for writing; the ROM is reached at 115200 first. */
  baud: number;
  /** Chip the board has ("esp32", "esp32s3", "esp32c3" or esptool's "ESP32-S3"); another one is refused. */
  chip?: string;
  /** Flash size the board has; a smaller flash chip on the port is refused. */
  flashSizeBytes?: number;
  images: FlashImage[];
  before: ResetMode;
  onProgress(fraction: number, detail: string): void;
  /** Every line esptool-js logs. */
  onLog?(line: string): void;
  /** Things worth telling the user that are not failures (the port cannot drive DTR/RTS). */
  onNotice?(message: string): void;
}

export interface FlashedImage {
  name: string;
  address: number;
  size: number;
  md5: string;
}

export interface FlashReport {
  port: string;
  /** esptool's description, e.g. "ESP32-S3 (QFN56) (revision v0.2)". */
  chip: string;
  /** esptool's chip name, e.g. "ESP32-S3". */
  chipName: string;
  mac: string;
  /** JEDEC id as esptool reads it (manufacturer in the low byte). */
  flashId: number;
  /** Detected flash size ("4MB"), when the id was one esptool knows. */
  flashSize: string | undefined;
  baud: number;
  images: FlashedImage[];
  /** How the new firmware was started: the RTS reset line, or the stub's RUN_USER_CODE where the port has no modem lines. */
  started: "hard-reset" | "run-user-code";
  durationMs: number;
}

export type FlashFailure =
  | "bad-image"
  | "port-not-found"
  | "permission-denied"
  | "port-busy"
  | "no-answer"
  | "wrong-chip"
  | "flash-too-small"
  | "image-too-large"
  | "verify-failed"
  | "disconnected"
  | "protocol";

export class FlashError extends Error {
  override name = "FlashError";
  constructor(
    readonly failure: FlashFailure,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }

  /** The one line the CLI prints. */
  get line(): string {
    return `${this.message}; ${this.hint}`;
  }
}

const SECTOR = 0x1000;
const ROM_BAUD = 115200;

export async function flashImages(options: FlashOptions): Promise<FlashReport> {
  const started = Date.now();
  checkImages(options);
  await checkPortExists(options.port);

  const stage = { current: "connecting" };
  const device = await WebSerialPort.create(options.port, {
    // Only worth saying when the reset into the bootloader is what failed; after flashing, the
    // missing reset line is covered by RUN_USER_CODE and the report.
    onSignalsUnsupported: () => {
      if (stage.current === "connecting") {
        options.onNotice?.(
          `${options.port} cannot drive DTR/RTS (a pseudo-terminal or a bridge without modem lines); the board must already be in its bootloader`,
        );
      }
    },
  });
  // esptool-js types the device as the browser's SerialPort; the adapter has every member it uses.
  const transport = new Transport(device as unknown as ConstructorParameters<typeof Transport>[0], false);
  let pending = "";
  const emit = (text: string) => {
    for (const line of text.split(/\r?\n|\r/)) if (line.trim() !== "") options.onLog?.(line);
  };
  const terminal = {
    clean: () => {},
    write: (text: string) => {
      pending += text;
    },
    writeLine: (text: string) => {
      emit(pending + text);
      pending = "";
    },
  };
  // Transport.trace() prints to the console even with tracing off ("readLoop exited"); keep it in the log.
  transport.trace = (message: string) => emit(`trace: ${message}`);
  const loader = new ESPLoader({ transport, baudrate: options.baud, romBaudrate: ROM_BAUD, terminal });
  const progress = new ImageProgress(options);

  const work = (async (): Promise<FlashReport> => {
    options.onProgress(0, "connecting");
    const chip = await loader.main(options.before);
    checkChip(options, loader.chip.CHIP_NAME);
    stage.current = "reading the flash id";
    // JEDEC id: manufacturer, memory type, then the capacity byte esptool-js maps to a size.
    const flashId = await loader.readFlashId();
    const flashSize: string | undefined = loader.DETECTED_FLASH_SIZES[(flashId >> 16) & 0xff];
    checkFlashSize(options, flashSize);
    const mac = await loader.chip.readMac(loader);
    stage.current = "writing";
    const images: FlashedImage[] = [];
    await loader.writeFlash({
      fileArray: options.images.map((image) => ({ address: image.address, data: image.data })),
      flashMode: "keep",
      flashFreq: "keep",
      flashSize: "keep",
      eraseAll: false,
      compress: true,
      reportProgress: (index, written, total) => progress.update(index, written, total),
      calculateMD5Hash: (image) => {
        const md5 = createHash("md5").update(image).digest("hex");
        const source = options.images[images.length]!;
        images.push({ name: source.name, address: source.address, size: source.data.length, md5 });
        return md5;
      },
    });
    stage.current = "starting the firmware";
    let startedBy: FlashReport["started"] = "hard-reset";
    if (device.signalsSupported) await loader.after("hard_reset");
    if (!device.signalsSupported) {
      // No reset line to pull: ask the stub to jump to the flashed firmware (SP: RUN_USER_CODE), which
      // it does without a reply.
      await loader.command(loader.ESP_RUN_USER_CODE, new Uint8Array(0), 0, false);
      startedBy = "run-user-code";
    }
    options.onProgress(1, "done");
    return {
      port: options.port,
      chip,
      chipName: loader.chip.CHIP_NAME,
      mac,
      flashId,
      flashSize,
      baud: loader.transport.baudrate,
      images,
      started: startedBy,
      durationMs: Date.now() - started,
    };
  })();

  // A lost port fails the flash at once, whatever esptool-js is waiting for at the time.
  let unsubscribe = () => {};
  const lost = new Promise<never>((_, reject) => {
    unsubscribe = device.onLost((error) => reject(error));
  });
  try {
    return await Promise.race([work, lost]);
  } catch (error) {
    throw explainFailure(error, {
      port: options.port,
      before: options.before,
      lost: device.lost !== null,
      signalsSupported: device.signalsSupported,
      stage: stage.current,
      image: progress.currentImage(),
    });
  } finally {
    unsubscribe();
    // esptool-js may still be waiting out a read timeout on the lost port; its outcome no longer matters.
    work.catch(() => {});
    lost.catch(() => {});
    await transport.disconnect().catch(() => {});
  }
}

/** Spreads esptool-js's per-image progress (compressed bytes) over all images by their size. */
class ImageProgress {
  private readonly total: number;
  private index = 0;

  constructor(private readonly options: FlashOptions) {
    this.total = options.images.reduce((sum, image) => sum + image.data.length, 0) || 1;
  }

  update(index: number, written: number, total: number): void {
    this.index = index;
    const before = this.options.images.slice(0, index).reduce((sum, image) => sum + image.data.length, 0);
    const image = this.options.images[index]!;
    const fraction = (before + image.data.length * (total > 0 ? written / total : 1)) / this.total;
    this.options.onProgress(fraction, `${image.name} at 0x${image.address.toString(16)}`);
  }

  currentImage(): FlashImage | undefined {
    return this.options.images[this.index];
  }
}

/**
 * Checks images before anything touches the port: sector-aligned, not empty, within their partition
 * and the flash, not sharing a sector. Exported so the CLI can refuse bad arguments up front.
 */
export function checkImages(options: { images: FlashImage[]; flashSizeBytes?: number; allowEmpty?: boolean }): void {
  if (options.images.length === 0 && !options.allowEmpty) {
    throw new FlashError("bad-image", "nothing to flash", "name at least one image");
  }
  const sorted = [...options.images].sort((a, b) => a.address - b.address);
  let previousEnd = 0;
  let previousName = "";
  for (const image of sorted) {
    const where = `${image.name} at 0x${image.address.toString(16)}`;
    if (!Number.isInteger(image.address) || image.address < 0 || image.address % SECTOR !== 0) {
      throw new FlashError(
        "bad-image",
        `${where} does not start on a 4 KiB sector`,
        "flash offsets must be multiples of 0x1000, because the loader erases whole sectors",
      );
    }
    if (image.data.length === 0) throw new FlashError("bad-image", `${where} is empty`, "check the file");
    if (image.partitionSize !== undefined && image.data.length > image.partitionSize) {
      throw new FlashError(
        "image-too-large",
        `${image.name} is ${image.data.length} bytes, larger than its ${image.partitionSize}-byte partition`,
        "build a smaller image, or use a board whose partition is larger",
      );
    }
    if (options.flashSizeBytes !== undefined && image.address + image.data.length > options.flashSizeBytes) {
      throw new FlashError(
        "image-too-large",
        `${where} (${image.data.length} bytes) runs past the end of the ${options.flashSizeBytes}-byte flash`,
        "check the offset, or the board",
      );
    }
    // The loader erases up to the end of the last sector it writes.
    if (image.address < previousEnd) {
      throw new FlashError(
        "bad-image",
        `${where} overlaps ${previousName}`,
        "images share a flash sector; give them separate offsets",
      );
    }
    previousEnd = Math.ceil((image.address + image.data.length) / SECTOR) * SECTOR;
    previousName = image.name;
  }
}

async function checkPortExists(port: string): Promise<void> {
  try {
    await stat(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw portNotFound(port, await listPorts());
    throw error;
  }
}

async function listPorts(): Promise<string[]> {
  try {
    return (await SerialPort.list()).map((p) => p.path);
  } catch {
    return [];
  }
}

function portNotFound(port: string, available: string[]): FlashError {
  return new FlashError(
    "port-not-found",
    `${port}: no such serial port`,
    available.length > 0
      ? `serial ports here: ${available.join(", ")}`
      : "no serial ports found; is the board plugged in (and its USB driver loaded)?",
  );
}

/** "esp32s3" → "ESP32-S3", "esp32" → "ESP32"; esptool's own names pass through. */
export function esptoolChipName(chip: string): string {
  const match = /^esp32[-_]?([a-z]\d+)?$/i.exec(chip.trim());
  if (!match) return chip.trim().toUpperCase();
  return match[1] ? `ESP32-${match[1].toUpperCase()}` : "ESP32";
}

function checkChip(options: FlashOptions, found: string): void {
  if (options.chip === undefined) return;
  const expected = esptoolChipName(options.chip);
  if (found !== expected) {
    throw new FlashError(
      "wrong-chip",
      `${options.port} has an ${found}, but the board has an ${expected}`,
      "check --board, or whether another board is on that port",
    );
  }
}

function checkFlashSize(options: FlashOptions, detected: string | undefined): void {
  if (options.flashSizeBytes === undefined || detected === undefined) return;
  const match = /^(\d+)(KB|MB)$/.exec(detected);
  if (!match) return;
  const bytes = Number(match[1]) * (match[2] === "MB" ? 1024 * 1024 : 1024);
  if (bytes < options.flashSizeBytes) {
    throw new FlashError(
      "flash-too-small",
      `the flash on ${options.port} is ${detected}, but the board has ${options.flashSizeBytes / (1024 * 1024)} MB`,
      "check --board: this looks like a different board",
    );
  }
}

export interface FailureContext {
  port: string;
  before: ResetMode;
  /** The port went away during the run. */
  lost: boolean;
  signalsSupported: boolean;
  stage: string;
  image?: FlashImage;
}

/** One FlashError for whatever went wrong; exported so each mapping can be tested on its own. */
export function explainFailure(error: unknown, context: FailureContext): FlashError {
  if (error instanceof FlashError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (context.lost || error instanceof PortLostError) {
    return new FlashError(
      "disconnected",
      context.stage === "writing" ? "the port closed mid-flash" : `the port closed while ${context.stage}`,
      "check the cable and run again — flashing is safe to retry",
    );
  }
  if (error instanceof PortOpenError) {
    switch (error.failure) {
      case "not-found":
        return portNotFound(context.port, []);
      case "permission":
        return new FlashError(
          "permission-denied",
          `${context.port}: permission denied`,
          "add yourself to the dialout group (sudo usermod -aG dialout $USER), then log in again",
        );
      case "busy":
        return new FlashError(
          "port-busy",
          `${context.port} is in use by another program`,
          "close the serial monitor or other tool that has it open, then run again",
        );
      default:
        return new FlashError("protocol", `cannot open ${context.port}: ${message}`, "check the port");
    }
  }
  if (/Failed to connect with the device/i.test(message)) {
    return new FlashError(
      "no-answer",
      `no answer from the bootloader on ${context.port}`,
      context.before === "no_reset" || !context.signalsSupported
        ? "put the board in its bootloader: hold BOOT and tap RESET, then run again"
        : "hold BOOT and tap RESET, or use --before no_reset",
    );
  }
  if (/MD5 of file does not match/i.test(message)) {
    const where = context.image ? `${context.image.name} at 0x${context.image.address.toString(16)}` : "an image";
    return new FlashError(
      "verify-failed",
      `${where} did not verify: the flash does not hold what was sent (MD5 mismatch)`,
      "run again; if it keeps failing, suspect the cable or the flash chip",
    );
  }
  if (/Unexpected (chip ID|CHIP magic)/i.test(message)) {
    return new FlashError(
      "wrong-chip",
      `${context.port} answers as a chip esptool-js does not know (${message})`,
      "meshstack flashes ESP32, ESP32-S3 and ESP32-C3 boards",
    );
  }
  return new FlashError(
    "protocol",
    `the bootloader on ${context.port} failed while ${context.stage}: ${message.split("\n")[0]}`,
    "run again; if it keeps failing, try a lower --baud",
  );
}
