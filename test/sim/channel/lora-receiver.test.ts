import { describe, expect, it } from "vitest";
import {
  demodulationThresholdDbm,
  noiseFloorDbm,
  sensitivityDbm,
  snrFloorDb,
} from "../../../host/sim/channel/lora-receiver.js";

describe("the LoRa receiver", () => {
  it("has the SX1276 BW125 sensitivities, −123 dBm at SF7 to −137 dBm at SF12", () => {
    expect([7, 8, 9, 10, 11, 12].map((sf) => sensitivityDbm(sf, 125_000))).toEqual([
      -123, -126, -129, -132, -134.5, -137,
    ]);
  });

  it("loses 3 dB of sensitivity per doubling of bandwidth", () => {
    expect(sensitivityDbm(7, 250_000)).toBeCloseTo(-119.99, 2);
    expect(sensitivityDbm(12, 500_000)).toBeCloseTo(-130.98, 2);
    expect(sensitivityDbm(9, 62_500)).toBeCloseTo(-132.01, 2);
  });

  it("demodulates down to the SX1276 Table 13 SNR floors, −7.5 dB at SF7 to −20 dB at SF12", () => {
    expect([6, 7, 8, 9, 10, 11, 12].map(snrFloorDb)).toEqual([-5, -7.5, -10, -12.5, -15, -17.5, -20]);
  });

  it("sees a −117 dBm noise floor at BW125 with a 6 dB noise figure", () => {
    expect(noiseFloorDbm(125_000)).toBeCloseTo(-117.03, 2);
    expect(noiseFloorDbm(125_000, 3)).toBeCloseTo(-120.03, 2);
  });

  it("is limited by sensitivity at BW125, the SNR floor staying within 1.5 dB of it", () => {
    for (let sf = 7; sf <= 12; sf++) {
      expect(demodulationThresholdDbm(sf, 125_000)).toBe(sensitivityDbm(sf, 125_000));
      expect(sensitivityDbm(sf, 125_000) - (noiseFloorDbm(125_000) + snrFloorDb(sf))).toBeLessThan(1.6);
    }
  });

  it("rejects spreading factors outside 5..12", () => {
    expect(() => sensitivityDbm(4, 125_000)).toThrow(RangeError);
    expect(() => snrFloorDb(13)).toThrow(RangeError);
  });
});
