// SX126x family driver (SX1261/SX1262/SX1268 LoRa): the Radio interface over the command set in
// commands.ts, following the SX1261/2 datasheet's configuration order (§14.2 "Circuit Configuration
// for Basic Tx Operation", §14.3 for RX) and applying the §15 "Known Limitations" workarounds that
// concern LoRa. Chip classes (sx1262.ts) add their power amplifier and chip-only workarounds.
//
// Every command waits for BUSY low (§8.3.1) with a bounded poll. A chip that never becomes ready
// makes the current operation skip its remaining commands and report failure: nothing hangs, and
// nothing here allocates after the constructor.
import { Pin, SpiBus } from "../bus";
import { timeOnAirMicroseconds } from "../lora/airtime";
import { LoRaConfig } from "../lora/lora-config";
import { Radio, RadioEvent, RadioState } from "../radio";
import {
  CAD_DETECTION_MIN,
  CadExitMode,
  CalibrationBlock,
  ChipMode,
  CommandStatus,
  cadDetectionPeakFor,
  cadSymbolsFor,
  chipModeOf,
  commandStatusOf,
  DeviceError,
  frequencyWord,
  HeaderType,
  IQ_POLARITY_STANDARD_BIT,
  Irq,
  imageCalibrationCodes,
  loRaBandwidthCode,
  loRaCodingRateCode,
  MAX_FREQUENCY_HZ,
  MAX_PAYLOAD_LENGTH,
  MAX_SPREADING_FACTOR,
  MIN_FREQUENCY_HZ,
  MIN_SPREADING_FACTOR,
  microsecondsToTicks,
  Opcode,
  PA_LUT,
  PacketType,
  READ_BUFFER_DATA_OFFSET,
  READ_REGISTER_DATA_OFFSET,
  READ_STATUS_BYTES,
  RampTime,
  Register,
  RegulatorMode,
  RX_CONTINUOUS,
  StandbyMode,
  SYNC_WORD_RESET_VALUE,
  syncWordRegisterValue,
  TX_MODULATION_NOT_BW500_BIT,
  tcxoVoltageCode,
} from "./commands";

/** Largest transaction: ReadBuffer's opcode, offset and status byte, then a whole frame (§13.2.4). */
const TRANSACTION_BUFFER_SIZE: i32 = READ_BUFFER_DATA_OFFSET + MAX_PAYLOAD_LENGTH;

/** NRESET must be held low at least 100 µs (§8.1); twice that leaves margin for slow GPIO. */
const RESET_PULSE_MICROSECONDS: i32 = 200;

/**
 * BUSY polling. The longest legitimate busy period is a calibration after TCXO start-up (TCXO delay
 * plus about 3.5 ms, §13.1.12) or an image calibration, which boards have been seen to stretch
 * towards 100 ms; 250 ms is a generous bound that still fails fast on a dead chip.
 */
const BUSY_POLL_MICROSECONDS: i32 = 10;
const BUSY_TIMEOUT_MICROSECONDS: i32 = 250_000;

/** Time DIO3 gives the TCXO to settle before the chip uses it (§13.3.6); typical TCXOs need 1–5 ms. */
const TCXO_STARTUP_MICROSECONDS: i64 = 5_000;

/**
 * SetTx gets a safety timeout instead of none (§13.1.4), so a transmission that never completes
 * (brown-out, PLL unlock) ends in a Timeout event rather than a radio stuck in Transmitting. The
 * margin over the computed time on air covers rounding and the PA ramp.
 */
const TX_TIMEOUT_MARGIN_MICROSECONDS: i64 = 50_000;

/** Every interrupt the driver reports, routed to DIO1 (§13.3.1). */
const DRIVER_IRQ_MASK: i32 =
  Irq.TxDone | Irq.RxDone | Irq.HeaderErr | Irq.CrcErr | Irq.CadDone | Irq.CadDetected | Irq.Timeout;
/**
 * Flags that a frame is being received (§13.3.1, Table 13-29): enabled in the IrqMask so GetIrqStatus
 * shows them, but not routed to DIO1 — receptionInProgress() polls them before a CAD, nothing else
 * needs to wake for them.
 */
const RECEPTION_IRQ_MASK: i32 = Irq.PreambleDetected | Irq.HeaderValid;
/** Flags that end a reception: after them the detection flags belong to the frame that ended. */
const RECEPTION_END_IRQ_MASK: i32 = Irq.RxDone | Irq.HeaderErr | Irq.CrcErr | Irq.Timeout;
/** No detection flag seen yet. */
const NOT_DETECTED: i64 = -1;

/** PA configuration for one requested power: SetPaConfig (§13.1.14) and SetTxParams (§13.4.4) arguments. */
export class PowerAmplifierSetting {
  dutyCycle: i32 = 0;
  hpMax: i32 = 0;
  deviceSelect: i32 = 0;
  /** SetTxParams power, dBm, as the chip interprets it for the selected PA. */
  txPowerDbm: i32 = 0;
}

export abstract class SX126x extends Radio {
  /** The settings of the last successful begin(); a copy, as callers reuse their config object. */
  protected readonly config: LoRaConfig = new LoRaConfig();
  private readonly powerAmplifier: PowerAmplifierSetting = new PowerAmplifierSetting();
  /** MOSI and MISO bytes of one SPI transaction. */
  private readonly outgoing: usize;
  private readonly incoming: usize;

  private currentState: RadioState = RadioState.Off;
  /** Set when BUSY stayed high past the bound; later commands of the same operation are skipped. */
  private busyTimedOut: bool = false;
  /** PayloadLength last sent in SetPacketParams, so receive re-sends it only after a transmit. */
  private packetParamsLength: i32 = -1;
  /** An unread frame sits in the RX buffer: set by RxDone; cleared by reading it, a transmit or a bad frame. */
  private frameReady: bool = false;
  /** When receptionInProgress() first saw the current detection flags, ms; NOT_DETECTED when none. */
  private detectedSinceMs: i64 = NOT_DETECTED;
  /**
   * Longest a detection may last before it is taken for one that never became a frame: a preamble
   * detected on noise, or a header lost, sets PreambleDetected and nothing ends it in continuous RX.
   * The airtime of the longest frame, counted from when the flag was first seen.
   */
  private longestFrameMs: i64 = 0;

  constructor(bus: SpiBus) {
    super(bus);
    this.outgoing = changetype<usize>(new StaticArray<u8>(TRANSACTION_BUFFER_SIZE));
    this.incoming = changetype<usize>(new StaticArray<u8>(TRANSACTION_BUFFER_SIZE));
  }

  // ---- What a chip class provides ----------------------------------------------------------------

  /** Fills `setting` for `powerDbm`, clamped to what the chip's PA can do. */
  protected abstract choosePowerAmplifier(powerDbm: i32, setting: PowerAmplifierSetting): void;

  /** Chip-only §15 workarounds, applied during begin() before the PA is configured. */
  protected applyChipWorkarounds(): void {}

  // ---- Radio ----------------------------------------------------------------------------------------

  begin(config: LoRaConfig): bool {
    this.currentState = RadioState.Off;
    this.frameReady = false;
    const bandwidthCode = loRaBandwidthCode(config.bandwidthHz);
    const codingRateCode = loRaCodingRateCode(config.codingRateDenominator);
    const tcxoCode = config.tcxoMillivolts > 0 ? tcxoVoltageCode(config.tcxoMillivolts) : 0;
    // Settings the chip cannot take are refused before touching it.
    if (
      bandwidthCode < 0 ||
      codingRateCode < 0 ||
      tcxoCode < 0 ||
      config.spreadingFactor < MIN_SPREADING_FACTOR ||
      config.spreadingFactor > MAX_SPREADING_FACTOR ||
      config.preambleLength < 1 ||
      config.preambleLength > 0xffff ||
      config.frequencyHz < MIN_FREQUENCY_HZ ||
      config.frequencyHz > MAX_FREQUENCY_HZ
    ) {
      return false;
    }
    const c = this.config;
    c.copyFrom(config);
    this.busyTimedOut = false;

    if (c.mcuRfSwitch) this.switchAntenna(false, false);
    this.resetChip();

    // Is an SX126x there? After reset it reports STDBY_RC (§13.5.1) and its sync word register holds
    // its reset value (Table 12-1); an absent chip or a floating MISO answers neither.
    if (chipModeOf(this.getStatus()) != ChipMode.StandbyRc) return false;
    this.setStandby(StandbyMode.Rc);
    if (this.readRegister16(Register.LoRaSyncWordMsb) != SYNC_WORD_RESET_VALUE) return false;

    this.command1(Opcode.SetRegulatorMode, RegulatorMode.DcDc);
    if (c.tcxoMillivolts > 0) {
      // §13.3.6: with a TCXO on DIO3, the power-on calibration ran without a clock and flagged
      // XOSC_START_ERR. Clear that stale error first, then calibrate again with the TCXO powered:
      // an error the final GetDeviceErrors sees is then this calibration's (wrong TCXO setting).
      const delay = microsecondsToTicks(TCXO_STARTUP_MICROSECONDS);
      this.command4(Opcode.SetDio3AsTcxoCtrl, tcxoCode, delay >> 16, delay >> 8, delay);
      this.command2(Opcode.ClearDeviceErrors, 0, 0);
      this.command1(Opcode.Calibrate, CalibrationBlock.All);
    }
    if (c.dio2AsRfSwitch) this.command1(Opcode.SetDio2AsRfSwitchCtrl, 1);

    // §13.4.2: the packet type comes first in the radio configuration.
    this.command1(Opcode.SetPacketType, PacketType.LoRa);
    // §9.2.1: image calibration for the band in use (power-on calibrates for 902–928 MHz only).
    const image = imageCalibrationCodes(c.frequencyHz);
    this.command2(Opcode.CalibrateImage, image >> 8, image);
    const word = frequencyWord(c.frequencyHz);
    this.command4(Opcode.SetRfFrequency, word >> 24, word >> 16, word >> 8, word);

    this.applyChipWorkarounds();
    const pa = this.powerAmplifier;
    this.choosePowerAmplifier(c.txPowerDbm, pa);
    this.command4(Opcode.SetPaConfig, pa.dutyCycle, pa.hpMax, pa.deviceSelect, PA_LUT);
    // 200 µs ramp: a slower PA ramp keeps the switch-on spectrum cleaner than the 10–40 µs ones, and
    // costs a fifth of one symbol at SF7/BW125 (1.024 ms).
    this.command2(Opcode.SetTxParams, pa.txPowerDbm, RampTime.Ramp200Us);

    const lowDataRate = c.lowDataRateOptimize() ? 1 : 0;
    this.command4(Opcode.SetModulationParams, c.spreadingFactor, bandwidthCode, codingRateCode, lowDataRate);
    // §15.1: TxModulation bit 2 is cleared for BW 500 kHz and set for every other bandwidth.
    this.updateRegisterBit(Register.TxModulation, TX_MODULATION_NOT_BW500_BIT, c.bandwidthHz != 500_000);
    this.setPacketParams(MAX_PAYLOAD_LENGTH);
    // §15.4: IqPolaritySetup bit 2 is set for standard IQ and cleared for inverted IQ.
    this.updateRegisterBit(Register.IqPolaritySetup, IQ_POLARITY_STANDARD_BIT, !c.invertIq);
    this.writeRegister16(Register.LoRaSyncWordMsb, syncWordRegisterValue(c.syncWord));

    // TX and RX share the whole buffer from offset 0 (half duplex; §13.4.8).
    this.command2(Opcode.SetBufferBaseAddress, 0, 0);
    this.setDioIrqParams(DRIVER_IRQ_MASK | RECEPTION_IRQ_MASK, DRIVER_IRQ_MASK);
    this.command2(Opcode.ClearIrqStatus, Irq.All >> 8, Irq.All);
    this.longestFrameMs = timeOnAirMicroseconds(c, MAX_PAYLOAD_LENGTH) / 1000 + 1;

    // Did it all take? Calibration or oscillator errors (§13.6.1) mean a wrong TCXO setting or a
    // damaged chip; a rejected command shows in the status byte (§13.5.1).
    const errors = this.getDeviceErrors();
    const status = this.getStatus();
    if (this.busyTimedOut) return false;
    if ((errors & DeviceError.CalibrationOrOscillator) != 0) return false;
    const commandStatus = commandStatusOf(status);
    if (
      chipModeOf(status) != ChipMode.StandbyRc ||
      commandStatus == CommandStatus.ProcessingError ||
      commandStatus == CommandStatus.ExecutionFailure
    ) {
      return false;
    }
    this.currentState = RadioState.Standby;
    return true;
  }

  maxFrameLength(): i32 {
    return MAX_PAYLOAD_LENGTH;
  }

  startTransmit(data: usize, length: i32): bool {
    const state = this.currentState;
    if (state == RadioState.Off || state == RadioState.Transmitting || state == RadioState.DetectingActivity) {
      return false;
    }
    if (length < 1 || length > MAX_PAYLOAD_LENGTH) return false;
    this.busyTimedOut = false;
    // Leave receive first: RX and TX share the buffer, and a frame arriving now would overwrite ours.
    if (state == RadioState.Receiving) this.setStandby(StandbyMode.Rc);
    this.frameReady = false;
    this.writeBuffer(0, data, length);
    this.setPacketParams(length);
    if (this.config.mcuRfSwitch) this.switchAntenna(false, true);
    const airtime = timeOnAirMicroseconds(this.config, length);
    const timeout = microsecondsToTicks(airtime + airtime / 4 + TX_TIMEOUT_MARGIN_MICROSECONDS);
    this.command3(Opcode.SetTx, timeout >> 16, timeout >> 8, timeout);
    if (this.busyTimedOut) return this.fail();
    this.currentState = RadioState.Transmitting;
    return true;
  }

  startReceive(): bool {
    const state = this.currentState;
    if (state == RadioState.Off || state == RadioState.Transmitting || state == RadioState.DetectingActivity) {
      return false;
    }
    // Already listening: re-issuing SetRx would drop a frame being received.
    if (state == RadioState.Receiving) return true;
    this.busyTimedOut = false;
    // In explicit header mode PayloadLength is the longest frame accepted (§13.4.6.2).
    if (this.packetParamsLength != MAX_PAYLOAD_LENGTH) this.setPacketParams(MAX_PAYLOAD_LENGTH);
    if (this.config.mcuRfSwitch) this.switchAntenna(true, false);
    // Detection flags left from an earlier reception (one cut short by leaving RX) are not this one's.
    this.command2(Opcode.ClearIrqStatus, RECEPTION_IRQ_MASK >> 8, RECEPTION_IRQ_MASK);
    this.detectedSinceMs = NOT_DETECTED;
    this.command3(Opcode.SetRx, RX_CONTINUOUS >> 16, RX_CONTINUOUS >> 8, RX_CONTINUOUS);
    if (this.busyTimedOut) return this.fail();
    this.currentState = RadioState.Receiving;
    return true;
  }

  startChannelActivityDetection(): bool {
    const state = this.currentState;
    if (state == RadioState.Off || state == RadioState.Transmitting || state == RadioState.DetectingActivity) {
      return false;
    }
    this.busyTimedOut = false;
    if (state == RadioState.Receiving) this.setStandby(StandbyMode.Rc);
    const sf = this.config.spreadingFactor;
    // §13.4.7 SetCadParams: symbols, detection peak and minimum (AN1200.48), exit to STDBY_RC, and a
    // timeout that only CadExitMode.CadRx uses.
    this.put(0, Opcode.SetCadParams);
    this.put(1, cadSymbolsFor(sf));
    this.put(2, cadDetectionPeakFor(sf));
    this.put(3, CAD_DETECTION_MIN);
    this.put(4, CadExitMode.CadOnly);
    this.put(5, 0);
    this.put(6, 0);
    this.put(7, 0);
    this.transfer(8);
    if (this.config.mcuRfSwitch) this.switchAntenna(true, false);
    this.command0(Opcode.SetCad);
    if (this.busyTimedOut) return this.fail();
    this.currentState = RadioState.DetectingActivity;
    return true;
  }

  receptionInProgress(nowMs: i64): bool {
    if (this.currentState != RadioState.Receiving) return false;
    this.busyTimedOut = false;
    const irq = this.readIrqStatus();
    if (this.busyTimedOut) return false;
    const detected = irq & RECEPTION_IRQ_MASK;
    // A frame that has ended waits in the buffer for takeEvents(): leaving RX does not lose it.
    if (detected == 0 || (irq & RECEPTION_END_IRQ_MASK) != 0) {
      this.detectedSinceMs = NOT_DETECTED;
      return false;
    }
    if (this.detectedSinceMs == NOT_DETECTED) this.detectedSinceMs = nowMs;
    if (nowMs - this.detectedSinceMs > this.longestFrameMs) {
      // Longer than any frame: a detection that never became one. Forget it, or the channel would
      // look busy for ever.
      this.command2(Opcode.ClearIrqStatus, detected >> 8, detected);
      this.detectedSinceMs = NOT_DETECTED;
      return false;
    }
    return true;
  }

  /** GetIrqStatus (§13.3.3): the IRQ flags, without clearing them. */
  private readIrqStatus(): i32 {
    this.command3(Opcode.GetIrqStatus, 0, 0, 0);
    return (this.received(READ_STATUS_BYTES) << 8) | this.received(READ_STATUS_BYTES + 1);
  }

  interruptPending(): bool {
    if (this.currentState == RadioState.Off) return false;
    return this.bus.read(Pin.Irq) != 0;
  }

  takeEvents(): u32 {
    if (this.currentState == RadioState.Off) return RadioEvent.None;
    this.busyTimedOut = false;
    const irq = this.readIrqStatus();
    if (this.busyTimedOut || irq == 0) return RadioEvent.None;
    // Clear exactly what was read, so an interrupt raised in between is not lost. The detection flags
    // stay while their frame goes on (receptionInProgress), and go with the flag that ends it.
    const ended = (irq & RECEPTION_END_IRQ_MASK) != 0;
    const clear = ended ? irq : irq & ~RECEPTION_IRQ_MASK;
    if (clear != 0) this.command2(Opcode.ClearIrqStatus, clear >> 8, clear);
    if (ended) this.detectedSinceMs = NOT_DETECTED;

    let events: u32 = RadioEvent.None;
    if (irq & Irq.TxDone) events |= RadioEvent.TxDone;
    // A frame with a bad CRC raises RxDone and CrcErr together; it is reported as unreadable only.
    if (irq & Irq.CrcErr) events |= RadioEvent.CrcError;
    else if (irq & Irq.RxDone) events |= RadioEvent.RxDone;
    if (irq & Irq.HeaderErr) events |= RadioEvent.HeaderError;
    if (irq & Irq.CadDone) events |= RadioEvent.CadDone;
    if (irq & Irq.CadDetected) events |= RadioEvent.CadDetected;
    if (irq & Irq.Timeout) events |= RadioEvent.Timeout;

    // The buffer now holds the newest frame: readable after RxDone, garbage after a CRC/header error.
    if (events & RadioEvent.RxDone) this.frameReady = true;
    else if (events & (RadioEvent.CrcError | RadioEvent.HeaderError)) this.frameReady = false;
    const state = this.currentState;
    // After TX, TX timeout and CAD_ONLY the chip falls back to STDBY_RC (§13.1.4, §13.1.8).
    const finished =
      (state == RadioState.Transmitting && (irq & (Irq.TxDone | Irq.Timeout)) != 0) ||
      (state == RadioState.DetectingActivity && (irq & Irq.CadDone) != 0);
    if (finished) {
      this.currentState = RadioState.Standby;
      if (this.config.mcuRfSwitch) this.switchAntenna(false, false);
    }
    return events;
  }

  readFrame(out: usize): i32 {
    if (this.currentState == RadioState.Off || !this.frameReady) return -1;
    this.busyTimedOut = false;
    // §13.5.2: length and start of the last frame; in continuous RX frames need not start at the base.
    this.command3(Opcode.GetRxBufferStatus, 0, 0, 0);
    const length = this.received(READ_STATUS_BYTES);
    const start = this.received(READ_STATUS_BYTES + 1);
    if (this.busyTimedOut) return -1;
    // §13.2.4 ReadBuffer: offset, a status byte, then the data (the offset wraps at 256 in the chip).
    this.put(0, Opcode.ReadBuffer);
    this.put(1, start);
    memory.fill(this.outgoing + 2, 0, <usize>(length + 1));
    this.transfer(READ_BUFFER_DATA_OFFSET + length);
    if (this.busyTimedOut) return -1;
    memory.copy(out, this.incoming + READ_BUFFER_DATA_OFFSET, <usize>length);
    // Each frame is handed out once, so a second call cannot deliver a duplicate.
    this.frameReady = false;
    // §13.5.3 GetPacketStatus for LoRa: RssiPkt, SnrPkt, SignalRssiPkt.
    this.command4(Opcode.GetPacketStatus, 0, 0, 0, 0);
    if (this.busyTimedOut) return -1;
    // RSSI = −RssiPkt / 2 dBm; SNR = SnrPkt (two's complement) / 4 dB.
    this.rssiDbm = -<f32>this.received(READ_STATUS_BYTES) / 2;
    this.snrDb = <f32>(<i32>(<i8>this.received(READ_STATUS_BYTES + 1))) / 4;
    return length;
  }


  timeOnAirMicroseconds(length: i32): i64 {
    if (length < 0 || length > MAX_PAYLOAD_LENGTH) return -1;
    return timeOnAirMicroseconds(this.config, length);
  }

  standby(): void {
    if (this.currentState == RadioState.Off) return;
    this.busyTimedOut = false;
    this.setStandby(StandbyMode.Rc);
    if (this.config.mcuRfSwitch) this.switchAntenna(false, false);
    this.currentState = this.busyTimedOut ? RadioState.Off : RadioState.Standby;
  }

  state(): RadioState {
    return this.currentState;
  }

  // ---- Commands ---------------------------------------------------------------------------------------

  /** Drops to Off: the chip stopped answering, so only begin() may touch it again. */
  private fail(): bool {
    this.currentState = RadioState.Off;
    return false;
  }

  /** §8.1: NRESET low for at least 100 µs, then the chip boots and holds BUSY until ready. */
  private resetChip(): void {
    const bus = this.bus;
    bus.write(Pin.Reset, 0);
    bus.delayMicroseconds(RESET_PULSE_MICROSECONDS);
    bus.write(Pin.Reset, 1);
  }

  /** §8.3.1: the chip takes a command only while BUSY is low. False if it stays high too long. */
  private waitUntilReady(): bool {
    const bus = this.bus;
    for (let waited = 0; waited < BUSY_TIMEOUT_MICROSECONDS; waited += BUSY_POLL_MICROSECONDS) {
      if (bus.read(Pin.Busy) == 0) return true;
      bus.delayMicroseconds(BUSY_POLL_MICROSECONDS);
    }
    return bus.read(Pin.Busy) == 0;
  }

  /** Sends the first `length` outgoing bytes; skipped (answer zeroed) once the chip timed out. */
  protected transfer(length: i32): void {
    if (!this.busyTimedOut && !this.waitUntilReady()) this.busyTimedOut = true;
    if (this.busyTimedOut) {
      memory.fill(this.incoming, 0, <usize>length);
      return;
    }
    this.bus.transfer(this.outgoing, this.incoming, length);
  }

  /** Byte `index` of the last answer. */
  @inline protected received(index: i32): i32 {
    return <i32>load<u8>(this.incoming + <usize>index);
  }

  @inline private put(index: i32, value: i32): void {
    store<u8>(this.outgoing + <usize>index, <u8>value);
  }

  protected command0(opcode: i32): void {
    this.put(0, opcode);
    this.transfer(1);
  }

  protected command1(opcode: i32, a: i32): void {
    this.put(0, opcode);
    this.put(1, a);
    this.transfer(2);
  }

  protected command2(opcode: i32, a: i32, b: i32): void {
    this.put(0, opcode);
    this.put(1, a);
    this.put(2, b);
    this.transfer(3);
  }

  protected command3(opcode: i32, a: i32, b: i32, c: i32): void {
    this.put(0, opcode);
    this.put(1, a);
    this.put(2, b);
    this.put(3, c);
    this.transfer(4);
  }

  protected command4(opcode: i32, a: i32, b: i32, c: i32, d: i32): void {
    this.put(0, opcode);
    this.put(1, a);
    this.put(2, b);
    this.put(3, c);
    this.put(4, d);
    this.transfer(5);
  }

  private setStandby(mode: StandbyMode): void {
    this.command1(Opcode.SetStandby, mode);
  }

  /** §13.5.1: the status byte is clocked out while the NOP after the opcode goes in. */
  private getStatus(): i32 {
    this.command1(Opcode.GetStatus, 0);
    return this.received(1);
  }

  private getDeviceErrors(): i32 {
    this.command3(Opcode.GetDeviceErrors, 0, 0, 0);
    return (this.received(READ_STATUS_BYTES) << 8) | this.received(READ_STATUS_BYTES + 1);
  }

  /** §13.4.6.2 SetPacketParams for LoRa: preamble, header type, payload length, CRC, IQ. */
  private setPacketParams(payloadLength: i32): void {
    const c = this.config;
    this.put(0, Opcode.SetPacketParams);
    this.put(1, c.preambleLength >> 8);
    this.put(2, c.preambleLength);
    this.put(3, c.explicitHeader ? HeaderType.Explicit : HeaderType.Implicit);
    this.put(4, payloadLength);
    this.put(5, c.crcOn ? 1 : 0);
    this.put(6, c.invertIq ? 1 : 0);
    this.transfer(7);
    this.packetParamsLength = payloadLength;
  }

  /** §13.3.1 SetDioIrqParams: which IRQs latch, and which of them raise DIO1 (DIO2/3 unused). */
  private setDioIrqParams(irqMask: i32, dio1Mask: i32): void {
    this.put(0, Opcode.SetDioIrqParams);
    this.put(1, irqMask >> 8);
    this.put(2, irqMask);
    this.put(3, dio1Mask >> 8);
    this.put(4, dio1Mask);
    this.put(5, 0);
    this.put(6, 0);
    this.put(7, 0);
    this.put(8, 0);
    this.transfer(9);
  }

  /** §13.2.2 ReadRegister: address, a status byte, then the data. */
  protected readRegister(address: i32): i32 {
    this.command4(Opcode.ReadRegister, address >> 8, address, 0, 0);
    return this.received(READ_REGISTER_DATA_OFFSET);
  }

  private readRegister16(address: i32): i32 {
    this.put(0, Opcode.ReadRegister);
    this.put(1, address >> 8);
    this.put(2, address);
    this.put(3, 0);
    this.put(4, 0);
    this.put(5, 0);
    this.transfer(6);
    return (this.received(READ_REGISTER_DATA_OFFSET) << 8) | this.received(READ_REGISTER_DATA_OFFSET + 1);
  }

  /** §13.2.1 WriteRegister: address, then data written to consecutive registers. */
  protected writeRegister(address: i32, value: i32): void {
    this.command3(Opcode.WriteRegister, address >> 8, address, value);
  }

  private writeRegister16(address: i32, value: i32): void {
    this.command4(Opcode.WriteRegister, address >> 8, address, value >> 8, value);
  }

  /** Read-modify-write of one bit, leaving the register's other bits as the chip has them. */
  protected updateRegisterBit(address: i32, bit: i32, set: bool): void {
    const value = this.readRegister(address);
    this.writeRegister(address, set ? value | bit : value & ~bit);
  }

  /** §13.2.3 WriteBuffer: an offset, then the data. */
  private writeBuffer(offset: i32, data: usize, length: i32): void {
    this.put(0, Opcode.WriteBuffer);
    this.put(1, offset);
    memory.copy(this.outgoing + 2, data, <usize>length);
    this.transfer(2 + length);
  }

  /** Board RF switch driven by the MCU (LoRaConfig.mcuRfSwitch): at most one path enabled. */
  private switchAntenna(receive: bool, transmit: bool): void {
    this.bus.write(Pin.RxEnable, receive ? 1 : 0);
    this.bus.write(Pin.TxEnable, transmit ? 1 : 0);
  }
}
