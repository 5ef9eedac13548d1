// A virtual board: an emulated ESP32-family board behind a pseudo-terminal. It behaves like the real
// thing on the wire — the ESP ROM serial bootloader (and flasher stub) when it sees SYNC, a boot log
// and then the meshstack console when it runs what is in its flash — so `mesh flash`, `mesh monitor`
// and `mesh hil` take the same paths to it as to a board on a USB cable.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { type BoardDefinition, KEY_STORAGE_LABEL, STACK_PARTITION_LABEL } from "../../boards/board.js";
import { parseMeshImage } from "../image/mesh-image.js";
import { decodePartitionTable } from "../image/partition-table.js";
import { loadLoRaTables } from "../wasm/lora-tables.js";
import { BoardRuntime } from "./board-runtime.js";
import { FlashMemory } from "./flash-memory.js";
import { openPtyPair, type PtyPair } from "./pty.js";
import { RomLoaderEmulator } from "./rom-loader.js";
import type { SharedAir } from "./shared-air.js";

/** SLIP frame start, direction "request", command SYNC: how every esptool session begins. */
const SYNC_PREFIX = Uint8Array.of(0xc0, 0x00, 0x08);
/** The identity seed lives at the start of the key-storage partition, as the NVS port keeps it. */
const IDENTITY_SEED_BYTES = 32;

export type BoardMode = "download" | "running" | "halted";

export interface VirtualBoardOptions {
  board: BoardDefinition;
  air: SharedAir;
  /** File holding the board's flash (created erased if missing). Default: a temporary file, removed by close(). */
  flashPath?: string;
  position?: { xMetres: number; yMetres: number };
  /** LoRa preset name (default SF7BW125) and region (default: the board's). */
  preset?: string;
  region?: string;
  /** Diagnostics for the process running the board (not what goes over the serial port). */
  onEvent?: (text: string) => void;
}

export class VirtualBoard {
  private modeValue: BoardMode = "halted";
  private runtime: BoardRuntime | undefined;
  private booting: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly options: VirtualBoardOptions,
    private readonly pty: PtyPair,
    private readonly port: SerialPort,
    readonly flash: FlashMemory,
    readonly flashPath: string,
    private readonly rom: RomLoaderEmulator,
    /** The directory made for a flash file nobody asked to keep; removed by close(). */
    private readonly temporaryDirectory: string | undefined,
  ) {}

  /** The end a host tool opens, like /dev/ttyUSB0. */
  get hostPath(): string {
    return this.pty.hostPath;
  }

  get mode(): BoardMode {
    return this.modeValue;
  }

  static async start(options: VirtualBoardOptions): Promise<VirtualBoard> {
    const pty = await openPtyPair();
    const port = await new Promise<SerialPort>((resolve, reject) => {
      const opened = new SerialPort({ path: pty.boardPath, baudRate: 115200 }, (error) =>
        error ? reject(error) : resolve(opened),
      );
    });
    // Without a flash file the board's flash lives only as long as the board, like the pty.
    const temporaryDirectory = options.flashPath ? undefined : mkdtempSync(join(tmpdir(), "meshstack-flash-"));
    const flashPath = options.flashPath ?? join(temporaryDirectory!, "flash.bin");
    const flash = FlashMemory.openFile(flashPath, options.board.flashBytes);
    let board: VirtualBoard | undefined;
    const rom = new RomLoaderEmulator({
      chip: options.board.mcu,
      flash,
      write: (bytes) => port.write(Buffer.from(bytes)),
      onRunUserCode: () => board?.reset("soft reset"),
    });
    board = new VirtualBoard(options, pty, port, flash, flashPath, rom, temporaryDirectory);
    port.on("data", (chunk: Buffer) => board!.onSerial(new Uint8Array(chunk)));
    board.reset("power on");
    return board;
  }

  /** Restarts the board, as the EN/RESET button does: boot log, then whatever the flash holds. */
  reset(reason: "power on" | "soft reset" | "reboot"): void {
    this.booting = this.booting.then(() => this.boot(reason)).catch((error) => this.event(`boot failed: ${error}`));
  }

  /** Waits for a boot in progress (tests). */
  async settled(): Promise<void> {
    await this.booting;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.runtime?.stop();
    await this.booting;
    await new Promise<void>((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
    this.flash.flush();
    this.flash.close();
    if (this.temporaryDirectory) rmSync(this.temporaryDirectory, { recursive: true, force: true });
    await this.pty.close();
  }

  private event(text: string): void {
    this.options.onEvent?.(text);
  }

  private writeText(text: string): void {
    if (!this.closed) this.port.write(Buffer.from(text.replace(/\n/g, "\r\n"), "utf8"));
  }

  private onSerial(bytes: Uint8Array): void {
    if (this.modeValue !== "download") {
      const sync = indexOf(bytes, SYNC_PREFIX);
      if (sync < 0) {
        if (this.modeValue === "running") this.runtime?.receive(bytes);
        return;
      }
      // A real board enters its ROM loader when DTR/RTS pull GPIO0 low across a reset; a
      // pseudo-terminal has no modem lines, so SYNC itself is the signal.
      this.enterDownloadMode();
      bytes = bytes.subarray(sync);
    }
    this.rom.receive(bytes);
  }

  private enterDownloadMode(): void {
    this.runtime?.stop();
    this.runtime = undefined;
    this.modeValue = "download";
    this.rom.reset();
    this.event("entered the serial bootloader (download mode)");
  }

  private async boot(reason: "power on" | "soft reset" | "reboot"): Promise<void> {
    if (this.closed) return;
    this.runtime?.stop();
    this.runtime = undefined;
    this.modeValue = "halted";
    const { board } = this.options;
    const resetCause = reason === "power on" ? "rst:0x1 (POWERON)" : "rst:0xc (RTC_SW_CPU_RST)";
    this.writeText(`ESP-ROM:${board.mcu}-virtual\n${resetCause},boot:0x8 (SPI_FAST_FLASH_BOOT)\n`);
    this.writeText(`I (0) boot: meshstack virtual bootloader, board ${board.name}\n`);

    const table = decodePartitionTable(this.flash.read(board.flash.partitionTable.offset, 0xc00));
    if (!table.ok) {
      this.writeText(`E (12) boot: ${table.message}; flash the board with \`mesh flash\`\n`);
      this.event(`halted: ${table.message}`);
      return;
    }
    const stack = table.entries.find((p) => p.label === STACK_PARTITION_LABEL);
    if (!stack) {
      this.writeText(`E (14) boot: no '${STACK_PARTITION_LABEL}' partition in the partition table\n`);
      return;
    }
    const parsed = parseMeshImage(this.flash.read(stack.offset, stack.size));
    if (!parsed.ok) {
      this.writeText(`E (20) meshstack: cannot load the stack image: ${parsed.message}\n`);
      this.event(`halted: ${parsed.message}`);
      return;
    }
    this.writeText(
      `I (25) meshstack: stack image ${parsed.image.buildId}, ${parsed.image.wasm.length} bytes of WebAssembly\n`,
    );
    const tables = await loadLoRaTables();
    const presetName = this.options.preset ?? "SF7BW125";
    const regionName = this.options.region ?? board.defaultRegion;
    const runtime = await BoardRuntime.start({
      wasm: parsed.image.wasm,
      boardName: board.name,
      radio: {
        chip: board.radio.chip,
        tcxoMillivolts: board.radio.tcxoMillivolts,
        dio2AsRfSwitch: board.radio.rfSwitch.dio2,
        presetIndex: Math.max(
          0,
          tables.presets.findIndex((p) => p.name === presetName),
        ),
        regionIndex: Math.max(
          0,
          tables.regions.findIndex((r) => r.name === regionName),
        ),
        txPowerDbm: 14,
      },
      identitySeed: this.identitySeed(table.entries),
      air: this.options.air,
      position: this.options.position ?? { xMetres: 0, yMetres: 0 },
      uartWrite: (bytes) => {
        if (!this.closed) this.port.write(Buffer.from(bytes));
      },
      onReboot: () => this.reset("reboot"),
      seed: randomBytes(4).readUInt32LE(0),
    });
    if (this.closed || (this.modeValue as BoardMode) === "download") {
      runtime.stop();
      return;
    }
    this.runtime = runtime;
    this.modeValue = "running";
    this.event(`running ${parsed.image.buildId}`);
  }

  /**
   * The node's identity seed from key storage; a board with none makes one on first boot and keeps
   * it there, so reflashing the stack keeps its identity (as NVS does on a real board).
   */
  private identitySeed(partitions: readonly { label: string; offset: number; size: number }[]): Uint8Array {
    const storage = partitions.find((p) => p.label === KEY_STORAGE_LABEL);
    if (!storage) return randomBytes(IDENTITY_SEED_BYTES);
    const stored = this.flash.read(storage.offset, IDENTITY_SEED_BYTES);
    if (stored.some((byte) => byte !== 0xff)) return stored;
    const seed = new Uint8Array(randomBytes(IDENTITY_SEED_BYTES));
    this.flash.write(storage.offset, seed);
    this.flash.flush();
    return seed;
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
