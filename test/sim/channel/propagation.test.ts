import { describe, expect, it } from "vitest";
import {
  CALIBRATION_FREQUENCY_HZ,
  DRAW_CLIP_SIGMAS,
  ENVIRONMENTS,
  frameFadingDb,
  freeSpacePathLossDb,
  frequencyCorrectionDb,
  frozenShadowingDb,
  medianPathLossDb,
  medianRangeMetres,
} from "../../../host/sim/channel/propagation.js";

describe("propagation environments", () => {
  it("urban reproduces LoRaSim: 127.41 dB at 40 m, 20.8 dB per decade, SF7 at 14 dBm reaching ~115 m", () => {
    const urban = ENVIRONMENTS.urban;
    expect(medianPathLossDb(urban, 40)).toBeCloseTo(127.41, 6);
    expect(medianPathLossDb(urban, 400)).toBeCloseTo(127.41 + 20.8, 6);
    expect(medianRangeMetres(urban, 7, 125_000, 14)).toBeCloseTo(115.6, 0);
  });

  it("calibrates SF7/BW125 at 14 dBm to median ranges of 1.5 km suburban, 5 km rural, 15 km line of sight", () => {
    expect(medianRangeMetres(ENVIRONMENTS.suburban, 7, 125_000, 14) / 1000).toBeCloseTo(1.5, 1);
    expect(medianRangeMetres(ENVIRONMENTS.rural, 7, 125_000, 14) / 1000).toBeCloseTo(5, 1);
    expect(medianRangeMetres(ENVIRONMENTS["line-of-sight"], 7, 125_000, 14) / 1000).toBeCloseTo(15, 0);
  });

  it("reaches further with every SF step and less far at wider bandwidth", () => {
    for (const environment of Object.values(ENVIRONMENTS)) {
      let previous = 0;
      for (let sf = 7; sf <= 12; sf++) {
        const range = medianRangeMetres(environment, sf, 125_000, 14);
        expect(range).toBeGreaterThan(previous);
        expect(medianRangeMetres(environment, sf, 250_000, 14)).toBeLessThan(range);
        previous = range;
      }
    }
    // SF12 in the rural setting lands near Petäjäjärvi et al.'s ">15 km on ground" at SF12/14 dBm.
    expect(medianRangeMetres(ENVIRONMENTS.rural, 12, 125_000, 14) / 1000).toBeCloseTo(16.5, 0);
  });

  it("never promises less loss than free space, which is 91.2 dB at 1 km and 868 MHz", () => {
    expect(freeSpacePathLossDb(1000, 868e6)).toBeCloseTo(91.22, 1);
    for (const environment of Object.values(ENVIRONMENTS)) {
      for (const distance of [0.1, 1, 10, 100, 1000, 1e4, 1e5]) {
        expect(medianPathLossDb(environment, distance)).toBeGreaterThanOrEqual(
          freeSpacePathLossDb(distance, CALIBRATION_FREQUENCY_HZ) - 1e-9,
        );
      }
    }
  });

  it("corrects for frequency like free space: 433 MHz is about 6 dB kinder than 868 MHz", () => {
    expect(frequencyCorrectionDb(ENVIRONMENTS.rural, 433e6)).toBeCloseTo(-6.04, 2);
    expect(frequencyCorrectionDb(ENVIRONMENTS.rural, 868e6)).toBe(0);
  });
});

describe("frozen shadowing and per-frame fading", () => {
  it("is fixed per link, independent per direction unless reciprocal, and clipped at ±3σ", () => {
    expect(frozenShadowingDb(1, 4, 9, 6, false)).toBe(frozenShadowingDb(1, 4, 9, 6, false));
    expect(frozenShadowingDb(1, 4, 9, 6, false)).not.toBe(frozenShadowingDb(1, 9, 4, 6, false));
    expect(frozenShadowingDb(1, 4, 9, 6, true)).toBe(frozenShadowingDb(1, 9, 4, 6, true));
    expect(frozenShadowingDb(1, 4, 9, 6, false)).not.toBe(frozenShadowingDb(2, 4, 9, 6, false));
    expect(frozenShadowingDb(1, 4, 9, 0, false)).toBe(0);
    const draws: number[] = [];
    for (let a = 0; a < 150; a++) for (let b = 0; b < 150; b++) draws.push(frozenShadowingDb(7, a, b, 6, false));
    const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
    const deviation = Math.sqrt(draws.reduce((s, v) => s + (v - mean) ** 2, 0) / draws.length);
    expect(Math.abs(mean)).toBeLessThan(0.15); // standard error 6 / 150 = 0.04 dB
    expect(deviation).toBeGreaterThan(5.8);
    expect(deviation).toBeLessThan(6.1);
    expect(Math.max(...draws.map(Math.abs))).toBeLessThanOrEqual(DRAW_CLIP_SIGMAS * 6);
  });

  it("draws fading per frame and receiver", () => {
    expect(frameFadingDb(1, 10, 3, 2)).toBe(frameFadingDb(1, 10, 3, 2));
    expect(frameFadingDb(1, 10, 3, 2)).not.toBe(frameFadingDb(1, 11, 3, 2));
    expect(frameFadingDb(1, 10, 3, 0)).toBe(0);
  });
});
