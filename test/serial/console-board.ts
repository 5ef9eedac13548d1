// A node with its serial console in one stack.wasm instance, wired as a board would be: UDP for its
// radio (no chip needed), the console's UART as a byte channel a BoardClient can speak over.
import { blake2b } from "@noble/hashes/blake2.js";
import type { ByteChannel } from "../../host/serial/board-client.js";
import { WasmConsole } from "../../host/serial/wasm-console.js";
import { type NodeHandles, RadioKind, Stack } from "../../host/wasm/stack.js";

export interface ConsoleBoardOptions {
  seed?: number;
  boardName?: string;
  bootLogs?: boolean;
  /** Start the console (default true); false leaves it for the test. */
  start?: boolean;
  /** Where the node's UDP frames go (default: kept in `udpFrames`). */
  onUdpSend?: (frame: Uint8Array) => boolean;
  /** Run the Availability layer with this strategy (default: Integrity on top). */
  routing?: "flooding" | "nexthop" | "electric";
}

export interface ConsoleBoard {
  stack: Stack;
  console: WasmConsole;
  node: NodeHandles & { publicKey: Uint8Array };
  /** Every chunk the console wrote to its UART, in order. */
  uart: Uint8Array[];
  udpFrames: Uint8Array[];
  reboots: number;
  /** The board's clock, ms; tests move it. */
  nowMs: number;
  /** The host's side of the UART: writes reach consoleReceive (then a poll), output arrives asynchronously. */
  channel: ByteChannel;
  /** Hands the console bytes and polls, as the board's main loop would. */
  feed(bytes: Uint8Array): number;
  poll(): number;
  /** All UART output so far as one array. */
  output(): Uint8Array;
}

export function seedFor(label: string): Uint8Array {
  return blake2b(new TextEncoder().encode(`meshstack serial test ${label}`), { dkLen: 32 });
}

export async function consoleBoard(options: ConsoleBoardOptions = {}): Promise<ConsoleBoard> {
  const listeners: ((bytes: Uint8Array) => void)[] = [];
  let closed = false;
  const board = {
    uart: [] as Uint8Array[],
    udpFrames: [] as Uint8Array[],
    reboots: 0,
    nowMs: 1000,
  } as ConsoleBoard;
  const stack = await Stack.load({
    onUdpSend:
      options.onUdpSend ??
      ((frame) => {
        board.udpFrames.push(frame);
        return true;
      }),
    onUartWrite: (bytes) => {
      board.uart.push(bytes);
      // A real UART delivers later, never inside the call that wrote: no listener may re-enter the
      // WASM while it runs.
      queueMicrotask(() => {
        if (!closed) for (const listener of listeners) listener(bytes);
      });
    },
    onReboot: () => {
      board.reboots++;
    },
  });
  const node = stack.createNode({
    radio: RadioKind.Udp,
    identitySeed: seedFor(`node ${options.seed ?? 1}`),
    seed: options.seed ?? 1,
    routing: options.routing,
  });
  const wasmConsole = new WasmConsole(stack);
  if (options.boardName !== undefined) wasmConsole.setBoardName(options.boardName);
  if (options.start ?? true) wasmConsole.start(options.bootLogs ?? true);
  Object.assign(board, {
    stack,
    console: wasmConsole,
    node,
    feed(bytes: Uint8Array): number {
      const frames = wasmConsole.receive(bytes);
      wasmConsole.poll(board.nowMs);
      return frames;
    },
    poll(): number {
      return wasmConsole.poll(board.nowMs);
    },
    output(): Uint8Array {
      return new Uint8Array(Buffer.concat(board.uart));
    },
    channel: {
      write(bytes: Uint8Array): void {
        if (closed) throw new Error("channel closed");
        board.feed(bytes);
      },
      onData(listener: (bytes: Uint8Array) => void): void {
        listeners.push(listener);
      },
      close(): void {
        closed = true;
      },
    },
  });
  return board;
}
