// Two virtual boards on one shared air, for `mesh hil` when no board is attached (and for npm test).
import { findBoard } from "../../boards/index.js";
import { SharedAir } from "../vboard/shared-air.js";
import { VirtualBoard } from "../vboard/virtual-board.js";
import type { HilTarget } from "./suite.js";

export interface VirtualBench {
  targets: HilTarget[];
  boards: VirtualBoard[];
  /** The channel the boards share (tests disturb it). */
  air: SharedAir;
  close(): Promise<void>;
}

/** Starts `count` erased virtual boards 100 m apart; the suite flashes them like real ones. */
export async function startVirtualBench(count = 2): Promise<VirtualBench> {
  const board = findBoard("virtual");
  if (!board) throw new Error("no 'virtual' board definition");
  const air = new SharedAir();
  air.start();
  const boards: VirtualBoard[] = [];
  for (let i = 0; i < count; i++) {
    boards.push(await VirtualBoard.start({ board, air, position: { xMetres: i * 100, yMetres: 0 } }));
  }
  return {
    boards,
    air,
    targets: boards.map((b) => ({ port: b.hostPath, board, virtual: true })),
    close: async () => {
      for (const b of boards) await b.close();
      air.stop();
    },
  };
}
