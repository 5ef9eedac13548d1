// Named LoRa modem presets. The SF/BW pairs are the classic LoRaWAN data rates (DR5…DR0 at BW125)
// plus SF11/BW250, the setting Meshtastic ships as "LongFast"; coding rate 4/5 throughout except
// where a slow preset benefits from 4/8.

export class LoRaPreset {
  constructor(
    readonly name: string,
    readonly spreadingFactor: i32,
    readonly bandwidthHz: u32,
    readonly codingRateDenominator: i32,
  ) {}
}

export const PRESETS: StaticArray<LoRaPreset> = [
  new LoRaPreset("SF7BW125", 7, 125_000, 5),
  new LoRaPreset("SF8BW125", 8, 125_000, 5),
  new LoRaPreset("SF9BW125", 9, 125_000, 5),
  new LoRaPreset("SF10BW125", 10, 125_000, 5),
  new LoRaPreset("SF11BW125", 11, 125_000, 5),
  new LoRaPreset("SF12BW125", 12, 125_000, 5),
  new LoRaPreset("SF11BW250", 11, 250_000, 5),
  new LoRaPreset("SF7BW250", 7, 250_000, 5),
  new LoRaPreset("SF9BW250", 9, 250_000, 5),
];

export function findPreset(index: i32): LoRaPreset | null {
  return index >= 0 && index < PRESETS.length ? PRESETS[index] : null;
}
