// The `bus` import module of stack.wasm (radio-drivers/bus.ts): routes each driver's SPI and GPIO
// calls to the BusDevice (a chip model, or a board bridge) registered for its bus number.
import type { BusDevice } from "../sim/radio-medium.js";

export type BusDevices = Map<number, BusDevice>;

/** One recorded SPI transaction: what the driver sent and what the device answered. */
export interface SpiTransaction {
  bus: number;
  tx: Uint8Array;
  rx: Uint8Array;
}

export interface BusImportOptions {
  /** Called with every SPI transaction, for tests that assert exact byte sequences. */
  onTransfer?: (transaction: SpiTransaction) => void;
}

export function createBusImports(
  memory: () => WebAssembly.Memory,
  devices: BusDevices,
  options: BusImportOptions = {},
): Record<string, WebAssembly.ImportValue> {
  const device = (bus: number): BusDevice => {
    const found = devices.get(bus);
    if (!found) throw new Error(`bus ${bus}: no radio attached`);
    return found;
  };
  return {
    spiTransfer(bus: number, tx: number, rx: number, length: number): void {
      const bytes = new Uint8Array(memory().buffer);
      const out = bytes.slice(tx, tx + length);
      const answer = device(bus).spiTransfer(out);
      if (answer.length !== length) throw new Error(`bus ${bus}: device answered ${answer.length} bytes for ${length}`);
      new Uint8Array(memory().buffer).set(answer, rx);
      options.onTransfer?.({ bus, tx: out, rx: answer.slice() });
    },
    gpioWrite(bus: number, pin: number, level: number): void {
      device(bus).gpioWrite(pin, level);
    },
    gpioRead(bus: number, pin: number): number {
      return device(bus).gpioRead(pin);
    },
    delayMicroseconds(bus: number, microseconds: number): void {
      device(bus).delayMicroseconds(microseconds);
    },
  };
}
