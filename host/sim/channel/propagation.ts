// Large-scale propagation for the simulated LoRa channel: log-distance path loss with log-normal
// shadowing (Rappaport, "Wireless Communications", §4.9–4.10),
//   PL(d) = PL(d0) + 10·n·log10(d / d0) + Xσ,
// in named environments, each calibrated at 868 MHz. Shadowing is frozen per link (a hash of the seed
// and the two node numbers), so a link stays good or bad for the whole run, whatever order links are
// evaluated in; optional per-frame fading is drawn the same way from the frame's number.
import { hashedStandardNormal } from "../random.js";
import { demodulationThresholdDbm } from "./lora-receiver.js";

export type EnvironmentName = "urban" | "suburban" | "rural" | "line-of-sight";

export interface PropagationEnvironment {
  readonly name: string;
  /** d0: distance at which the reference loss was measured or fitted. */
  readonly referenceDistanceMetres: number;
  /** PL(d0) at `calibrationFrequencyHz`. */
  readonly pathLossAtReferenceDb: number;
  /** n: 2 in free space, larger with obstruction. */
  readonly pathLossExponent: number;
  /** σ of the frozen per-link shadowing, dB. */
  readonly shadowingSigmaDb: number;
  readonly calibrationFrequencyHz: number;
  /** Where the numbers come from. */
  readonly source: string;
}

/** Frequency the environments were calibrated at (EU868). */
export const CALIBRATION_FREQUENCY_HZ = 868e6;

// Calibration of suburban / rural / line-of-sight: with 14 dBm, 0 dBi antennas and SF7/BW125
// (sensitivity −123 dBm) the link budget is 137 dB. Each environment's exponent is chosen from the
// textbook ranges (Rappaport Table 4.2: free space 2, urban cellular 2.7–3.5) and PL(1 km) is then set so
// that the *median* SF7 range — where PL(d) = 137 dB — is the typical figure people report
// (REFERENCES.md: 1–5 km in towns, 10–15 km rural, 100+ km line of sight):
//   PL(1 km) = 137 − 10·n·log10(target / 1 km)
//   suburban  n = 3.0, target 1.5 km → 131.7 dB   (SF12: 4.2 km)
//   rural     n = 2.7, target 5 km   → 118.1 dB   (SF12: 16.5 km)
//   line of sight n = 2.0, target 15 km → 113.5 dB (SF12: 75 km; at 22 dBm 190 km): the free-space slope
//   plus a fixed 22 dB over free space (91.2 dB at 1 km), standing for Fresnel-zone obstruction, ground
//   reflection and cheap antennas at 1–2 m. The 100+ km records need elevated sites and high SF/power.
// A cross-check: Petäjäjärvi et al. (ITST 2015, Oulu) measured over 15 km on ground at SF12/14 dBm with
// the base station on a mast; rural gives a 16.5 km median there. The σ values are our choice (more
// obstacles, more spread), not fitted to a measurement.
export const ENVIRONMENTS: Readonly<Record<EnvironmentName, PropagationEnvironment>> = {
  urban: {
    name: "urban",
    referenceDistanceMetres: 40,
    pathLossAtReferenceDb: 127.41,
    pathLossExponent: 2.08,
    shadowingSigmaDb: 3.57,
    calibrationFrequencyHz: CALIBRATION_FREQUENCY_HZ,
    source:
      "LoRaSim (Bor et al., MSWiM 2016) d0 = 40 m, PL(d0) = 127.41 dB, n = 2.08; σ = 3.57 dB from FLoRa. " +
      "Pessimistic, ground level indoors-to-outdoors: SF7 at 14 dBm reaches ~115 m.",
  },
  suburban: {
    name: "suburban",
    referenceDistanceMetres: 1000,
    pathLossAtReferenceDb: 131.7,
    pathLossExponent: 3.0,
    shadowingSigmaDb: 6,
    calibrationFrequencyHz: CALIBRATION_FREQUENCY_HZ,
    source: "Calibrated: n = 3.0, median SF7/14 dBm range 1.5 km (see propagation.ts).",
  },
  rural: {
    name: "rural",
    referenceDistanceMetres: 1000,
    pathLossAtReferenceDb: 118.1,
    pathLossExponent: 2.7,
    shadowingSigmaDb: 5,
    calibrationFrequencyHz: CALIBRATION_FREQUENCY_HZ,
    source: "Calibrated: n = 2.7, median SF7/14 dBm range 5 km (see propagation.ts).",
  },
  "line-of-sight": {
    name: "line-of-sight",
    referenceDistanceMetres: 1000,
    pathLossAtReferenceDb: 113.5,
    pathLossExponent: 2.0,
    shadowingSigmaDb: 3,
    calibrationFrequencyHz: CALIBRATION_FREQUENCY_HZ,
    source: "Calibrated: free-space slope + 22 dB, median SF7/14 dBm range 15 km (see propagation.ts).",
  },
};

/**
 * Shadowing and fading draws are clipped at ±3σ (0.27 % of draws are affected) so that a transmitter's
 * reach is bounded and the channel can skip nodes beyond it without looking at them.
 */
export const DRAW_CLIP_SIGMAS = 3;

/** Distances below this are treated as this: co-located antennas still see some loss. */
const MINIMUM_DISTANCE_METRES = 1;

/** Speed of light, m/s. */
const SPEED_OF_LIGHT = 299_792_458;

/** Friis free-space loss, 20·log10(4π·d·f / c) dB. */
export function freeSpacePathLossDb(distanceMetres: number, frequencyHz: number): number {
  const distance = Math.max(distanceMetres, MINIMUM_DISTANCE_METRES);
  return 20 * Math.log10((4 * Math.PI * distance * frequencyHz) / SPEED_OF_LIGHT);
}

/**
 * Median path loss at the calibration frequency, never below free space (a log-distance fit must not
 * promise less loss than no obstacles at all, which it would close in for small exponents).
 */
export function medianPathLossDb(environment: PropagationEnvironment, distanceMetres: number): number {
  const distance = Math.max(distanceMetres, MINIMUM_DISTANCE_METRES);
  const logDistance =
    environment.pathLossAtReferenceDb +
    10 * environment.pathLossExponent * Math.log10(distance / environment.referenceDistanceMetres);
  return Math.max(logDistance, freeSpacePathLossDb(distance, environment.calibrationFrequencyHz));
}

/**
 * Largest distance at which the median path loss is at most `pathLossDb` (inverse of the log-distance
 * fit; the free-space floor only raises the loss, so this stays an upper bound).
 */
export function distanceForMedianPathLossMetres(environment: PropagationEnvironment, pathLossDb: number): number {
  const exponent = (pathLossDb - environment.pathLossAtReferenceDb) / (10 * environment.pathLossExponent);
  return environment.referenceDistanceMetres * 10 ** exponent;
}

/**
 * Extra loss at `frequencyHz` compared with the calibration frequency, assuming the free-space frequency
 * dependence 20·log10(f / f_cal): 433 MHz links gain about 6 dB over 868 MHz ones, 915 MHz lose 0.5 dB.
 */
export function frequencyCorrectionDb(environment: PropagationEnvironment, frequencyHz: number): number {
  return 20 * Math.log10(frequencyHz / environment.calibrationFrequencyHz);
}

/**
 * The link's frozen shadowing, N(0, σ²) clipped at ±3σ. Drawn per direction (A→B and B→A independent)
 * unless `reciprocal`, when both directions share one draw as physical reciprocity would have it.
 */
export function frozenShadowingDb(
  seed: number,
  fromNode: number,
  toNode: number,
  sigmaDb: number,
  reciprocal: boolean,
): number {
  if (sigmaDb === 0) return 0;
  const first = reciprocal ? Math.min(fromNode, toNode) : fromNode;
  const second = reciprocal ? Math.max(fromNode, toNode) : toNode;
  return clippedNormal(hashedStandardNormal(seed, first, second, 0x5bad0)) * sigmaDb;
}

/** Per-frame fading at one receiver, N(0, σ²) in dB clipped at ±3σ, fixed by the frame's number. */
export function frameFadingDb(seed: number, frameNumber: number, receiverNode: number, sigmaDb: number): number {
  if (sigmaDb === 0) return 0;
  return clippedNormal(hashedStandardNormal(seed, frameNumber, receiverNode, 0xfad1)) * sigmaDb;
}

function clippedNormal(standardNormal: number): number {
  return Math.max(-DRAW_CLIP_SIGMAS, Math.min(DRAW_CLIP_SIGMAS, standardNormal));
}

/**
 * Distance at which the median link just closes for a LoRa frame: path loss equals transmit power plus
 * antenna gains minus the demodulation threshold. Half the links at this distance work (shadowing).
 */
export function medianRangeMetres(
  environment: PropagationEnvironment,
  spreadingFactor: number,
  bandwidthHz: number,
  transmitPowerDbm: number,
  antennaGainsDb = 0,
): number {
  const budgetDb = transmitPowerDbm + antennaGainsDb - demodulationThresholdDbm(spreadingFactor, bandwidthHz);
  return distanceForMedianPathLossMetres(environment, budgetDb);
}
