// Every board meshstack knows, and lookup by name. Adding a board: one file in boards/ citing its
// sources, then one line here; test/boards/boards.test.ts checks it like the others.
import type { BoardDefinition } from "./board.js";
import { heltecHtCt62 } from "./heltec-ht-ct62.js";
import { heltecWifiLora32V3 } from "./heltec-wifi-lora-32-v3.js";
import { lilygoTBeamSx1262 } from "./lilygo-t-beam-sx1262.js";
import { lilygoTBeamSx1276 } from "./lilygo-t-beam-sx1276.js";
import { lilygoT3V161 } from "./lilygo-t3-v1-6-1.js";
import { seeedXiaoEsp32s3WioSx1262 } from "./seeed-xiao-esp32s3-wio-sx1262.js";
import { virtualBoard } from "./virtual.js";

export type { BoardDefinition } from "./board.js";

export const boards: readonly BoardDefinition[] = [
  heltecWifiLora32V3,
  lilygoTBeamSx1276,
  lilygoTBeamSx1262,
  lilygoT3V161,
  seeedXiaoEsp32s3WioSx1262,
  heltecHtCt62,
  virtualBoard,
];

/** The board named `name` (its slug, case-insensitive), or undefined. */
export function findBoard(name: string): BoardDefinition | undefined {
  const wanted = name.trim().toLowerCase();
  return boards.find((board) => board.name === wanted);
}
