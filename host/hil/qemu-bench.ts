// A QEMU board (the native firmware) and Node virtual boards on one shared air, for the HIL suite:
// the QEMU board is checked through its pseudo-terminal exactly as a board on USB would be, and
// exchanges radio packets with the Node boards, which run stack.wasm already in their flash.
import { readFileSync } from "node:fs";
import { findBoard } from "../../boards/index.js";
import { imagesForBoard } from "../image/mesh-image.js";
import { QemuBoard } from "../native/qemu-board.js";
import { qemuRv32Board } from "../native/qemu-rv32-board.js";
import { packageVersion } from "../package-info.js";
import { SharedAir } from "../vboard/shared-air.js";
import { VirtualBoard } from "../vboard/virtual-board.js";
import { stackWasmPath } from "../wasm/load-stack.js";
import type { HilTarget } from "./suite.js";

export interface QemuBench {
  /** The QEMU board first, then the Node boards; run the suite with `flash: false`. */
  targets: HilTarget[];
  qemu: QemuBoard;
  nodeBoards: VirtualBoard[];
  close(): Promise<void>;
}

export interface QemuBenchOptions {
  elfPath: string;
  /** Node virtual boards beside the QEMU board (default 1). */
  nodeBoards?: number;
  storagePath?: string;
  onEvent?: (text: string) => void;
}

/** Starts the boards 100 m apart; the Node boards boot the stack image written into their flash. */
export async function startQemuBench(options: QemuBenchOptions): Promise<QemuBench> {
  const air = new SharedAir();
  air.start();
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
    air.stop();
  };
  try {
    const qemu = await QemuBoard.start({
      elfPath: options.elfPath,
      air,
      position: { xMetres: 0, yMetres: 0 },
      storagePath: options.storagePath,
      onEvent: (text) => options.onEvent?.(`qemu: ${text}`),
    });
    closers.push(() => qemu.close());
    const board = findBoard("virtual");
    if (!board) throw new Error("no 'virtual' board definition");
    const wasm = new Uint8Array(readFileSync(stackWasmPath()));
    const nodeBoards: VirtualBoard[] = [];
    for (let i = 0; i < (options.nodeBoards ?? 1); i++) {
      const virtual = await VirtualBoard.start({
        board,
        air,
        position: { xMetres: (i + 1) * 100, yMetres: 0 },
      });
      closers.push(() => virtual.close());
      for (const image of imagesForBoard(board, wasm, { version: packageVersion() })) {
        virtual.flash.eraseRange(image.offset, image.data.length);
        virtual.flash.write(image.offset, image.data);
      }
      virtual.reset("power on");
      await virtual.settled();
      nodeBoards.push(virtual);
    }
    return {
      qemu,
      nodeBoards,
      targets: [
        { port: qemu.hostPath, board: qemuRv32Board, virtual: true },
        ...nodeBoards.map((b) => ({ port: b.hostPath, board, virtual: true })),
      ],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
