// The LoRa presets and regions compiled into the stack, for hosts to list and validate against:
// one table, in firmware, rather than a copy in every tool.
import { timeOnAirMicroseconds } from "../../radio-drivers/lora/airtime";
import { LoRaConfig } from "../../radio-drivers/lora/lora-config";
import { findPreset, PRESETS } from "../../radio-drivers/lora/presets";
import { findRegion, REGIONS } from "../../radio-drivers/lora/regions";
import { ioArgsPointer } from "./io-window";

/** Writes an ASCII name to the argument area; returns its length. */
function writeName(name: string): i32 {
  const out = ioArgsPointer();
  for (let i = 0; i < name.length; i++) store<u8>(out + <usize>i, <u8>name.charCodeAt(i));
  return name.length;
}

export function loraPresetCount(): i32 {
  return PRESETS.length;
}

/** Name of preset `index` into the argument area; returns its length, or −1. */
export function loraPresetName(index: i32): i32 {
  const preset = findPreset(index);
  return preset === null ? -1 : writeName(preset.name);
}

/** 0 spreading factor, 1 bandwidth (Hz), 2 coding-rate denominator; −1 if out of range. */
export function loraPresetParameter(index: i32, which: i32): f64 {
  const preset = findPreset(index);
  if (preset === null) return -1;
  if (which == 0) return preset.spreadingFactor;
  if (which == 1) return preset.bandwidthHz;
  if (which == 2) return preset.codingRateDenominator;
  return -1;
}

export function loraRegionCount(): i32 {
  return REGIONS.length;
}

export function loraRegionName(index: i32): i32 {
  const region = findRegion(index);
  return region === null ? -1 : writeName(region.name);
}

export function loraRegionDefaultFrequencyHz(index: i32): f64 {
  const region = findRegion(index);
  return region === null ? -1 : region.defaultFrequencyHz;
}

/** Duty cycle (‰) of the sub-band holding `frequencyHz` in region `index`, or −1 where not allowed. */
export function loraRegionDutyCyclePermille(index: i32, frequencyHz: u32): i32 {
  const region = findRegion(index);
  if (region === null) return -1;
  const band = region.subBandFor(frequencyHz);
  return band === null ? -1 : band.dutyCyclePermille;
}

const airtimeConfig = new LoRaConfig();

/**
 * Time on air the firmware computes (radio-drivers/lora/airtime.ts) for a frame of `length` bytes;
 * `flags` bit 0 CRC on, bit 1 explicit header. Lets hosts check it against an independent formula.
 */
export function loraTimeOnAirMicroseconds(
  spreadingFactor: i32,
  bandwidthHz: u32,
  codingRateDenominator: i32,
  preambleLength: i32,
  flags: i32,
  length: i32,
): f64 {
  const c = airtimeConfig;
  c.spreadingFactor = spreadingFactor;
  c.bandwidthHz = bandwidthHz;
  c.codingRateDenominator = codingRateDenominator;
  c.preambleLength = preambleLength;
  c.crcOn = (flags & 1) != 0;
  c.explicitHeader = (flags & 2) != 0;
  return <f64>timeOnAirMicroseconds(c, length);
}
