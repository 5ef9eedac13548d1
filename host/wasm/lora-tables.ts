// The LoRa presets and regions compiled into stack.wasm (firmware/exports/lora-api.ts), read once.
import { instantiateStack, type StackInstance } from "./load-stack.js";

export interface LoRaPresetInfo {
  index: number;
  name: string;
  spreadingFactor: number;
  bandwidthHz: number;
  codingRateDenominator: number;
}

export interface LoRaRegionInfo {
  index: number;
  name: string;
  defaultFrequencyHz: number;
  /** Duty cycle (‰) of the sub-band at `frequencyHz`, or undefined where transmitting is not allowed. */
  dutyCyclePermille(frequencyHz: number): number | undefined;
}

export interface LoRaTables {
  presets: LoRaPresetInfo[];
  regions: LoRaRegionInfo[];
}

interface LoRaExports {
  ioArgsPointer(): number;
  loraPresetCount(): number;
  loraPresetName(index: number): number;
  loraPresetParameter(index: number, which: number): number;
  loraRegionCount(): number;
  loraRegionName(index: number): number;
  loraRegionDefaultFrequencyHz(index: number): number;
  loraRegionDutyCyclePermille(index: number, frequencyHz: number): number;
}

let cached: Promise<LoRaTables> | undefined;

export function loadLoRaTables(): Promise<LoRaTables> {
  cached ??= instantiateStack().then(readTables);
  return cached;
}

function readTables(stack: StackInstance): LoRaTables {
  const x = stack.exports as unknown as LoRaExports;
  const name = (length: number) =>
    Buffer.from(stack.bytes().subarray(x.ioArgsPointer(), x.ioArgsPointer() + length)).toString("ascii");
  const presets: LoRaPresetInfo[] = [];
  for (let index = 0; index < x.loraPresetCount(); index++) {
    presets.push({
      index,
      name: name(x.loraPresetName(index)),
      spreadingFactor: x.loraPresetParameter(index, 0),
      bandwidthHz: x.loraPresetParameter(index, 1),
      codingRateDenominator: x.loraPresetParameter(index, 2),
    });
  }
  const regions: LoRaRegionInfo[] = [];
  for (let index = 0; index < x.loraRegionCount(); index++) {
    regions.push({
      index,
      name: name(x.loraRegionName(index)),
      defaultFrequencyHz: x.loraRegionDefaultFrequencyHz(index),
      dutyCyclePermille: (frequencyHz) => {
        const permille = x.loraRegionDutyCyclePermille(index, frequencyHz >>> 0);
        return permille < 0 ? undefined : permille;
      },
    });
  }
  return { presets, regions };
}
