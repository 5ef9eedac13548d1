// What a LoRa receiver can demodulate: sensitivity per SF and bandwidth, the SNR floor per SF and the
// thermal noise floor. A frame is decodable when its power is at or above the sensitivity and its SNR at
// or above the floor; with a 6 dB noise figure the two agree within 1.5 dB at BW125.
import type { LoRaModulation } from "../radio-medium.js";
import { symbolMicroseconds } from "./airtime.js";

/**
 * Sensitivity at BW125, dBm, indexed by SF. SF7–SF12: SX1276 datasheet Table 10 (LoRa receiver
 * specification) as given in the project brief (−123 … −137; the SX1272 datasheet's RFS_L125 with LNA
 * boost lists −124 … −137). SF5 and SF6 are not in that table for the SX1262 we would meet them on:
 * extrapolated at 3 dB per SF step, which is the step between SF7 and SF10.
 */
const SENSITIVITY_BW125_DBM: readonly number[] = [
  Number.NaN,
  Number.NaN,
  Number.NaN,
  Number.NaN,
  Number.NaN,
  -117, // SF5, extrapolated
  -120, // SF6, extrapolated
  -123,
  -126,
  -129,
  -132,
  -134.5,
  -137,
];

/**
 * Demodulation SNR floor, dB, indexed by SF: SX1276 datasheet Table 13 ("Range of spreading factors",
 * −5 dB at SF6 down to −20 dB at SF12, 2.5 dB per step); SF5 extrapolated one step.
 */
const SNR_FLOOR_DB: readonly number[] = [
  Number.NaN,
  Number.NaN,
  Number.NaN,
  Number.NaN,
  Number.NaN,
  -2.5, // SF5, extrapolated
  -5,
  -7.5,
  -10,
  -12.5,
  -15,
  -17.5,
  -20,
];

/**
 * Preamble symbols a receiver needs, at the end of the preamble, to detect it and synchronise: the last 5
 * programmed symbols, LoRaSim's "critical section" (Bor et al., "Do LoRa Low-Power Wide-Area Networks
 * Scale?", MSWiM 2016). A frame must be clean from there on, and a receiver that starts listening
 * before then still catches the frame.
 */
export const CRITICAL_PREAMBLE_SYMBOLS = 5;

/**
 * Microseconds from a frame's first preamble symbol to the opening of its vulnerable window: the last
 * `criticalSymbols` programmed preamble symbols are still to come there (a preamble shorter than that
 * is vulnerable from its start).
 */
export function criticalSectionOffsetMicroseconds(
  modulation: LoRaModulation,
  criticalSymbols: number = CRITICAL_PREAMBLE_SYMBOLS,
): number {
  return (
    Math.max(modulation.preambleLength - criticalSymbols, 0) *
    symbolMicroseconds(modulation.spreadingFactor, modulation.bandwidthHz)
  );
}

/**
 * Preamble symbols a receiver correlates before it reports a detected preamble (SX126x PreambleDetected,
 * SX127x RegModemStat "signal detected"): 2, the length of a channel activity detection, which runs the
 * same preamble correlator and answers after about 2 symbols — the SX1276's captures (2^SF + 32)/BW and
 * then processes for about one symbol (SX1276 datasheet §4.1.6), and AN1200.48 recommends a 2-symbol
 * SX126x CAD at SF7–SF8. A port locks onto a frame with at least its last 5 programmed preamble symbols
 * still to come (CRITICAL_PREAMBLE_SYMBOLS), so the detection always falls inside the preamble.
 */
export const PREAMBLE_DETECTION_SYMBOLS = 2;

/**
 * When a receiver that began hearing a frame's preamble at `lockedAtMicroseconds` (its start, or a
 * later entry into RX) reports it detected: PREAMBLE_DETECTION_SYMBOLS symbols later, and no later
 * than the end of the preamble (`preambleEndMicroseconds`, sync word and delimiter included).
 */
export function preambleDetectedAtMicroseconds(
  modulation: LoRaModulation,
  lockedAtMicroseconds: number,
  preambleEndMicroseconds: number,
): number {
  const symbol = symbolMicroseconds(modulation.spreadingFactor, modulation.bandwidthHz);
  return Math.min(lockedAtMicroseconds + PREAMBLE_DETECTION_SYMBOLS * symbol, preambleEndMicroseconds);
}

/** A noise figure typical of SX126x/SX127x front ends; the datasheets' sensitivities imply about 6 dB. */
export const DEFAULT_NOISE_FIGURE_DB = 6;

/** Thermal noise density at 290 K, dBm/Hz. */
const THERMAL_NOISE_DBM_PER_HZ = -174;

function checkSpreadingFactor(spreadingFactor: number): void {
  if (!Number.isInteger(spreadingFactor) || spreadingFactor < 5 || spreadingFactor > 12) {
    throw new RangeError(`spreading factor ${spreadingFactor} is outside 5..12`);
  }
}

/** Sensitivity in dBm; 3 dB worse per doubling of bandwidth (noise power ∝ bandwidth). */
export function sensitivityDbm(spreadingFactor: number, bandwidthHz: number): number {
  checkSpreadingFactor(spreadingFactor);
  return SENSITIVITY_BW125_DBM[spreadingFactor] + 10 * Math.log10(bandwidthHz / 125_000);
}

/** Lowest SNR, dB, at which a frame of this SF is still demodulated. */
export function snrFloorDb(spreadingFactor: number): number {
  checkSpreadingFactor(spreadingFactor);
  return SNR_FLOOR_DB[spreadingFactor];
}

/** Receiver noise floor: −174 dBm/Hz + 10·log10(BW) + NF. */
export function noiseFloorDbm(bandwidthHz: number, noiseFigureDb = DEFAULT_NOISE_FIGURE_DB): number {
  return THERMAL_NOISE_DBM_PER_HZ + 10 * Math.log10(bandwidthHz) + noiseFigureDb;
}

/** Weakest signal that is decodable: both the sensitivity and the SNR floor must be met. */
export function demodulationThresholdDbm(
  spreadingFactor: number,
  bandwidthHz: number,
  noiseFigureDb = DEFAULT_NOISE_FIGURE_DB,
): number {
  return Math.max(
    sensitivityDbm(spreadingFactor, bandwidthHz),
    noiseFloorDbm(bandwidthHz, noiseFigureDb) + snrFloorDb(spreadingFactor),
  );
}
