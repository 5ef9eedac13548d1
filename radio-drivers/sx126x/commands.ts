// The SX126x command set, register map and parameter encodings, transcribed from the Semtech
// SX1261/2 datasheet (DS.SX1261-2.W.APP, rev 1.2) with section numbers, plus the CAD settings of
// application note AN1200.48. Only tables and pure conversions live here; sx126x.ts sequences them.

/** Opcodes of §13 ("Commands Interface"), grouped as the datasheet groups them. */
export const enum Opcode {
  // §13.1 Operational modes.
  SetSleep = 0x84,
  SetStandby = 0x80,
  SetFs = 0xc1,
  SetTx = 0x83,
  SetRx = 0x82,
  StopTimerOnPreamble = 0x9f,
  SetRxDutyCycle = 0x94,
  SetCad = 0xc5,
  SetTxContinuousWave = 0xd1,
  SetTxInfinitePreamble = 0xd2,
  SetRegulatorMode = 0x96,
  Calibrate = 0x89,
  CalibrateImage = 0x98,
  SetPaConfig = 0x95,
  SetRxTxFallbackMode = 0x93,
  // §13.2 Registers and buffer access.
  WriteRegister = 0x0d,
  ReadRegister = 0x1d,
  WriteBuffer = 0x0e,
  ReadBuffer = 0x1e,
  // §13.3 DIO and IRQ control.
  SetDioIrqParams = 0x08,
  GetIrqStatus = 0x12,
  ClearIrqStatus = 0x02,
  SetDio2AsRfSwitchCtrl = 0x9d,
  SetDio3AsTcxoCtrl = 0x97,
  // §13.4 RF, modulation and packet.
  SetRfFrequency = 0x86,
  SetPacketType = 0x8a,
  GetPacketType = 0x11,
  SetTxParams = 0x8e,
  SetModulationParams = 0x8b,
  SetPacketParams = 0x8c,
  SetCadParams = 0x88,
  SetBufferBaseAddress = 0x8f,
  SetLoRaSymbNumTimeout = 0xa0,
  // §13.5 Status.
  GetStatus = 0xc0,
  GetRssiInst = 0x15,
  GetStats = 0x10,
  ResetStats = 0x00,
  GetRxBufferStatus = 0x13,
  GetPacketStatus = 0x14,
  // §13.6 Miscellaneous.
  GetDeviceErrors = 0x17,
  ClearDeviceErrors = 0x07,
}

/** Bytes the chip clocks out before a read command's data (§13: opcode slot, then status). */
export const READ_STATUS_BYTES: i32 = 2;
/** ReadRegister sends two address bytes, so its data starts one byte later (§13.2.2). */
export const READ_REGISTER_DATA_OFFSET: i32 = 4;
/** ReadBuffer sends one offset byte, then a status byte (§13.2.4). */
export const READ_BUFFER_DATA_OFFSET: i32 = 3;
/** The data buffer is 256 bytes shared by TX and RX (§13.2.3, §13.4.8); a payload length is one byte. */
export const DATA_BUFFER_SIZE: i32 = 256;
export const MAX_PAYLOAD_LENGTH: i32 = 255;

// Status byte (§13.5.1 GetStatus): bits 6:4 chip mode, bits 3:1 command status; bits 7 and 0 reserved.
export const STATUS_MODE_SHIFT: i32 = 4;
export const STATUS_COMMAND_SHIFT: i32 = 1;

/** Status byte bits 6:4 (§13.5.1). */
export const enum ChipMode {
  StandbyRc = 0x2,
  StandbyXosc = 0x3,
  FrequencySynthesis = 0x4,
  Receive = 0x5,
  Transmit = 0x6,
}

/** Status byte bits 3:1 (§13.5.1). */
export const enum CommandStatus {
  DataAvailable = 0x2,
  CommandTimeout = 0x3,
  ProcessingError = 0x4,
  ExecutionFailure = 0x5,
  TransmitDone = 0x6,
}

@inline export function chipModeOf(status: i32): i32 {
  return (status >> STATUS_MODE_SHIFT) & 0x7;
}

@inline export function commandStatusOf(status: i32): i32 {
  return (status >> STATUS_COMMAND_SHIFT) & 0x7;
}

/** SetStandby StdbyConfig (§13.1.2). */
export const enum StandbyMode {
  Rc = 0x00,
  Xosc = 0x01,
}

/** SetPacketType (§13.4.2). */
export const enum PacketType {
  Gfsk = 0x00,
  LoRa = 0x01,
}

/** SetRegulatorMode (§13.1.11): LDO only, or DC-DC + LDO (lower RX/TX current, needs the inductor). */
export const enum RegulatorMode {
  Ldo = 0x00,
  DcDc = 0x01,
}

/** Calibrate calibParam bits (§13.1.12); the whole set takes about 3.5 ms. */
export const enum CalibrationBlock {
  Rc64k = 0x01,
  Rc13M = 0x02,
  Pll = 0x04,
  AdcPulse = 0x08,
  AdcBulkN = 0x10,
  AdcBulkP = 0x20,
  Image = 0x40,
  All = 0x7f,
}

/** OpError bits of GetDeviceErrors (§13.6.1). */
export const enum DeviceError {
  Rc64kCalibration = 0x0001,
  Rc13MCalibration = 0x0002,
  PllCalibration = 0x0004,
  AdcCalibration = 0x0008,
  ImageCalibration = 0x0010,
  XoscStart = 0x0020,
  PllLock = 0x0040,
  PaRamp = 0x0100,
  /** Everything that means the chip cannot work as configured (all but the PA ramp flag). */
  CalibrationOrOscillator = 0x007f,
}

/** IRQ bits, shared by IrqMask, DIO masks, GetIrqStatus and ClearIrqStatus (§13.3.1, Table 13-29). */
export const enum Irq {
  TxDone = 0x0001,
  RxDone = 0x0002,
  PreambleDetected = 0x0004,
  SyncWordValid = 0x0008,
  HeaderValid = 0x0010,
  HeaderErr = 0x0020,
  CrcErr = 0x0040,
  CadDone = 0x0080,
  CadDetected = 0x0100,
  Timeout = 0x0200,
  /** Every source of Table 13-29. */
  All = 0x03ff,
}

/** SetTxParams RampTime (§13.4.4). */
export const enum RampTime {
  Ramp10Us = 0x00,
  Ramp20Us = 0x01,
  Ramp40Us = 0x02,
  Ramp80Us = 0x03,
  Ramp200Us = 0x04,
  Ramp800Us = 0x05,
  Ramp1700Us = 0x06,
  Ramp3400Us = 0x07,
}

/** SetPaConfig deviceSel (§13.1.14). */
export const enum PaDevice {
  Sx1262 = 0x00,
  Sx1261 = 0x01,
}

/** SetPaConfig paLut: "reserved and always 0x01" (§13.1.14). */
export const PA_LUT: i32 = 0x01;

/** SetPacketParams HeaderType for LoRa (§13.4.6.2). */
export const enum HeaderType {
  Explicit = 0x00,
  Implicit = 0x01,
}

/** SetCadParams cadSymbolNum (§13.4.7). */
export const enum CadSymbols {
  One = 0x00,
  Two = 0x01,
  Four = 0x02,
  Eight = 0x03,
  Sixteen = 0x04,
}

/** SetCadParams cadExitMode (§13.4.7): back to STDBY_RC, or stay in RX when something was detected. */
export const enum CadExitMode {
  CadOnly = 0x00,
  CadRx = 0x01,
}

/** Registers of §12 (Table 12-1) and of the §15 workarounds. */
export const enum Register {
  /** LoRa sync word, MSB then LSB; reset value 0x1424 (§12, Table 12-1). */
  LoRaSyncWordMsb = 0x0740,
  LoRaSyncWordLsb = 0x0741,
  /** IQ polarity set-up; bit 2 must match the IQ setting (§15.4). */
  IqPolaritySetup = 0x0736,
  /** TX modulation; bit 2 must be cleared only for LoRa BW 500 kHz (§15.1). */
  TxModulation = 0x0889,
  /** SX1262 PA clamping; bits 4:1 set for antenna-mismatch resistance (§15.2). */
  TxClampConfig = 0x08d8,
}

/** The bit §15.4 (IQ), §15.1 (BW500) workarounds each flip. */
export const IQ_POLARITY_STANDARD_BIT: i32 = 0x04;
export const TX_MODULATION_NOT_BW500_BIT: i32 = 0x04;
/** §15.2: "bits 4:1 of TxClampConfig set to 0b1111". */
export const TX_CLAMP_BITS: i32 = 0x1e;

/** SetRx timeout meaning "continuous receive, never time out" (§13.1.5). */
export const RX_CONTINUOUS: i32 = 0xffffff;
/** Largest timeout in 15.625 µs ticks that is not the continuous marker (§13.1.4/§13.1.5). */
export const TIMEOUT_MAX_TICKS: i32 = 0xfffffe;

/** Timeouts and delays count 15.625 µs ticks (§13.1.4): ticks = µs · 64 / 1000, rounded up. */
export function microsecondsToTicks(microseconds: i64): i32 {
  if (microseconds <= 0) return 0;
  const ticks = (microseconds * 64 + 999) / 1000;
  return ticks > <i64>TIMEOUT_MAX_TICKS ? TIMEOUT_MAX_TICKS : <i32>ticks;
}

/**
 * RF frequency word (§13.4.1): RfFreq = f · 2^25 / 32 MHz. 32 MHz = 2^11 · 15625, so the word is
 * f · 2^14 / 15625, exact in 64-bit integers (960 MHz · 2^14 < 2^44) and rounded to the nearest step
 * (15625 is odd, so there is never a tie).
 */
export function frequencyWord(frequencyHz: u32): u32 {
  return <u32>((<u64>frequencyHz * 16384 + 7812) / 15625);
}

/** The SX126x tunes 150–960 MHz (datasheet front page, "continuous frequency coverage"). */
export const MIN_FREQUENCY_HZ: u32 = 150_000_000;
export const MAX_FREQUENCY_HZ: u32 = 960_000_000;

/** LoRa bandwidth code for SetModulationParams (§13.4.5.2), or -1 when the chip has no such bandwidth. */
export function loRaBandwidthCode(bandwidthHz: u32): i32 {
  switch (bandwidthHz) {
    case 7_800:
      return 0x00;
    case 10_400:
      return 0x08;
    case 15_600:
      return 0x01;
    case 20_800:
      return 0x09;
    case 31_250:
      return 0x02;
    case 41_700:
      return 0x0a;
    case 62_500:
      return 0x03;
    case 125_000:
      return 0x04;
    case 250_000:
      return 0x05;
    case 500_000:
      return 0x06;
  }
  return -1;
}

/** LoRa coding rate code for SetModulationParams (§13.4.5.2): 4/5 → 0x01 … 4/8 → 0x04, or -1. */
export function loRaCodingRateCode(denominator: i32): i32 {
  return denominator >= 5 && denominator <= 8 ? denominator - 4 : -1;
}

/** Spreading factors SetModulationParams accepts (§13.4.5.2: SF5 … SF12, coded as themselves). */
export const MIN_SPREADING_FACTOR: i32 = 5;
export const MAX_SPREADING_FACTOR: i32 = 12;

/**
 * Two-byte sync word registers from the one-byte SX127x form (Table 12-1: 0x1424 private, 0x3444
 * public, the SX127x's 0x12 and 0x34): each nibble
 * becomes the high nibble of a byte whose low nibble is 4, so 0x12 → 0x1424 and 0x34 → 0x3444.
 */
export function syncWordRegisterValue(syncWord: u8): u16 {
  const high = <u16>((syncWord & 0xf0) | 0x04);
  const low = <u16>(((syncWord & 0x0f) << 4) | 0x04);
  return (high << 8) | low;
}

/** The register value after reset (§12, Table 12-1), used to recognise the chip. */
export const SYNC_WORD_RESET_VALUE: u16 = 0x1424;

/** TCXO supply voltages of SetDIO3AsTCXOCtrl, in millivolts, indexed by their code (§13.3.6). */
const TCXO_MILLIVOLTS: StaticArray<i32> = [1600, 1700, 1800, 2200, 2400, 2700, 3000, 3300];

/**
 * SetDIO3AsTCXOCtrl voltage code for a TCXO supply of `millivolts`: the highest listed voltage not
 * above the request, so a TCXO is never overdriven; -1 below 1.6 V (no code exists).
 */
export function tcxoVoltageCode(millivolts: i32): i32 {
  let code = -1;
  for (let i = 0; i < TCXO_MILLIVOLTS.length; i++) {
    if (unchecked(TCXO_MILLIVOLTS[i]) <= millivolts) code = i;
  }
  return code;
}

/**
 * CalibrateImage bands (§9.2.1, Table 9-2): low and high frequency bounds in MHz and the freq1/freq2
 * codes, which are the band edges in 4 MHz steps with margin (0xD7 = 215 · 4 = 860 MHz …). The
 * datasheet asks for these exact values; frequencies outside every band use the nearest band, since
 * computed codes have been seen to fail calibration on some chips.
 */
const IMAGE_BAND_LOW_MHZ: StaticArray<u32> = [430, 470, 779, 863, 902];
const IMAGE_BAND_HIGH_MHZ: StaticArray<u32> = [440, 510, 787, 870, 928];
const IMAGE_BAND_CODES: StaticArray<u16> = [0x6b6f, 0x7581, 0xc1c5, 0xd7db, 0xe1e9];

/** freq1 in bits 15:8, freq2 in bits 7:0, for the Table 9-2 band holding (or nearest to) `frequencyHz`. */
export function imageCalibrationCodes(frequencyHz: u32): u16 {
  const megahertz = frequencyHz / 1_000_000;
  let best = 0;
  let bestDistance: u32 = u32.MAX_VALUE;
  for (let i = 0; i < IMAGE_BAND_CODES.length; i++) {
    const low = unchecked(IMAGE_BAND_LOW_MHZ[i]);
    const high = unchecked(IMAGE_BAND_HIGH_MHZ[i]);
    if (megahertz >= low && megahertz <= high) return unchecked(IMAGE_BAND_CODES[i]);
    const distance = megahertz < low ? low - megahertz : megahertz - high;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = i;
    }
  }
  return unchecked(IMAGE_BAND_CODES[best]);
}

/**
 * CAD settings per spreading factor, AN1200.48 ("SX126X CAD performance evaluation") as reproduced in
 * ST RM0453 Table 36 for the same radio IP: 2 symbols up to SF8, 4 from SF9; cadDetPeak 22 … 28;
 * cadDetMin 10. SF5/SF6 are not in the table and reuse the SF7 values.
 */
export function cadSymbolsFor(spreadingFactor: i32): i32 {
  return spreadingFactor <= 8 ? CadSymbols.Two : CadSymbols.Four;
}

export function cadDetectionPeakFor(spreadingFactor: i32): i32 {
  if (spreadingFactor <= 8) return 22;
  if (spreadingFactor == 9) return 23;
  if (spreadingFactor == 10) return 24;
  if (spreadingFactor == 11) return 25;
  return 28;
}

export const CAD_DETECTION_MIN: i32 = 10;

/** Symbols counted by each cadSymbolNum code (§13.4.7). */
export function cadSymbolCount(code: i32): i32 {
  return code >= 0 && code <= 4 ? 1 << code : 0;
}
