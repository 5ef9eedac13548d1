import { describe, expect, it } from "vitest";
import {
  type LoRaFrameFormat,
  lowDataRateOptimizeRequired,
  payloadSymbols,
  preambleSymbols,
  symbolMicroseconds,
  timeOnAirMicroseconds,
} from "../../../host/sim/channel/airtime.js";

/** The classic calculator setting: 8-symbol preamble, CR 4/5, CRC on, explicit header. */
function format(
  spreadingFactor: number,
  bandwidthHz = 125_000,
  changes: Partial<LoRaFrameFormat> = {},
): LoRaFrameFormat {
  return {
    spreadingFactor,
    bandwidthHz,
    codingRateDenominator: 5,
    preambleLength: 8,
    crcOn: true,
    explicitHeader: true,
    lowDataRateOptimize: lowDataRateOptimizeRequired(spreadingFactor, bandwidthHz),
    ...changes,
  };
}

const milliseconds = (microseconds: number) => microseconds / 1000;

describe("LoRa time on air against published calculator values", () => {
  it("SF7/BW125, 10 bytes: 41.216 ms (REFERENCES.md; rfwireless-world LoRaWAN airtime calculator, example 1)", () => {
    const f = format(7);
    // rfwireless-world example 1 also gives the parts: preamble 12.544 ms, header + payload 28.672 ms.
    expect(milliseconds(preambleSymbols(f) * symbolMicroseconds(7, 125_000))).toBeCloseTo(12.544, 6);
    expect(milliseconds(payloadSymbols(f, 10) * symbolMicroseconds(7, 125_000))).toBeCloseTo(28.672, 6);
    expect(milliseconds(timeOnAirMicroseconds(f, 10))).toBeCloseTo(41.216, 6);
  });

  it("SF11/BW125 with DE = 1, 10 bytes: 577.536 ms (REFERENCES.md; rfwireless-world example 2)", () => {
    const f = format(11);
    expect(f.lowDataRateOptimize).toBe(true);
    // Example 2's parts: symbol 16.384 ms, preamble 200.704 ms, header + payload 376.832 ms.
    expect(milliseconds(symbolMicroseconds(11, 125_000))).toBeCloseTo(16.384, 6);
    expect(milliseconds(preambleSymbols(f) * symbolMicroseconds(11, 125_000))).toBeCloseTo(200.704, 6);
    expect(milliseconds(timeOnAirMicroseconds(f, 10))).toBeCloseTo(577.536, 6);
  });

  it("SF9/BW125, 13 bytes: 28 payload symbols, 164.864 ms (LoRaAirtimeCalculator sheet, AN1200.13 formulas)", () => {
    // docs.google.com/spreadsheets/d/1voGAtQAjC1qBmaVuP1ApNKs1ekgUjavHuVQIXyYSvNc: Tsym 4.096 ms,
    // Tpreamble 50.176 ms, payloadSymbNb 28, Tpacket 164.864 ms.
    const f = format(9);
    expect(payloadSymbols(f, 13)).toBe(28);
    expect(milliseconds(preambleSymbols(f) * symbolMicroseconds(9, 125_000))).toBeCloseTo(50.176, 6);
    expect(milliseconds(timeOnAirMicroseconds(f, 13))).toBeCloseTo(164.864, 6);
  });

  it("10 bytes at SF8, SF9, SF10, SF12 (DE on): 72, 144, 289, 991 ms (rfwireless-world table, rounded to ms)", () => {
    const table: Array<[number, number]> = [
      [7, 41],
      [8, 72],
      [9, 144],
      [10, 289],
      [11, 578],
      [12, 991],
    ];
    for (const [sf, published] of table)
      expect(Math.round(milliseconds(timeOnAirMicroseconds(format(sf), 10)))).toBe(published);
  });
});

describe("LoRa time on air computed from the formula (no published value found)", () => {
  it("computed: SF12/BW125 DE on, 64 bytes (LoRaWAN DR0's 51-byte payload + 13): 85.25 symbols, 2793.472 ms", () => {
    // 8·64 − 48 + 28 + 16 = 508; 508 / 40 → 13 blocks · 5 = 65; 8 + 65 + 12.25 = 85.25 symbols of 32.768 ms.
    expect(milliseconds(timeOnAirMicroseconds(format(12), 64))).toBeCloseTo(2793.472, 6);
  });

  it("computed: SF11/BW250 (Meshtastic LongFast), 16-symbol preamble, 255 bytes: 2156.544 ms, LDRO not needed", () => {
    const f = format(11, 250_000, { preambleLength: 16 });
    expect(f.lowDataRateOptimize).toBe(false); // 8.192 ms symbols
    // 8·255 − 44 + 28 + 16 = 2040; / 44 → 47 blocks · 5 = 235; 8 + 235 + 20.25 = 263.25 symbols of 8.192 ms.
    expect(milliseconds(timeOnAirMicroseconds(f, 255))).toBeCloseTo(2156.544, 6);
  });

  it("computed: implicit header and CRC off shorten SF7 frames by whole 5-symbol blocks", () => {
    // 8·10 − 28 + 28 − 20 = 60; / 28 → 3 blocks: 8 + 15 = 23 symbols (explicit + CRC: 28).
    expect(payloadSymbols(format(7, 125_000, { explicitHeader: false, crcOn: false }), 10)).toBe(23);
    expect(payloadSymbols(format(7), 10)).toBe(28);
  });

  it("computed: SX126x SF5/SF6 variant — 6.25 extra preamble symbols and its own payload numerator", () => {
    // SF6, 10 bytes: 80 − 24 + 16 + 20 = 92; / 24 → 4 blocks · 5 = 20; (8 + 6.25) + 8 + 20 = 42.25 · 0.512 ms.
    const sf6 = format(6);
    expect(preambleSymbols(sf6)).toBe(14.25);
    expect(milliseconds(timeOnAirMicroseconds(sf6, 10))).toBeCloseTo(21.632, 6);
    // SF5, 1 byte, implicit header, no CRC: 8 − 20 = −12 clamps to 0 blocks; 14.25 + 8 symbols of 0.256 ms.
    const sf5 = format(5, 125_000, { explicitHeader: false, crcOn: false });
    expect(milliseconds(timeOnAirMicroseconds(sf5, 1))).toBeCloseTo(5.696, 6);
  });

  it("requires low data rate optimisation exactly when a symbol lasts more than 16 ms", () => {
    expect(lowDataRateOptimizeRequired(11, 125_000)).toBe(true);
    expect(lowDataRateOptimizeRequired(12, 125_000)).toBe(true);
    expect(lowDataRateOptimizeRequired(12, 250_000)).toBe(true);
    expect(lowDataRateOptimizeRequired(10, 125_000)).toBe(false);
    expect(lowDataRateOptimizeRequired(11, 250_000)).toBe(false);
    expect(lowDataRateOptimizeRequired(12, 500_000)).toBe(false);
  });

  it("never shrinks as the payload grows, and grows by whole blocks", () => {
    const violations: string[] = [];
    for (let sf = 5; sf <= 12; sf++) {
      for (const bandwidth of [125_000, 250_000, 500_000]) {
        const f = format(sf, bandwidth);
        let previous = 0;
        for (let length = 0; length <= 255; length++) {
          const symbols = payloadSymbols(f, length);
          if (symbols < previous || (symbols - 8) % 5 !== 0) violations.push(`SF${sf}/${bandwidth}/${length} B`);
          previous = symbols;
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
