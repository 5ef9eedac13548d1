// Regional limits a transmitter must obey. EU868: ETSI EN 300 220-2 and ERC Recommendation 70-03
// Annex 1 (bands h1.4–h1.7): duty cycle per sub-band, power as ERP. US915: FCC Part 15.247 (902–928
// MHz, 30 dBm conducted, no duty cycle; the 400 ms dwell limit applies to frequency hopping, which
// this stack does not do, so a single-channel LoRa link relies on the digital-modulation rules).

export class SubBand {
  constructor(
    readonly lowHz: u32,
    readonly highHz: u32,
    /** Share of time a transmitter may be on air, in parts per 1000 (10 = 1 %). 1000 = no limit. */
    readonly dutyCyclePermille: i32,
    readonly maxPowerDbm: i32,
  ) {}

  @inline contains(frequencyHz: u32): bool {
    return frequencyHz >= this.lowHz && frequencyHz <= this.highHz;
  }
}

export class Region {
  constructor(
    readonly name: string,
    readonly defaultFrequencyHz: u32,
    readonly subBands: StaticArray<SubBand>,
  ) {}

  /** The sub-band holding `frequencyHz`, or null when transmitting there is not allowed. */
  subBandFor(frequencyHz: u32): SubBand | null {
    for (let i = 0; i < this.subBands.length; i++) {
      const band = unchecked(this.subBands[i]);
      if (band.contains(frequencyHz)) return band;
    }
    return null;
  }
}

export const REGIONS: StaticArray<Region> = [
  new Region("EU868", 869_525_000, [
    new SubBand(865_000_000, 868_000_000, 10, 14), // h1.3: 1 %, 25 mW ERP
    new SubBand(868_000_000, 868_600_000, 10, 14), // h1.4: 1 %, 25 mW ERP
    new SubBand(868_700_000, 869_200_000, 1, 14), // h1.5: 0.1 %, 25 mW ERP
    new SubBand(869_400_000, 869_650_000, 100, 27), // h1.6: 10 %, 500 mW ERP
    new SubBand(869_700_000, 870_000_000, 10, 14), // h1.7: 1 %, 25 mW ERP
  ]),
  new Region("US915", 906_875_000, [new SubBand(902_000_000, 928_000_000, 1000, 30)]),
];

export function findRegion(index: i32): Region | null {
  return index >= 0 && index < REGIONS.length ? REGIONS[index] : null;
}
