// Host-facing API of the serial console (docs/serial-protocol.md, "The board side"): one console per
// WASM instance, on the instance's node. The board's runtime hands it UART bytes through the I/O
// data area and polls it; the console writes through the imported `uart.write`.
import { currentNode, currentNodeSettings } from "../node/current-node";
import { BOARD_NAME_CAPACITY, Console, isValidBoardName } from "../serial/console";
import { IO_DATA_SIZE, ioDataPointer } from "./io-window";

export const enum ConsoleError {
  /** nodeCreate has not built a node yet. */
  NoNode = -1,
  AlreadyStarted = -2,
  BadArgument = -3,
}

let serialConsole: Console | null = null;
// The name may come before the console exists (it is printed in the banner), so it waits here.
const pendingBoardName: usize = memory.data(BOARD_NAME_CAPACITY);
let pendingBoardNameLength: i32 = 0;

/**
 * Sets the board name (`length` bytes at the start of the I/O data area: 1–32, printable, no
 * spaces), shown in the banner and in Identity. Call before consoleStart. Returns 0 or BadArgument.
 */
export function consoleSetBoardName(length: i32): i32 {
  const name = ioDataPointer();
  if (length < 0 || length > IO_DATA_SIZE || !isValidBoardName(name, length)) return ConsoleError.BadArgument;
  memory.copy(pendingBoardName, name, <usize>length);
  pendingBoardNameLength = length;
  const running = serialConsole;
  if (running !== null) running.setBoardName(name, length);
  return 0;
}

/**
 * Starts the console on the node nodeCreate built: allocates everything it will use and prints the
 * banner as plain text; `bootLogs` ≠ 0 adds a line on the radio and its settings. Returns 0,
 * NoNode or AlreadyStarted.
 */
export function consoleStart(bootLogs: i32): i32 {
  if (serialConsole !== null) return ConsoleError.AlreadyStarted;
  const node = currentNode();
  const settings = currentNodeSettings();
  if (node === null || settings === null) return ConsoleError.NoNode;
  const created = new Console(node, settings);
  if (pendingBoardNameLength > 0) created.setBoardName(pendingBoardName, pendingBoardNameLength);
  serialConsole = created;
  created.start(bootLogs != 0);
  return 0;
}

/**
 * Hands the console `length` bytes the UART received, placed at the start of the I/O data area.
 * Returns the number of valid frames they completed, or −1 (no console, bad length). Call
 * consolePoll afterwards: packets a Send queued leave at the poll, and so does a requested reboot.
 */
export function consoleReceive(length: i32): i32 {
  const running = serialConsole;
  if (running === null || length < 0 || length > IO_DATA_SIZE) return -1;
  return running.receive(ioDataPointer(), length);
}

/**
 * Polls the node's links and the console at `nowMs`; returns the next deadline in ms (9.2e18 when
 * none), or −1 without a console or with a time that is not a number.
 */
export function consolePoll(nowMs: f64): f64 {
  const running = serialConsole;
  // A NaN or infinite time would trap in the conversion to i64.
  if (running === null || !isFinite(nowMs) || nowMs < 0 || nowMs > 9.0e18) return -1;
  return <f64>running.poll(<i64>nowMs);
}
