// Test support: an emulated ESP bootloader on the board end of a real pseudo-terminal pair, so host
// tools reach it through `hostPath` exactly as they would reach a board on /dev/ttyUSB0.
import { SerialPort } from "serialport";
import type { ChipName } from "../../host/vboard/chips.js";
import type { FlashMemory } from "../../host/vboard/flash-memory.js";
import { openPtyPair, type PtyPair } from "../../host/vboard/pty.js";
import { type LoaderMode, RomLoaderEmulator } from "../../host/vboard/rom-loader.js";

export interface EmulatedBoard {
  hostPath: string;
  pair: PtyPair;
  emulator: RomLoaderEmulator;
  /** Resolves when the loader hands over to the flashed firmware. */
  ranUserCode: Promise<void>;
  /** The cable comes out: nothing more reaches the host, and the host's port hangs up. */
  unplug(): Promise<void>;
  close(): Promise<void>;
}

export interface EmulatedBoardOptions {
  chip: ChipName;
  flash: FlashMemory;
  faults?: { corruptFlashWrite?: boolean };
  onCommand?: (command: number, mode: LoaderMode, board: EmulatedBoard) => void;
}

export async function startEmulatedBoard(options: EmulatedBoardOptions): Promise<EmulatedBoard> {
  const pair = await openPtyPair();
  const port = new SerialPort({ path: pair.boardPath, baudRate: 115200, autoOpen: false });
  try {
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    await pair.close();
    throw error;
  }
  // The far end going away is expected in some tests; it must not become an unhandled error.
  port.on("error", () => {});
  let ranUserCode!: () => void;
  let plugged = true;
  const board: EmulatedBoard = {
    hostPath: pair.hostPath,
    pair,
    emulator: undefined as unknown as RomLoaderEmulator,
    ranUserCode: new Promise<void>((resolve) => {
      ranUserCode = resolve;
    }),
    unplug() {
      plugged = false;
      return pair.close();
    },
    async close() {
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
      await pair.close();
    },
  };
  board.emulator = new RomLoaderEmulator({
    chip: options.chip,
    flash: options.flash,
    faults: options.faults,
    write: (bytes) => {
      if (plugged && port.isOpen) port.write(Buffer.from(bytes));
    },
    onRunUserCode: () => ranUserCode(),
    onCommand: options.onCommand ? (command, mode) => options.onCommand!(command, mode, board) : undefined,
  });
  port.on("data", (chunk: Buffer) => board.emulator.receive(new Uint8Array(chunk)));
  return board;
}
