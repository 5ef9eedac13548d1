// Host-facing API for driving a radio driver directly (driver tests, HIL, bring-up of a new board):
// the chip-specific files (radio-sx126x.ts, radio-sx127x.ts) create drivers and register them in
// radio-registry.ts;
// everything else works on the generic Radio interface. Bad handles return -1/false, never trap.
import { LoRaConfig } from "../../radio-drivers/lora/lora-config";
import { ioArgsPointer, ioDataPointer } from "./io-window";
import { radioAt } from "./radio-registry";

const scratchConfig = new LoRaConfig();

/** Flag bits of radioBegin's `flags`. */
export const enum RadioFlag {
  CrcOn = 1,
  ExplicitHeader = 2,
  InvertIq = 4,
  Dio2AsRfSwitch = 8,
  McuRfSwitch = 16,
  HighPowerPa = 32,
}

/** Resets and configures the radio. Returns 1 on success, 0 if the chip did not answer, -1 bad handle. */
export function radioBegin(
  radio: i32,
  frequencyHz: u32,
  spreadingFactor: i32,
  bandwidthHz: u32,
  codingRateDenominator: i32,
  preambleLength: i32,
  syncWord: i32,
  txPowerDbm: i32,
  tcxoMillivolts: i32,
  flags: i32,
): i32 {
  const r = radioAt(radio);
  if (r === null) return -1;
  const c = scratchConfig;
  c.frequencyHz = frequencyHz;
  c.spreadingFactor = spreadingFactor;
  c.bandwidthHz = bandwidthHz;
  c.codingRateDenominator = codingRateDenominator;
  c.preambleLength = preambleLength;
  c.syncWord = <u8>syncWord;
  c.txPowerDbm = txPowerDbm;
  c.tcxoMillivolts = tcxoMillivolts;
  c.crcOn = (flags & RadioFlag.CrcOn) != 0;
  c.explicitHeader = (flags & RadioFlag.ExplicitHeader) != 0;
  c.invertIq = (flags & RadioFlag.InvertIq) != 0;
  c.dio2AsRfSwitch = (flags & RadioFlag.Dio2AsRfSwitch) != 0;
  c.mcuRfSwitch = (flags & RadioFlag.McuRfSwitch) != 0;
  c.highPowerPa = (flags & RadioFlag.HighPowerPa) != 0;
  return r.begin(c) ? 1 : 0;
}

/** Transmits the first `length` bytes of the I/O data area. */
export function radioTransmit(radio: i32, length: i32): i32 {
  const r = radioAt(radio);
  if (r === null || length < 1 || length > r.maxFrameLength()) return -1;
  return r.startTransmit(ioDataPointer(), length) ? 1 : 0;
}

export function radioStartReceive(radio: i32): i32 {
  const r = radioAt(radio);
  return r === null ? -1 : r.startReceive() ? 1 : 0;
}

export function radioStartChannelActivityDetection(radio: i32): i32 {
  const r = radioAt(radio);
  return r === null ? -1 : r.startChannelActivityDetection() ? 1 : 0;
}

/** 1 while the radio is inside a frame it is receiving (Radio.receptionInProgress), 0 if not, -1 without a radio. */
export function radioReceptionInProgress(radio: i32, nowMs: i64): i32 {
  const r = radioAt(radio);
  return r === null ? -1 : r.receptionInProgress(nowMs) ? 1 : 0;
}

export function radioInterruptPending(radio: i32): i32 {
  const r = radioAt(radio);
  return r === null ? -1 : r.interruptPending() ? 1 : 0;
}

/** RadioEvent bits, or -1. */
export function radioTakeEvents(radio: i32): i32 {
  const r = radioAt(radio);
  return r === null ? -1 : <i32>r.takeEvents();
}

/** Reads the last frame into the I/O data area; RSSI and SNR (f32) go to the argument area. */
export function radioReadFrame(radio: i32): i32 {
  const r = radioAt(radio);
  if (r === null) return -1;
  const length = r.readFrame(ioDataPointer());
  store<f32>(ioArgsPointer(), r.lastRssiDbm());
  store<f32>(ioArgsPointer() + 4, r.lastSnrDb());
  return length;
}

export function radioTimeOnAirMicroseconds(radio: i32, length: i32): f64 {
  const r = radioAt(radio);
  return r === null ? -1 : <f64>r.timeOnAirMicroseconds(length);
}

export function radioStandby(radio: i32): i32 {
  const r = radioAt(radio);
  if (r === null) return -1;
  r.standby();
  return 1;
}

export function radioState(radio: i32): i32 {
  const r = radioAt(radio);
  return r === null ? -1 : <i32>r.state();
}

export function radioMaxFrameLength(radio: i32): i32 {
  const r = radioAt(radio);
  return r === null ? -1 : r.maxFrameLength();
}
