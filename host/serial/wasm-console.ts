// Host binding of the board side of the serial console (firmware/exports/console-api.ts): drives the
// console of a stack.wasm instance that runs a node, as a board's main loop would. Its output arrives
// through the instance's `uart.write` import (StackOptions.onUartWrite).
import type { Stack } from "../wasm/stack.js";

interface ConsoleExports {
  ioDataPointer(): number;
  ioDataSize(): number;
  consoleSetBoardName(length: number): number;
  consoleStart(bootLogs: number): number;
  consoleReceive(length: number): number;
  consolePoll(nowMs: number): number;
}

const startErrors: Record<number, string> = {
  [-1]: "no node: call createNode first",
  [-2]: "the console is already started",
};

export class WasmConsole {
  private readonly x: ConsoleExports;

  constructor(private readonly stack: Stack) {
    this.x = stack.instance.exports as unknown as ConsoleExports;
  }

  /** The name in the banner and Identity: 1–32 printable bytes, no spaces. */
  setBoardName(name: string): void {
    const bytes = new TextEncoder().encode(name);
    if (bytes.length > this.x.ioDataSize()) throw new RangeError("board name: too long");
    this.stack.instance.bytes().set(bytes, this.x.ioDataPointer());
    if (this.x.consoleSetBoardName(bytes.length) !== 0) {
      throw new RangeError(`board name: '${name}' is not 1–32 printable bytes without spaces`);
    }
  }

  /** Starts the console on the instance's node; it prints its banner through uart.write. */
  start(bootLogs = true): void {
    const result = this.x.consoleStart(bootLogs ? 1 : 0);
    if (result !== 0) throw new Error(`console: ${startErrors[result] ?? `error ${result}`}`);
  }

  /** Hands UART bytes to the console (in chunks of the I/O area); returns the frames they completed. */
  receive(bytes: Uint8Array): number {
    const size = this.x.ioDataSize();
    let frames = 0;
    for (let at = 0; at < bytes.length; at += size) {
      const chunk = bytes.subarray(at, at + size);
      this.stack.instance.bytes().set(chunk, this.x.ioDataPointer());
      const result = this.x.consoleReceive(chunk.length);
      if (result < 0) throw new Error("console: not started");
      frames += result;
    }
    return frames;
  }

  /** Polls the node and the console; returns the next deadline in ms. */
  poll(nowMs: number): number {
    return this.x.consolePoll(nowMs);
  }
}
