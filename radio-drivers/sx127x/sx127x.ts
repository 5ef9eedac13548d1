// The SX127x family driver (LoRa modem only): register access over SpiBus (§4.3), configuration in
// SLEEP/STDBY, and the datasheet's transmit, continuous-receive and CAD sequences (§4.1.6 "LoRa
// Modem State Machine Sequences"). Chip-specific classes (SX1276) only name their version and bands.
// Everything is allocated in the constructor; no call allocates.
import { Pin, SpiBus } from "../bus";
import { timeOnAirMicroseconds } from "../lora/airtime";
import { LoRaConfig } from "../lora/lora-config";
import { Radio, RadioEvent, RadioState } from "../radio";
import {
  bandwidthCode,
  DetectionThreshold,
  DetectOptimize,
  Dio0Mapping,
  FIFO_SIZE,
  frequencyToFrf,
  HF_PORT_MIN_HZ,
  HOP_CHANNEL_CRC_ON_PAYLOAD,
  InvertIq,
  InvertIq2,
  IrqFlag,
  ModemStatus,
  Lna,
  MAX_PAYLOAD_LENGTH,
  MAX_SPREADING_FACTOR,
  MIN_SPREADING_FACTOR,
  ModemConfig1,
  ModemConfig2,
  ModemConfig3,
  Ocp,
  OpMode,
  PA_BOOST_DEFAULT_DAC_MAX_DBM,
  PA_BOOST_HIGH_POWER_MAX_DBM,
  PA_BOOST_MIN_DBM,
  PaConfig,
  PaDac,
  Register,
  RESET_PULSE_MICROSECONDS,
  RESET_READY_MICROSECONDS,
  RSSI_OFFSET_HF_PORT_DBM,
  RSSI_OFFSET_LF_PORT_DBM,
  SPI_WRITE,
} from "./registers";

/** RegModemStat bits that mean a frame is being received (receptionInProgress). */
const MODEM_STAT_RECEIVING: i32 =
  ModemStatus.SignalDetected | ModemStatus.SignalSynchronized | ModemStatus.RxOnGoing | ModemStatus.HeaderInfoValid;
/** Both FIFO halves start at 0 so that either direction can use all 255 bytes (§4.1 "LoRa Mode FIFO Data Buffer"). */
const TX_BASE_ADDRESS: u8 = 0x00;
const RX_BASE_ADDRESS: u8 = 0x00;

/** The datasheet's preamble register is 16 bits; fewer than 6 programmed symbols is not allowed (§4.1.1). */
const MIN_PREAMBLE_LENGTH: i32 = 6;
const MAX_PREAMBLE_LENGTH: i32 = 0xffff;

/** Band 3 (137–175 MHz) and band 2 top out below this; 250 and 500 kHz are not supported in band 3. */
const BAND_3_MAX_HZ: u32 = 175_000_000;
const FIRST_UNSUPPORTED_LOW_BAND_BANDWIDTH_CODE: i32 = 8;

/** Bytes of one SPI transaction: the address byte plus a whole FIFO's worth of data. */
const TRANSFER_BUFFER_SIZE: i32 = 1 + FIFO_SIZE;

export class SX127x extends Radio {
  /** The configuration begin() accepted; read by timeOnAirMicroseconds() and the RF-switch logic. */
  protected readonly config: LoRaConfig = new LoRaConfig();
  private readonly transmitBytes: StaticArray<u8> = new StaticArray<u8>(TRANSFER_BUFFER_SIZE);
  private readonly receiveBytes: StaticArray<u8> = new StaticArray<u8>(TRANSFER_BUFFER_SIZE);
  private currentState: RadioState = RadioState.Off;
  /** RegOpMode bits other than Mode: LongRangeMode, and LowFrequencyModeOn below band 1. */
  private opModeBase: i32 = OpMode.LongRangeMode;
  private highFrequencyPort: bool = true;
  /** RxDone was reported and the frame has not been read yet. */
  private frameReady: bool = false;

  constructor(
    bus: SpiBus,
    /** RegVersion of the chip this class drives. */
    private readonly expectedVersion: u8,
    private readonly minFrequencyHz: u32,
    private readonly maxFrequencyHz: u32,
  ) {
    super(bus);
  }

  begin(config: LoRaConfig): bool {
    this.currentState = RadioState.Off;
    this.frameReady = false;
    if (!this.accepts(config)) return false;
    this.config.copyFrom(config);
    this.highFrequencyPort = config.frequencyHz >= HF_PORT_MIN_HZ;
    this.opModeBase = OpMode.LongRangeMode | (this.highFrequencyPort ? 0 : OpMode.LowFrequencyModeOn);
    this.setRfSwitch(false, false);

    // §7.2.2 manual reset; afterwards every register holds its reset value and the chip is in FSK STDBY.
    this.bus.write(Pin.Reset, 0);
    this.bus.delayMicroseconds(RESET_PULSE_MICROSECONDS);
    this.bus.write(Pin.Reset, 1);
    this.bus.delayMicroseconds(RESET_READY_MICROSECONDS);

    // No chip, a dead bus (reads 0x00 or 0xFF) or another family (SX1272 = 0x22) must not be configured.
    if (this.readRegister(Register.Version) != <i32>this.expectedVersion) return false;

    // LongRangeMode can only change while the chip is already in SLEEP (register table, RegOpMode):
    // first SLEEP in FSK mode, then set LoRa mode in a second write.
    const portBit = this.opModeBase & OpMode.LowFrequencyModeOn;
    this.writeRegister(Register.OpMode, portBit | OpMode.Sleep);
    this.writeRegister(Register.OpMode, this.opModeBase | OpMode.Sleep);

    this.writeFrequency(config.frequencyHz);
    this.writeRegister(Register.FifoTxBaseAddr, TX_BASE_ADDRESS);
    this.writeRegister(Register.FifoRxBaseAddr, RX_BASE_ADDRESS);
    this.writeRegister(Register.Lna, Lna.GainMaximum | (this.highFrequencyPort ? Lna.BoostHfOn : 0));
    this.writePower(config.txPowerDbm);
    this.writeModulation(config);
    this.writePacketParameters(config);
    // Boards without a reset line keep their old flags and masks; start from a known state.
    this.writeRegister(Register.IrqFlagsMask, 0x00);
    this.writeRegister(Register.IrqFlags, IrqFlag.All);

    this.writeOpMode(OpMode.Standby);
    this.currentState = RadioState.Standby;
    return true;
  }

  maxFrameLength(): i32 {
    return MAX_PAYLOAD_LENGTH;
  }

  /** §4.1.6 data transmission: STDBY, FIFO from FifoTxBaseAddr, length, TX; TxDone returns to STDBY. */
  startTransmit(data: usize, length: i32): bool {
    if (this.currentState == RadioState.Off || this.currentState == RadioState.Transmitting) return false;
    if (length < 1 || length > MAX_PAYLOAD_LENGTH) return false;
    this.writeOpMode(OpMode.Standby);
    this.frameReady = false; // the payload overwrites the FIFO the last frame was received into
    this.writeRegister(Register.FifoAddrPtr, TX_BASE_ADDRESS);
    this.writeBurst(Register.Fifo, data, length);
    this.writeRegister(Register.PayloadLength, length);
    this.writeRegister(Register.DioMapping1, Dio0Mapping.TxDone);
    this.writeRegister(Register.IrqFlags, IrqFlag.All);
    this.setRfSwitch(false, true);
    this.writeOpMode(OpMode.Transmit);
    this.currentState = RadioState.Transmitting;
    return true;
  }

  /** §4.1.6 continuous reception: from STDBY select RXCONTINUOUS; each frame raises RxDone, RX goes on. */
  startReceive(): bool {
    if (this.currentState == RadioState.Off) return false;
    // Already listening: passing through STDBY would drop a frame being received.
    if (this.currentState == RadioState.Receiving) return true;
    this.writeOpMode(OpMode.Standby);
    this.writeRegister(Register.DioMapping1, Dio0Mapping.RxDone);
    this.writeRegister(Register.IrqFlags, IrqFlag.All);
    this.setRfSwitch(true, false);
    this.writeOpMode(OpMode.ReceiveContinuous);
    this.currentState = RadioState.Receiving;
    return true;
  }

  /** §4.1.6 channel activity detection: from STDBY select CAD; CadDone (with CadDetected) follows, back in STDBY. */
  startChannelActivityDetection(): bool {
    if (this.currentState == RadioState.Off) return false;
    this.writeOpMode(OpMode.Standby);
    this.writeRegister(Register.DioMapping1, Dio0Mapping.CadDone);
    this.writeRegister(Register.IrqFlags, IrqFlag.All);
    this.setRfSwitch(true, false);
    this.writeOpMode(OpMode.ChannelActivityDetection);
    this.currentState = RadioState.DetectingActivity;
    return true;
  }

  /**
   * RegModemStat (0x18, §4.1.6 and the register table): signal detected, signal synchronized, RX
   * on-going or header info valid — live status, cleared by the modem itself when the frame ends or
   * the detection comes to nothing.
   */
  receptionInProgress(_nowMs: i64): bool {
    if (this.currentState != RadioState.Receiving) return false;
    return (this.readRegister(Register.ModemStat) & MODEM_STAT_RECEIVING) != 0;
  }

  interruptPending(): bool {
    return this.currentState != RadioState.Off && this.bus.read(Pin.Irq) != 0;
  }

  takeEvents(): u32 {
    if (this.currentState == RadioState.Off) return RadioEvent.None;
    const flags = this.readRegister(Register.IrqFlags);
    if (flags == 0) return RadioEvent.None;
    // Clear exactly what was read, so a flag raised between the two transfers is not lost.
    this.writeRegister(Register.IrqFlags, flags);
    let events: u32 = RadioEvent.None;
    if (flags & IrqFlag.TxDone) {
      events |= RadioEvent.TxDone;
      if (this.currentState == RadioState.Transmitting) this.returnedToStandby();
    }
    if (flags & IrqFlag.CadDone) {
      events |= RadioEvent.CadDone;
      if (flags & IrqFlag.CadDetected) events |= RadioEvent.CadDetected;
      if (this.currentState == RadioState.DetectingActivity) this.returnedToStandby();
    }
    if (flags & IrqFlag.RxTimeout) events |= RadioEvent.Timeout;
    if (flags & IrqFlag.RxDone) {
      if (flags & IrqFlag.PayloadCrcError || !this.payloadCrcWasChecked()) {
        events |= RadioEvent.CrcError;
        this.frameReady = false;
      } else {
        events |= RadioEvent.RxDone;
        this.frameReady = true;
      }
    }
    return events;
  }

  /** §4.1.6 payload read: FifoAddrPtr = FifoRxCurrentAddr, then RxNbBytes bytes from RegFifo; RSSI/SNR per §5.5.5. */
  readFrame(out: usize): i32 {
    if (!this.frameReady) return -1;
    this.frameReady = false;
    const length = this.readRegister(Register.RxNbBytes);
    this.writeRegister(Register.FifoAddrPtr, this.readRegister(Register.FifoRxCurrentAddr));
    this.readBurst(Register.Fifo, out, length);
    // RegPktSnrValue (0x19) and RegPktRssiValue (0x1A) are adjacent: one burst reads both.
    this.readBurst(Register.PktSnrValue, 0, 2);
    const receive = changetype<usize>(this.receiveBytes);
    const snrQuarterDb = <i32>load<i8>(receive + 1);
    const packetRssi = <i32>load<u8>(receive + 2);
    this.snrDb = packetSnrDb(snrQuarterDb);
    this.rssiDbm = packetStrengthDbm(packetRssi, snrQuarterDb, this.highFrequencyPort);
    return length;
  }


  timeOnAirMicroseconds(length: i32): i64 {
    // SX1276 datasheet §4.1.1.7: SF6 uses the general formula (the SX126x's SF5/6 variant does not apply).
    return timeOnAirMicroseconds(this.config, length, false);
  }

  standby(): void {
    if (this.currentState == RadioState.Off) return;
    this.writeOpMode(OpMode.Standby);
    this.returnedToStandby();
  }

  state(): RadioState {
    return this.currentState;
  }

  /** Whether this chip can run `config` (bad settings are refused before any SPI traffic). */
  protected accepts(config: LoRaConfig): bool {
    if (config.frequencyHz < this.minFrequencyHz || config.frequencyHz > this.maxFrequencyHz) return false;
    const sf = config.spreadingFactor;
    if (sf < MIN_SPREADING_FACTOR || sf > MAX_SPREADING_FACTOR) return false;
    // §4.1.1.2: SF6 works only in implicit header mode.
    if (sf == MIN_SPREADING_FACTOR && config.explicitHeader) return false;
    const bandwidth = bandwidthCode(config.bandwidthHz);
    if (bandwidth < 0) return false;
    if (config.frequencyHz <= BAND_3_MAX_HZ && bandwidth >= FIRST_UNSUPPORTED_LOW_BAND_BANDWIDTH_CODE) return false;
    if (config.codingRateDenominator < 5 || config.codingRateDenominator > 8) return false;
    return config.preambleLength >= MIN_PREAMBLE_LENGTH && config.preambleLength <= MAX_PREAMBLE_LENGTH;
  }

  private writeFrequency(frequencyHz: u32): void {
    // One burst MSB → LSB: the synthesizer takes the new value when FrfLsb is written.
    const frf = frequencyToFrf(frequencyHz);
    const transmit = changetype<usize>(this.transmitBytes);
    store<u8>(transmit + 1, <u8>(frf >> 16));
    store<u8>(transmit + 2, <u8>(frf >> 8));
    store<u8>(transmit + 3, <u8>frf);
    this.writePrepared(Register.FrfMsb, 3);
  }

  /** PA_BOOST only: the ESP32 boards this stack targets wire PA_BOOST, not RFO (§5.4.2, §5.4.3, §5.4.4). */
  private writePower(requestedDbm: i32): void {
    const dbm = min(max(requestedDbm, PA_BOOST_MIN_DBM), PA_BOOST_HIGH_POWER_MAX_DBM);
    let outputPower: i32;
    let paDac: i32;
    let ocp: i32;
    if (dbm > PA_BOOST_DEFAULT_DAC_MAX_DBM) {
      // High-power DAC: Pout = 20 − (15 − OutputPower), and the PA draws ~120 mA: raise OCP to 140 mA.
      outputPower = dbm - (PA_BOOST_HIGH_POWER_MAX_DBM - 15);
      paDac = PaDac.HighPower;
      ocp = Ocp.On | Ocp.Trim140mA;
    } else {
      // Pout = 17 − (15 − OutputPower).
      outputPower = dbm - (PA_BOOST_DEFAULT_DAC_MAX_DBM - 15);
      paDac = PaDac.Default;
      ocp = Ocp.On | Ocp.Trim100mA;
    }
    this.writeRegister(Register.PaConfig, PaConfig.SelectPaBoost | PaConfig.MaxPowerHighest | outputPower);
    this.writeRegister(Register.Ocp, ocp);
    this.writeRegister(Register.PaDac, paDac);
  }

  private writeModulation(config: LoRaConfig): void {
    this.writeRegister(Register.ModemConfig1, modemConfig1(config));
    this.writeRegister(Register.ModemConfig2, modemConfig2(config));
    this.writeRegister(Register.ModemConfig3, modemConfig3(config));
    const sf6 = config.spreadingFactor == MIN_SPREADING_FACTOR;
    this.writeRegister(Register.DetectOptimize, sf6 ? DetectOptimize.Sf6 : DetectOptimize.Sf7To12);
    this.writeRegister(Register.DetectionThreshold, sf6 ? DetectionThreshold.Sf6 : DetectionThreshold.Sf7To12);
  }

  private writePacketParameters(config: LoRaConfig): void {
    const transmit = changetype<usize>(this.transmitBytes);
    store<u8>(transmit + 1, <u8>(config.preambleLength >> 8));
    store<u8>(transmit + 2, <u8>config.preambleLength);
    this.writePrepared(Register.PreambleMsb, 2);
    this.writeRegister(Register.SyncWord, config.syncWord);
    this.writeRegister(Register.InvertIq, config.invertIq ? InvertIq.Inverted : InvertIq.Normal);
    this.writeRegister(Register.InvertIq2, config.invertIq ? InvertIq2.Inverted : InvertIq2.Normal);
  }

  /**
   * In explicit header mode the receiver takes the CRC setting from the sender's header
   * (RegModemConfig2.RxPayloadCrcOn is TX-only there), so a frame sent without CRC would pass
   * unchecked; RegHopChannel.CrcOnPayload tells (register table). Such a frame is refused when this
   * configuration asks for a CRC.
   */
  private payloadCrcWasChecked(): bool {
    if (!this.config.crcOn || !this.config.explicitHeader) return true;
    return (this.readRegister(Register.HopChannel) & HOP_CHANNEL_CRC_ON_PAYLOAD) != 0;
  }

  private returnedToStandby(): void {
    this.currentState = RadioState.Standby;
    this.setRfSwitch(false, false);
  }

  private writeOpMode(mode: i32): void {
    this.writeRegister(Register.OpMode, this.opModeBase | mode);
  }

  /** Boards whose RF switch is wired to MCU pins rather than driven by the chip. */
  private setRfSwitch(receive: bool, transmit: bool): void {
    if (!this.config.mcuRfSwitch) return;
    this.bus.write(Pin.RxEnable, receive ? 1 : 0);
    this.bus.write(Pin.TxEnable, transmit ? 1 : 0);
  }

  // §4.3 SPI access: SINGLE is one address byte and one data byte; BURST continues with the next
  // address for each further byte, except RegFifo, where each byte goes through RegFifoAddrPtr.

  /** Writes the low byte of `value` to one register. */
  private writeRegister(address: Register, value: i32): void {
    store<u8>(changetype<usize>(this.transmitBytes) + 1, <u8>value);
    this.writePrepared(address, 1);
  }

  private readRegister(address: Register): i32 {
    this.readBurst(address, 0, 1);
    return <i32>load<u8>(changetype<usize>(this.receiveBytes) + 1);
  }

  /** Writes `length` bytes already placed after the address byte in the transmit buffer. */
  private writePrepared(address: Register, length: i32): void {
    const transmit = changetype<usize>(this.transmitBytes);
    store<u8>(transmit, SPI_WRITE | <u8>address);
    this.bus.transfer(transmit, changetype<usize>(this.receiveBytes), 1 + length);
  }

  private writeBurst(address: Register, source: usize, length: i32): void {
    memory.copy(changetype<usize>(this.transmitBytes) + 1, source, <usize>length);
    this.writePrepared(address, length);
  }

  /** Reads `length` bytes into the receive buffer after the address byte; copies them to `destination` unless 0. */
  private readBurst(address: Register, destination: usize, length: i32): void {
    const transmit = changetype<usize>(this.transmitBytes);
    const receive = changetype<usize>(this.receiveBytes);
    store<u8>(transmit, <u8>address);
    memory.fill(transmit + 1, 0, <usize>length);
    this.bus.transfer(transmit, receive, 1 + length);
    if (destination != 0) memory.copy(destination, receive + 1, <usize>length);
  }
}

/** RegModemConfig1: Bw | CodingRate | ImplicitHeaderModeOn. `config` must have passed accepts(). */
export function modemConfig1(config: LoRaConfig): i32 {
  return (
    (bandwidthCode(config.bandwidthHz) << ModemConfig1.BandwidthShift) |
    ((config.codingRateDenominator - 4) << ModemConfig1.CodingRateShift) |
    (config.explicitHeader ? 0 : ModemConfig1.ImplicitHeaderModeOn)
  );
}

/** RegModemConfig2: SpreadingFactor | RxPayloadCrcOn; TxContinuousMode and SymbTimeout(9:8) stay 0. */
export function modemConfig2(config: LoRaConfig): i32 {
  const crc = config.crcOn ? ModemConfig2.RxPayloadCrcOn : 0;
  return (config.spreadingFactor << ModemConfig2.SpreadingFactorShift) | crc;
}

/** RegModemConfig3: LowDataRateOptimize when a symbol exceeds 16 ms, and the AGC sets the LNA gain. */
export function modemConfig3(config: LoRaConfig): i32 {
  return (config.lowDataRateOptimize() ? ModemConfig3.LowDataRateOptimize : 0) | ModemConfig3.AgcAutoOn;
}

/** §5.5.5: RegPktSnrValue is the SNR in two's complement quarter dB. */
export function packetSnrDb(snrQuarterDb: i32): f32 {
  return <f32>snrQuarterDb * 0.25;
}

/**
 * §5.5.5: Packet Strength = offset + PacketRssi, and when SNR < 0 (a packet below the noise floor)
 * + PacketSnr · 0.25, with offset −157 dBm on the HF port and −164 dBm on the LF port.
 */
export function packetStrengthDbm(packetRssi: i32, snrQuarterDb: i32, highFrequencyPort: bool): f32 {
  const offset = highFrequencyPort ? RSSI_OFFSET_HF_PORT_DBM : RSSI_OFFSET_LF_PORT_DBM;
  const strength = <f32>(offset + packetRssi);
  return snrQuarterDb < 0 ? strength + packetSnrDb(snrQuarterDb) : strength;
}
