// A QEMU board behind a pseudo-terminal: the native firmware under qemu-system-riscv32, its UART
// split by the demultiplexer into the console (on the pty `mesh monitor` and `mesh hil` open, as
// for every other virtual board) and the bus tunnel, whose server drives an SX1262 chip model on the
// same shared air as the Node virtual boards and simulated nodes.
import { SerialPort } from "serialport";
import { encodeFrame } from "../serial/frame-codec.js";
import { Sx1262Model } from "../sim/chips/sx1262-model.js";
import { Pin } from "../sim/radio-medium.js";
import { openPtyPair, type PtyPair } from "../vboard/pty.js";
import type { SharedAir } from "../vboard/shared-air.js";
import { ConsoleInputAligner } from "./console-input-aligner.js";
import { FileKeyStorage, type KeyStorage, MemoryKeyStorage } from "./key-storage.js";
import { checkQemuPrerequisites, QemuProcess } from "./qemu-process.js";
import { QEMU_RADIO_TCXO_MILLIVOLTS } from "./qemu-rv32-board.js";
import { TunnelServer } from "./tunnel-server.js";
import { UartDemultiplexer } from "./uart-demultiplexer.js";

/** Quiet this long with a partial frame held from the board: see UartDemultiplexer.onStall. */
const STALL_MS = 500;
/** QEMU exiting this often within RESTART_WINDOW_MS means it cannot run the firmware: stop trying. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 10_000;
const RESTART_DELAY_MS = 100;

export interface QemuBoardOptions {
  /** The firmware ELF (build/native/qemu-rv32/firmware.elf). */
  elfPath: string;
  air: SharedAir;
  position?: { xMetres: number; yMetres: number };
  /**
   * File keeping the board's key storage (identity seed) across restarts; default: in memory, a new
   * identity every time `mesh vboard` starts (as for a Node virtual board without --flash).
   */
  storagePath?: string;
  /** Diagnostics for the process running the board (not what goes over the serial port). */
  onEvent?: (text: string) => void;
  qemuBinary?: string;
  icountShift?: number;
  /** Prepares the key storage before the firmware first boots (stored radio settings). */
  beforeBoot?: (storage: KeyStorage) => void;
}

export class QemuBoard {
  private closed = false;
  private restarts: number[] = [];
  private stallTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly options: QemuBoardOptions,
    private readonly pty: PtyPair,
    private readonly port: SerialPort,
    private readonly qemu: QemuProcess,
    private readonly demultiplexer: UartDemultiplexer,
    private readonly aligner: ConsoleInputAligner,
    readonly tunnel: TunnelServer,
    readonly chip: Sx1262Model,
    readonly storage: KeyStorage,
  ) {}

  /** The end a host tool opens, like /dev/ttyUSB0. */
  get hostPath(): string {
    return this.pty.hostPath;
  }

  get running(): boolean {
    return this.qemu.running;
  }

  /** Starts QEMU with the firmware; rejects with a NativeBoardError (one line) when it cannot. */
  static async start(options: QemuBoardOptions): Promise<QemuBoard> {
    // Checked before anything is opened, so a missing QEMU or ELF leaves nothing behind.
    checkQemuPrerequisites(options.elfPath, options.qemuBinary);
    const { air } = options;
    const nodeIndex = air.allocateNode();
    const chip = new Sx1262Model(air.channel, { nodeIndex, boardTcxoMillivolts: QEMU_RADIO_TCXO_MILLIVOLTS });
    air.channel.attach(chip, options.position ?? { xMetres: 0, yMetres: 0 });
    const storage = options.storagePath ? new FileKeyStorage(options.storagePath) : new MemoryKeyStorage();
    options.beforeBoot?.(storage);

    const pty = await openPtyPair();
    const port = await new Promise<SerialPort>((resolve, reject) => {
      const opened = new SerialPort({ path: pty.boardPath, baudRate: 115200 }, (error) =>
        error ? reject(error) : resolve(opened),
      );
    });
    let board: QemuBoard | undefined;
    const qemu = new QemuProcess({
      elfPath: options.elfPath,
      qemuBinary: options.qemuBinary,
      icountShift: options.icountShift,
      onOutput: (bytes) => board?.fromUart(bytes),
      onExit: (code, signal, stderr) => board?.onQemuExit(code, signal, stderr),
    });
    const tunnel = new TunnelServer({
      devices: new Map([[0, chip]]),
      storage,
      send: (payload) => qemu.write(encodeFrame(payload)),
      beforeRequest: () => air.catchUp(),
      onBadRequest: (reason) => options.onEvent?.(`tunnel: refused a request: ${reason}`),
    });
    const demultiplexer = new UartDemultiplexer({
      console: (bytes) => {
        if (!board?.closed) port.write(Buffer.from(bytes));
      },
      busRequest: (payload) => tunnel.handle(payload),
    });
    const aligner = new ConsoleInputAligner((bytes) => qemu.write(bytes));
    board = new QemuBoard(options, pty, port, qemu, demultiplexer, aligner, tunnel, chip, storage);
    port.on("data", (chunk: Buffer) => board!.fromConsole(new Uint8Array(chunk)));
    try {
      await qemu.start();
    } catch (error) {
      await board.close();
      throw error;
    }
    board.event(`QEMU running ${options.elfPath}`);
    return board;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.stallTimer);
    await this.qemu.stop();
    this.tunnel.detach();
    this.powerDownRadio();
    await new Promise<void>((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
    await this.pty.close();
  }

  private event(text: string): void {
    this.options.onEvent?.(text);
  }

  /** Holding the chip in reset takes it off the air, as a board without power would be. */
  private powerDownRadio(): void {
    this.chip.gpioWrite(Pin.Reset, 0);
    this.demultiplexer.reset();
  }

  private fromUart(bytes: Uint8Array): void {
    if (this.closed) return;
    this.demultiplexer.push(bytes);
    clearTimeout(this.stallTimer);
    if (this.demultiplexer.pendingBytes() > 0) {
      this.stallTimer = setTimeout(() => this.demultiplexer.onStall(), STALL_MS);
    }
  }

  private fromConsole(bytes: Uint8Array): void {
    if (this.closed) return;
    this.aligner.push(bytes);
  }

  private onQemuExit(code: number | null, signal: NodeJS.Signals | null, stderr: string): void {
    if (this.closed) return;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    this.event(`QEMU exited (${how})${stderr ? `: ${stderr.split("\n")[0]}` : ""}`);
    this.powerDownRadio();
    const now = performance.now();
    this.restarts = this.restarts.filter((at) => now - at < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      this.event(`QEMU exited ${MAX_RESTARTS} times in ${RESTART_WINDOW_MS / 1000} s; not restarting it`);
      return;
    }
    this.restarts.push(now);
    setTimeout(() => {
      if (this.closed) return;
      this.qemu.start().then(
        () => this.event("QEMU restarted"),
        (error: Error) => this.event(`QEMU restart failed: ${error.message}`),
      );
    }, RESTART_DELAY_MS);
  }
}
