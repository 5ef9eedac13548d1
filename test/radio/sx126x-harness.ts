// Shared set-up of the SX126x driver tests: SX1262 models on a loopback medium, each on its own SPI
// bus of one stack instance, with every SPI transaction recorded.

import { Sx1262Model, type Sx1262ModelOptions } from "../../host/sim/chips/sx1262-model.js";
import { LoopbackTestMedium } from "../../host/sim/chips/test-medium.js";
import type { BusDevice } from "../../host/sim/radio-medium.js";
import type { SpiTransaction } from "../../host/wasm/bus-imports.js";
import { type RadioDriver, type RadioSettings, RadioStack } from "../../host/wasm/radio.js";

export interface Sx1262Bench {
  stack: RadioStack;
  medium: LoopbackTestMedium;
  models: Sx1262Model[];
  radios: RadioDriver[];
  /** Every SPI transaction, all buses, in order. */
  transfers: SpiTransaction[];
  /** The transactions on `bus` since the last `clear()`, as hex strings ("c0 00"). */
  sent(bus?: number): string[];
  clear(): void;
}

/** `count` SX1262 models on buses 0, 1, …, each with a driver. */
export async function sx1262Bench(count = 1, options: Sx1262ModelOptions = {}): Promise<Sx1262Bench> {
  const medium = new LoopbackTestMedium();
  const models: Sx1262Model[] = [];
  const devices = new Map<number, BusDevice>();
  for (let bus = 0; bus < count; bus++) {
    const model = new Sx1262Model(medium, { ...options, nodeIndex: bus });
    medium.attach(model);
    models.push(model);
    devices.set(bus, model);
  }
  const transfers: SpiTransaction[] = [];
  const stack = await RadioStack.load(devices, { onTransfer: (t) => transfers.push(t) });
  const radios = models.map((_, bus) => stack.createRadio("sx1262", bus));
  return {
    stack,
    medium,
    models,
    radios,
    transfers,
    sent: (bus = 0) => transfers.filter((t) => t.bus === bus).map((t) => hex(t.tx)),
    clear: () => {
      transfers.length = 0;
    },
  };
}

/** A stack whose only radio sits on `device` (a fault-injecting BusDevice). */
export async function driverOn(device: BusDevice): Promise<{ radio: RadioDriver; transfers: SpiTransaction[] }> {
  const transfers: SpiTransaction[] = [];
  const stack = await RadioStack.load(new Map([[0, device]]), { onTransfer: (t) => transfers.push(t) });
  return { radio: stack.createRadio("sx1262", 0), transfers };
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** The EU868 LoRa settings of the tests, SF7BW125 at 869.525 MHz: what any chip is given. */
export const EU868_LORA: RadioSettings = {
  frequencyHz: 869_525_000,
  spreadingFactor: 7,
  bandwidthHz: 125_000,
  codingRateDenominator: 5,
  preambleLength: 16,
  syncWord: 0x12,
  txPowerDbm: 14,
};

/** EU868 board of the begin() sequence test: a TCXO at 1.8 V on DIO3 and the RF switch on DIO2. */
export const EU868_BOARD: RadioSettings = { ...EU868_LORA, tcxoMillivolts: 1800, dio2AsRfSwitch: true };
