// Everything a LoRa driver needs to configure its chip, composed from the board (chip, TCXO, RF
// switch), the region (frequency, power limit) and the preset (SF, BW, CR). Drivers read this object;
// they never take settings as positional arguments.

export class LoRaConfig {
  /** Carrier frequency in Hz. */
  frequencyHz: u32 = 869_525_000;
  /** Spreading factor 5..12 (SX127x: 6..12). */
  spreadingFactor: i32 = 7;
  /** Bandwidth in Hz: 7_800, 10_400, 15_600, 20_800, 31_250, 41_700, 62_500, 125_000, 250_000, 500_000. */
  bandwidthHz: u32 = 125_000;
  /** Coding rate denominator 5..8, i.e. 4/5..4/8. */
  codingRateDenominator: i32 = 5;
  /** Preamble length in symbols (the chip adds 4.25). */
  preambleLength: i32 = 16;
  /**
   * Sync word as one byte, the SX127x convention: 0x12 private networks, 0x34 LoRaWAN public. The
   * SX126x driver expands it to its two-byte register form (0x1424 / 0x3444).
   */
  syncWord: u8 = 0x12;
  /** Transmit power at the chip's output in dBm (the region limit is applied before this is set). */
  txPowerDbm: i32 = 14;
  /** Payload CRC appended and checked by the chip. */
  crcOn: bool = true;
  /** Explicit header mode (length and coding rate in a header the receiver decodes). */
  explicitHeader: bool = true;
  /** Inverted IQ (LoRaWAN downlinks); meshes use normal IQ. */
  invertIq: bool = false;

  // Board-specific.
  /** TCXO supply voltage in millivolts driven from the chip's DIO3 (SX126x); 0 = crystal, no TCXO. */
  tcxoMillivolts: i32 = 0;
  /** SX126x drives the RF switch from DIO2. */
  dio2AsRfSwitch: bool = false;
  /** The MCU drives RX/TX enable lines (Pin.RxEnable / Pin.TxEnable). */
  mcuRfSwitch: bool = false;
  /** SX1262 high-power PA (+22 dBm) rather than SX1261 low-power PA (+15 dBm). */
  highPowerPa: bool = true;

  /** Low data rate optimisation is required when a symbol lasts more than 16 ms (datasheets, §6.1.1.4 SX126x). */
  lowDataRateOptimize(): bool {
    return symbolMicroseconds(this.spreadingFactor, this.bandwidthHz) > 16_000;
  }

  copyFrom(other: LoRaConfig): void {
    this.frequencyHz = other.frequencyHz;
    this.spreadingFactor = other.spreadingFactor;
    this.bandwidthHz = other.bandwidthHz;
    this.codingRateDenominator = other.codingRateDenominator;
    this.preambleLength = other.preambleLength;
    this.syncWord = other.syncWord;
    this.txPowerDbm = other.txPowerDbm;
    this.crcOn = other.crcOn;
    this.explicitHeader = other.explicitHeader;
    this.invertIq = other.invertIq;
    this.tcxoMillivolts = other.tcxoMillivolts;
    this.dio2AsRfSwitch = other.dio2AsRfSwitch;
    this.mcuRfSwitch = other.mcuRfSwitch;
    this.highPowerPa = other.highPowerPa;
  }
}

/** Duration of one LoRa symbol, 2^SF / BW, in microseconds. */
export function symbolMicroseconds(spreadingFactor: i32, bandwidthHz: u32): f64 {
  return (<f64>(1 << spreadingFactor) * 1e6) / <f64>bandwidthHz;
}
