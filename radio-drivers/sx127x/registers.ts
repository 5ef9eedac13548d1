// The SX1276/77/78/79 LoRa-mode register map, transcribed from the Semtech datasheet
// (DS_SX1276-7-8-9_W_APP, Rev. 7): §6 "Description of the Registers" (Table 41 register summary,
// the LoRa-mode register table after it) and the sections each constant cites. Addresses 0x0D–0x3F
// name different registers in FSK/OOK mode; everything here assumes RegOpMode.LongRangeMode = 1.

/** Register addresses (LoRa mode). */
export const enum Register {
  /** FIFO read/write through RegFifoAddrPtr, which then increments (§4.1 "LoRa Mode FIFO Data Buffer"). */
  Fifo = 0x00,
  OpMode = 0x01,
  /** RegFrfMsb/Mid/Lsb: Frf = f · 2^19 / F(XOSC), applied when Lsb is written (§4.1 "Frequency Settings"). */
  FrfMsb = 0x06,
  FrfMid = 0x07,
  FrfLsb = 0x08,
  PaConfig = 0x09,
  PaRamp = 0x0a,
  Ocp = 0x0b,
  Lna = 0x0c,
  FifoAddrPtr = 0x0d,
  FifoTxBaseAddr = 0x0e,
  FifoRxBaseAddr = 0x0f,
  /** Start address (in the FIFO) of the last packet received. Read-only. */
  FifoRxCurrentAddr = 0x10,
  IrqFlagsMask = 0x11,
  /** Writing a 1 to a bit clears it. */
  IrqFlags = 0x12,
  /** Payload bytes of the last packet received. Read-only. */
  RxNbBytes = 0x13,
  RxHeaderCountMsb = 0x14,
  RxHeaderCountLsb = 0x15,
  RxPacketCountMsb = 0x16,
  RxPacketCountLsb = 0x17,
  ModemStat = 0x18,
  /** SNR of the last packet: two's complement, in quarter dB (§5.5.5). */
  PktSnrValue = 0x19,
  /** RSSI of the last packet, offset by −157 (HF port) or −164 (LF port) dBm (§5.5.5). */
  PktRssiValue = 0x1a,
  RssiValue = 0x1b,
  /** Bit 6 CrcOnPayload: whether the received explicit header announced a payload CRC. */
  HopChannel = 0x1c,
  ModemConfig1 = 0x1d,
  ModemConfig2 = 0x1e,
  SymbTimeoutLsb = 0x1f,
  PreambleMsb = 0x20,
  PreambleLsb = 0x21,
  PayloadLength = 0x22,
  MaxPayloadLength = 0x23,
  HopPeriod = 0x24,
  FifoRxByteAddr = 0x25,
  ModemConfig3 = 0x26,
  PpmCorrection = 0x27,
  DetectOptimize = 0x31,
  InvertIq = 0x33,
  DetectionThreshold = 0x37,
  SyncWord = 0x39,
  InvertIq2 = 0x3b,
  DioMapping1 = 0x40,
  DioMapping2 = 0x41,
  Version = 0x42,
  /** Enables the +20 dBm option on PA_BOOST (§5.4.3). */
  PaDac = 0x4d,
}

/** §4.3 SPI interface: the first byte is wnr (bit 7: 1 = write, 0 = read) followed by a 7-bit address. */
export const SPI_WRITE: u8 = 0x80;
export const SPI_ADDRESS_MASK: u8 = 0x7f;

/** The FIFO: 256 bytes shared by TX and RX (§4.1 "LoRa Mode FIFO Data Buffer"); a payload is at most 255 bytes. */
export const FIFO_SIZE: i32 = 256;
export const MAX_PAYLOAD_LENGTH: i32 = 255;

/** RegOpMode (0x01) fields (§4.1 "Operating Mode Control" and the register table). */
export const enum OpMode {
  /** 1 = LoRa; can only be changed in SLEEP, a write in any other mode is ignored. */
  LongRangeMode = 0x80,
  /** 1 = FSK registers visible at 0x0D–0x3F while in LoRa mode; we never set it. */
  AccessSharedReg = 0x40,
  /** 1 = low-frequency port registers (bands 2/3, ≤ 525 MHz); reset value 1. */
  LowFrequencyModeOn = 0x08,
  ModeMask = 0x07,
  Sleep = 0x00,
  Standby = 0x01,
  FrequencySynthesisTx = 0x02,
  Transmit = 0x03,
  FrequencySynthesisRx = 0x04,
  ReceiveContinuous = 0x05,
  ReceiveSingle = 0x06,
  ChannelActivityDetection = 0x07,
}

/** RegPaConfig (0x09): PaSelect | MaxPower << 4 | OutputPower (§5.4.2). */
export const enum PaConfig {
  /** PA_BOOST pin: Pout = 17 − (15 − OutputPower) dBm, or with PaDac = 0x87, Pout = 20 − (15 − OutputPower). */
  SelectPaBoost = 0x80,
  /** MaxPower only shapes the RFO pin (Pmax = 10.8 + 0.6·MaxPower); 7 = its maximum, harmless on PA_BOOST. */
  MaxPowerHighest = 0x70,
  OutputPowerMask = 0x0f,
}

/** PA_BOOST output range in dBm: 2..17 with the default PA DAC, up to 20 with the high-power DAC (§5.4.3). */
export const PA_BOOST_MIN_DBM: i32 = 2;
export const PA_BOOST_DEFAULT_DAC_MAX_DBM: i32 = 17;
export const PA_BOOST_HIGH_POWER_MAX_DBM: i32 = 20;

/** RegPaDac (0x4D) bits 2–0: 0x04 default, 0x07 = +20 dBm on PA_BOOST (§5.4.3); bits 7–3 keep reset value. */
export const enum PaDac {
  Default = 0x84,
  HighPower = 0x87,
}

/**
 * RegOcp (0x0B): OcpOn (bit 5) | OcpTrim (bits 4–0) (§5.4.4). Imax = 45 + 5·OcpTrim mA for
 * OcpTrim ≤ 15, −30 + 10·OcpTrim mA for 15 < OcpTrim ≤ 27.
 */
export const enum Ocp {
  On = 0x20,
  /** OcpTrim 11: 45 + 5·11 = 100 mA (reset value); +17 dBm on PA_BOOST draws ~87 mA (§2 power consumption). */
  Trim100mA = 0x0b,
  /** OcpTrim 17: −30 + 10·17 = 140 mA; +20 dBm draws ~120 mA (§2 power consumption), so 100 mA would trip. */
  Trim140mA = 0x11,
}

/** RegLna (0x0C): LnaGain (bits 7–5) | LnaBoostLf (4–3, must stay 00) | LnaBoostHf (1–0). */
export const enum Lna {
  /** G1, maximum gain; with AgcAutoOn the AGC overrides it, but it is the documented starting point. */
  GainMaximum = 0x20,
  /** 11 = boost on, 150 % LNA current on the HF port; better sensitivity for ~1 mA (register table). */
  BoostHfOn = 0x03,
}

/** RegIrqFlags (0x12) and RegIrqFlagsMask (0x11) bits (§4.1 "Interrupts in LoRa Mode"). */
export const enum IrqFlag {
  RxTimeout = 0x80,
  RxDone = 0x40,
  PayloadCrcError = 0x20,
  ValidHeader = 0x10,
  TxDone = 0x08,
  CadDone = 0x04,
  FhssChangeChannel = 0x02,
  CadDetected = 0x01,
  All = 0xff,
}

/** RegModemStat (0x18) bits in LoRa mode (register table, §4.1.6); bits 7–5 are the last header's RxCodingRate. */
export const enum ModemStatus {
  SignalDetected = 0x01,
  SignalSynchronized = 0x02,
  RxOnGoing = 0x04,
  HeaderInfoValid = 0x08,
  ModemClear = 0x10,
}

/** RegHopChannel (0x1C) bit 6: the received explicit header says the payload carries a CRC. */
export const HOP_CHANNEL_CRC_ON_PAYLOAD: u8 = 0x40;

/** RegModemConfig1 (0x1D): Bw (7–4) | CodingRate (3–1) | ImplicitHeaderModeOn (0). */
export const enum ModemConfig1 {
  BandwidthShift = 4,
  BandwidthMask = 0xf0,
  /** CodingRate field = denominator − 4: 001 = 4/5 … 100 = 4/8 (§4.1.1.3). */
  CodingRateShift = 1,
  CodingRateMask = 0x0e,
  ImplicitHeaderModeOn = 0x01,
}

/** RegModemConfig2 (0x1E): SpreadingFactor (7–4) | TxContinuousMode (3) | RxPayloadCrcOn (2) | SymbTimeout(9:8). */
export const enum ModemConfig2 {
  SpreadingFactorShift = 4,
  SpreadingFactorMask = 0xf0,
  TxContinuousMode = 0x08,
  RxPayloadCrcOn = 0x04,
}

/** RegModemConfig3 (0x26): LowDataRateOptimize (3) | AgcAutoOn (2). */
export const enum ModemConfig3 {
  /** Mandated when a symbol lasts more than 16 ms (§4.1.1.6): SF11 and SF12 at 125 kHz. */
  LowDataRateOptimize = 0x08,
  /** LNA gain from the internal AGC loop rather than RegLna.LnaGain. */
  AgcAutoOn = 0x04,
}

/**
 * RegModemConfig1.Bw codes (register table): 0 = 7.8 … 9 = 500 kHz, indexed by this table of
 * bandwidths in Hz. 250 and 500 kHz are not supported in the 169 MHz band.
 */
export const BANDWIDTH_HZ: StaticArray<u32> = [
  7_800, 10_400, 15_600, 20_800, 31_250, 41_700, 62_500, 125_000, 250_000, 500_000,
];

/** Spreading factors of the SX127x LoRa modem (§4.1.1.2); SF6 only in implicit header mode. */
export const MIN_SPREADING_FACTOR: i32 = 6;
export const MAX_SPREADING_FACTOR: i32 = 12;

/**
 * RegDetectOptimize (0x31) and RegDetectionThreshold (0x37) per spreading factor (§4.1.1.2 and the
 * register table): SF7–SF12 use DetectionOptimize 0x3 and threshold 0x0A (both reset values), SF6
 * needs 0x5 and 0x0C. Bits 7–3 of RegDetectOptimize are reserved with reset value 0x18, kept here.
 */
export const enum DetectOptimize {
  Sf7To12 = 0xc3,
  Sf6 = 0xc5,
}
export const enum DetectionThreshold {
  Sf7To12 = 0x0a,
  Sf6 = 0x0c,
}

/**
 * RegInvertIQ (0x33) / RegInvertIQ2 (0x3B). Bit 6 inverts the RX path; bit 0 controls the TX path
 * and, as Semtech's reference driver for this chip shows, is active low (1 = TX not inverted; the
 * datasheet's table is ambiguous). Bits 5–1 keep their reset value (0x27 = normal). RegInvertIQ2 must
 * be 0x19 when inverted and 0x1D otherwise. A mesh inverts both paths or neither.
 */
export const enum InvertIq {
  Normal = 0x27,
  Inverted = 0x66,
}
export const enum InvertIq2 {
  Normal = 0x1d,
  Inverted = 0x19,
}

/** RegSyncWord (0x39): 0x12 reset value (private networks), 0x34 reserved for LoRaWAN. */
export const SYNC_WORD_PRIVATE: u8 = 0x12;

/** RegDioMapping1 (0x40) bits 7–6, what DIO0 signals in LoRa mode (§4.1.6, DIO mapping table). */
export const enum Dio0Mapping {
  RxDone = 0x00,
  TxDone = 0x40,
  CadDone = 0x80,
  None = 0xc0,
  Mask = 0xc0,
}

/** RegVersion (0x42): 0x12 on SX1276/77/78/79 (the SX1272 answers 0x22). */
export const SX1276_VERSION: u8 = 0x12;

/** The reference design's 32 MHz crystal; Fstep = F(XOSC) / 2^19 ≈ 61.035 Hz (§4.1 "Frequency Settings"). */
export const CRYSTAL_HZ: u64 = 32_000_000;
export const FRF_SHIFT: u64 = 19;

/**
 * §5.5.5 "RSSI and SNR in LoRa Mode": Packet Strength (dBm) = offset + PacketRssi (+ PacketSnr·0.25
 * when SNR < 0), with offset −157 on the HF port (band 1, 862–1020 MHz) and −164 on the LF port.
 */
export const RSSI_OFFSET_HF_PORT_DBM: i32 = -157;
export const RSSI_OFFSET_LF_PORT_DBM: i32 = -164;
/** Band 1, the HF port (RFI_HF/RFO_HF), covers 862–1020 MHz; bands 2 and 3 (≤ 525 MHz) use the LF port. */
export const HF_PORT_MIN_HZ: u32 = 862_000_000;

/**
 * §7.2.2 "Manual Reset": hold NRESET low for 100 µs, release it, then wait 5 ms before using the
 * chip (10 ms after power-on, §7.2.1; the host has powered it long before begin()).
 */
export const RESET_PULSE_MICROSECONDS: i32 = 100;
export const RESET_READY_MICROSECONDS: i32 = 5_000;

/** Frf register value for `frequencyHz`, rounded to the nearest 61 Hz step. */
export function frequencyToFrf(frequencyHz: u32): u32 {
  return <u32>(((<u64>frequencyHz << FRF_SHIFT) + CRYSTAL_HZ / 2) / CRYSTAL_HZ);
}

/** The RegModemConfig1.Bw code for `bandwidthHz`, or -1 when the chip has no such bandwidth. */
export function bandwidthCode(bandwidthHz: u32): i32 {
  for (let code = 0; code < BANDWIDTH_HZ.length; code++) {
    if (unchecked(BANDWIDTH_HZ[code]) == bandwidthHz) return code;
  }
  return -1;
}
