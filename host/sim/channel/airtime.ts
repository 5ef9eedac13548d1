// LoRa time on air for the simulated channel, written independently of radio-drivers/lora/airtime.ts
// so each checks the other. Formulas: Semtech AN1200.13 "LoRa Modem Designer's Guide" §4, SX1276
// datasheet §4.1.1.7, SX1261/2 datasheet §6.1.4:
//   Tsym       = 2^SF / BW
//   Tpreamble  = (Npreamble + 4.25) · Tsym                 SF5/SF6 (SX126x): (Npreamble + 6.25) · Tsym
//   Npayload   = 8 + max(ceil((8·PL − 4·SF + 28 + 16·CRC − 20·IH) / (4·(SF − 2·DE))), 0) · (CR + 4)
//   SF5/SF6:     8 + max(ceil((8·PL − 4·SF + 16·CRC + 20·(1 − IH)) / (4·SF)), 0) · (CR + 4)
//   ToA        = Tpreamble + Npayload · Tsym
// PL payload bytes, CRC 1 when the payload CRC is on, IH 1 for implicit header, DE 1 with low data rate
// optimisation, CR = coding-rate denominator − 4.
import type { LoRaModulation } from "../radio-medium.js";

/** The modulation fields that decide how long a frame is on air. */
export type LoRaFrameFormat = Pick<
  LoRaModulation,
  | "spreadingFactor"
  | "bandwidthHz"
  | "codingRateDenominator"
  | "preambleLength"
  | "crcOn"
  | "explicitHeader"
  | "lowDataRateOptimize"
>;

/** Both datasheets require low data rate optimisation above this symbol time (SX1276 §4.1.1.6, SX126x §6.1.1.4). */
export const LOW_DATA_RATE_SYMBOL_MICROSECONDS = 16_000;

/** Symbols at the start of an explicit-header payload that carry the header (AN1200.13: always CR 4/8). */
export const HEADER_SYMBOLS = 8;

/** Duration of one chirp, 2^SF / BW, in microseconds. */
export function symbolMicroseconds(spreadingFactor: number, bandwidthHz: number): number {
  return (2 ** spreadingFactor * 1e6) / bandwidthHz;
}

/** Whether the datasheets require low data rate optimisation for this SF and bandwidth. */
export function lowDataRateOptimizeRequired(spreadingFactor: number, bandwidthHz: number): boolean {
  return symbolMicroseconds(spreadingFactor, bandwidthHz) > LOW_DATA_RATE_SYMBOL_MICROSECONDS;
}

/**
 * SF5 and SF6 follow the SX126x variant (two more preamble symbols, different payload numerator). An
 * SX127x at SF6 would use the SF ≥ 7 formula; the modulation carries no chip, and SX126x SF6 frames do
 * not interoperate with SX127x ones anyway, so the SX126x rule is the one a mesh of SX1262s meets.
 */
function usesShortSpreadingFactorFormula(spreadingFactor: number): boolean {
  return spreadingFactor < 7;
}

/** Preamble duration in symbols, including the sync word and the 2.25-symbol start-of-frame delimiter. */
export function preambleSymbols(format: LoRaFrameFormat): number {
  return format.preambleLength + (usesShortSpreadingFactorFormula(format.spreadingFactor) ? 6.25 : 4.25);
}

/**
 * Microseconds from a frame's first preamble symbol to the end of its preamble (sync word and delimiter
 * included) and to the end of its explicit header (the same point with an implicit header): when a
 * receiver can have taken the header, and so raise HeaderValid or HeaderErr.
 */
export function frameSectionEndsMicroseconds(format: LoRaFrameFormat): { preambleEnd: number; headerEnd: number } {
  const symbol = symbolMicroseconds(format.spreadingFactor, format.bandwidthHz);
  const preambleEnd = preambleSymbols(format) * symbol;
  return { preambleEnd, headerEnd: format.explicitHeader ? preambleEnd + HEADER_SYMBOLS * symbol : preambleEnd };
}

/** Header and payload (and CRC) duration in symbols for `payloadBytes` bytes. */
export function payloadSymbols(format: LoRaFrameFormat, payloadBytes: number): number {
  const sf = format.spreadingFactor;
  const crc = format.crcOn ? 1 : 0;
  const implicitHeader = format.explicitHeader ? 0 : 1;
  const codingRate = format.codingRateDenominator - 4;
  let numerator: number;
  let bitsPerBlock: number;
  if (usesShortSpreadingFactorFormula(sf)) {
    numerator = 8 * payloadBytes - 4 * sf + 16 * crc + 20 * (1 - implicitHeader);
    bitsPerBlock = 4 * sf;
  } else {
    const lowDataRate = format.lowDataRateOptimize ? 1 : 0;
    numerator = 8 * payloadBytes - 4 * sf + 28 + 16 * crc - 20 * implicitHeader;
    bitsPerBlock = 4 * (sf - 2 * lowDataRate);
  }
  return 8 + Math.max(Math.ceil(numerator / bitsPerBlock), 0) * (codingRate + 4);
}

/** Time on air of a `payloadBytes`-byte frame, in microseconds (exact; not rounded). */
export function timeOnAirMicroseconds(format: LoRaFrameFormat, payloadBytes: number): number {
  const symbol = symbolMicroseconds(format.spreadingFactor, format.bandwidthHz);
  return (preambleSymbols(format) + payloadSymbols(format, payloadBytes)) * symbol;
}

/** A preset's modulation: spreading factor, bandwidth and coding rate (lora-tables.ts presets). */
export interface LoRaPresetModulation {
  spreadingFactor: number;
  bandwidthHz: number;
  codingRateDenominator: number;
}

/**
 * Time on air of a `payloadBytes` frame as the stack sends it with a preset: 8 preamble symbols,
 * explicit header, payload CRC on, low data rate optimisation where the datasheets require it.
 */
export function presetTimeOnAirMicroseconds(preset: LoRaPresetModulation, payloadBytes: number): number {
  return timeOnAirMicroseconds(
    {
      spreadingFactor: preset.spreadingFactor,
      bandwidthHz: preset.bandwidthHz,
      codingRateDenominator: preset.codingRateDenominator,
      preambleLength: 8,
      crcOn: true,
      explicitHeader: true,
      lowDataRateOptimize: lowDataRateOptimizeRequired(preset.spreadingFactor, preset.bandwidthHz),
    },
    payloadBytes,
  );
}
