import { describe, expect, it } from "vitest";
import { lowDataRateOptimizeRequired, timeOnAirMicroseconds } from "../../host/sim/channel/airtime.js";
import { instantiateStack } from "../../host/wasm/load-stack.js";
import { loadLoRaTables } from "../../host/wasm/lora-tables.js";

interface AirtimeExports {
  loraTimeOnAirMicroseconds(
    sf: number,
    bw: number,
    cr: number,
    preamble: number,
    flags: number,
    length: number,
  ): number;
}

describe("the firmware's time on air", () => {
  it("matches the published check values (REFERENCES.md: Semtech AN1200.13 / SX1276 datasheet)", async () => {
    const x = (await instantiateStack()).exports as unknown as AirtimeExports;
    expect(x.loraTimeOnAirMicroseconds(7, 125_000, 5, 8, 3, 10)).toBe(41_216);
    expect(x.loraTimeOnAirMicroseconds(11, 125_000, 5, 8, 3, 10)).toBe(577_536);
  });

  it("agrees with the simulator's independent formula for every preset, length and header/CRC choice", async () => {
    const x = (await instantiateStack()).exports as unknown as AirtimeExports;
    const { presets } = await loadLoRaTables();
    let checked = 0;
    for (const preset of presets) {
      for (const preambleLength of [8, 16]) {
        for (const flags of [0, 1, 2, 3]) {
          for (let length = 1; length <= 255; length++) {
            const format = {
              spreadingFactor: preset.spreadingFactor,
              bandwidthHz: preset.bandwidthHz,
              codingRateDenominator: preset.codingRateDenominator,
              preambleLength,
              crcOn: (flags & 1) !== 0,
              explicitHeader: (flags & 2) !== 0,
              lowDataRateOptimize: lowDataRateOptimizeRequired(preset.spreadingFactor, preset.bandwidthHz),
            };
            const ours = x.loraTimeOnAirMicroseconds(
              preset.spreadingFactor,
              preset.bandwidthHz,
              preset.codingRateDenominator,
              preambleLength,
              flags,
              length,
            );
            expect(ours, `${preset.name} ${length} B flags ${flags}`).toBe(
              Math.round(timeOnAirMicroseconds(format, length)),
            );
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(presets.length * 2 * 4 * 255);
  });
});
