// What runs on a virtual board once it has booted: the stack image from its flash as one stack.wasm
// instance, its radio driver talking to a chip model on the shared air, its console on the UART.
// Polled at the deadlines the stack returns and whenever the radio raises its interrupt line, like
// the main loop of firmware/native would be.

import { WasmConsole } from "../serial/wasm-console.js";
import { Sx1262Model } from "../sim/chips/sx1262-model.js";
import { Sx1276Model } from "../sim/chips/sx1276-model.js";
import { RadioKind, Stack } from "../wasm/stack.js";
import type { SharedAir } from "./shared-air.js";

/**
 * How virtual boards route: electric, as the firmware's boards do (docs/routing.md). Simulated
 * neighbours on the same air must run the same strategy to understand each other.
 */
export const VIRTUAL_BOARD_ROUTING = "electric" as const;

export interface BoardRadio {
  chip: "sx1262" | "sx1276";
  tcxoMillivolts: number;
  dio2AsRfSwitch: boolean;
  presetIndex: number;
  regionIndex: number;
  txPowerDbm: number;
}

export interface BoardRuntimeOptions {
  /** The stack image's WASM, as found in flash. */
  wasm: Uint8Array;
  boardName: string;
  radio: BoardRadio;
  /** Identity seed from the board's key storage. */
  identitySeed: Uint8Array;
  air: SharedAir;
  position: { xMetres: number; yMetres: number };
  /** Bytes the firmware writes to its UART. */
  uartWrite: (bytes: Uint8Array) => void;
  /** The firmware asked to restart. */
  onReboot: () => void;
  seed: number;
}

export class BoardRuntime {
  private wakeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private polling = false;

  private constructor(
    private readonly serialConsole: WasmConsole,
    private readonly air: SharedAir,
    private readonly chip: Sx1262Model | Sx1276Model,
  ) {}

  static async start(options: BoardRuntimeOptions): Promise<BoardRuntime> {
    const { air, radio } = options;
    const nodeIndex = air.allocateNode();
    const chip =
      radio.chip === "sx1262"
        ? new Sx1262Model(air.channel, { nodeIndex, boardTcxoMillivolts: radio.tcxoMillivolts })
        : new Sx1276Model(air.channel, nodeIndex);
    air.channel.attach(chip, options.position);
    let stackRef: Stack | undefined;
    const stack = await Stack.load({
      wasmBytes: options.wasm,
      busDevices: new Map([[0, chip]]),
      extraImports: {
        uart: {
          write: (pointer: number, length: number) => {
            options.uartWrite(stackRef!.instance.bytes().slice(pointer, pointer + length));
          },
        },
        system: { reboot: () => options.onReboot() },
      },
    });
    stackRef = stack;
    stack.createNode({
      radio: radio.chip === "sx1262" ? RadioKind.Sx1262 : RadioKind.Sx1276,
      identitySeed: options.identitySeed,
      presetIndex: radio.presetIndex,
      regionIndex: radio.regionIndex,
      txPowerDbm: radio.txPowerDbm,
      tcxoMillivolts: radio.tcxoMillivolts,
      dio2AsRfSwitch: radio.dio2AsRfSwitch,
      seed: options.seed,
      routing: VIRTUAL_BOARD_ROUTING,
    });
    const serialConsole = new WasmConsole(stack);
    serialConsole.setBoardName(options.boardName);
    serialConsole.start(true);
    const runtime = new BoardRuntime(serialConsole, air, chip);
    chip.onInterrupt = () => runtime.wakeSoon();
    runtime.wake();
    return runtime;
  }

  /** Bytes from the host's side of the serial port. */
  receive(bytes: Uint8Array): void {
    if (this.stopped) return;
    this.serialConsole.receive(bytes);
    this.wakeSoon();
  }

  /** Powers the board's radio down and stops polling (reset, reflash). */
  stop(): void {
    this.stopped = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.chip.onInterrupt = undefined;
    // Holding the chip in reset takes it off the air.
    this.chip.gpioWrite(0, 0);
  }

  private wakeSoon(): void {
    if (this.stopped) return;
    setImmediate(() => this.wake());
  }

  private wake(): void {
    if (this.stopped || this.polling) return;
    this.polling = true;
    try {
      this.air.catchUp();
      const deadline = this.serialConsole.poll(this.air.nowMs());
      if (this.wakeTimer) clearTimeout(this.wakeTimer);
      if (deadline >= 0 && deadline < 9e15) {
        const delay = Math.max(1, deadline - this.air.nowMs());
        this.wakeTimer = setTimeout(() => this.wake(), delay);
      }
    } finally {
      this.polling = false;
    }
  }
}
