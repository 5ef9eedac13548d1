// A command-level model of the Semtech SX1262 (SX1261/2 datasheet rev 1.2) for driver tests and the
// network simulator: it decodes the SPI commands of §13, keeps the state the datasheet defines
// (status byte, chip mode, IRQ status and masks, DIO1, BUSY, the 256-byte data buffer, registers,
// modulation and packet parameters) and puts frames on a RadioMedium. Misuse a real chip would
// reject or silently mishandle (unknown opcodes, wrong lengths, commands while BUSY, out-of-range
// parameters, radio configuration outside standby) is recorded in `errors`, and flagged in the status
// byte like the chip does, rather than thrown, so a test can assert that a driver never provoked any.
//
// LoRa only: the GFSK packet type is accepted but a GFSK transmission, reception or CAD is an error.
import {
  type BusDevice,
  type LoRaModulation,
  type LoRaReception,
  Pin,
  type RadioMedium,
  type RadioPort,
} from "../radio-medium.js";
import { ReceptionStage, ReceptionTracker } from "./reception-tracker.js";

/** Opcodes (§13) and their names, for decoding and for readable error messages. */
const OPCODE_NAMES: Readonly<Record<number, string>> = {
  132: "SetSleep",
  128: "SetStandby",
  193: "SetFs",
  131: "SetTx",
  130: "SetRx",
  159: "StopTimerOnPreamble",
  197: "SetCad",
  150: "SetRegulatorMode",
  137: "Calibrate",
  152: "CalibrateImage",
  149: "SetPaConfig",
  147: "SetRxTxFallbackMode",
  13: "WriteRegister",
  29: "ReadRegister",
  14: "WriteBuffer",
  30: "ReadBuffer",
  8: "SetDioIrqParams",
  18: "GetIrqStatus",
  2: "ClearIrqStatus",
  157: "SetDIO2AsRfSwitchCtrl",
  151: "SetDIO3AsTCXOCtrl",
  134: "SetRfFrequency",
  138: "SetPacketType",
  17: "GetPacketType",
  142: "SetTxParams",
  139: "SetModulationParams",
  140: "SetPacketParams",
  136: "SetCadParams",
  143: "SetBufferBaseAddress",
  160: "SetLoRaSymbNumTimeout",
  192: "GetStatus",
  21: "GetRssiInst",
  19: "GetRxBufferStatus",
  20: "GetPacketStatus",
  23: "GetDeviceErrors",
  7: "ClearDeviceErrors",
};

/** IRQ bits (§13.3.1). */
export const Sx126xIrq = {
  TxDone: 0x0001,
  RxDone: 0x0002,
  PreambleDetected: 0x0004,
  SyncWordValid: 0x0008,
  HeaderValid: 0x0010,
  HeaderErr: 0x0020,
  CrcErr: 0x0040,
  CadDone: 0x0080,
  CadDetected: 0x0100,
  Timeout: 0x0200,
} as const;

/** Flags a reception raises before its end, in the order it raises them. */
const RECEPTION_PROGRESS_IRQS = Sx126xIrq.PreambleDetected | Sx126xIrq.HeaderValid | Sx126xIrq.HeaderErr;

/** Operating modes (§9); the status byte reports CAD as RX. */
export type Sx1262Mode = "sleep" | "standbyRc" | "standbyXosc" | "fs" | "tx" | "rx" | "cad";

/** Status byte chip mode codes, bits 6:4 (§13.5.1). */
const STATUS_MODE: Readonly<Record<Sx1262Mode, number>> = {
  sleep: 0,
  standbyRc: 0x2,
  standbyXosc: 0x3,
  fs: 0x4,
  rx: 0x5,
  cad: 0x5,
  tx: 0x6,
};

/** Status byte command status codes, bits 3:1 (§13.5.1). */
const COMMAND_STATUS = {
  None: 0,
  DataAvailable: 0x2,
  CommandTimeout: 0x3,
  ProcessingError: 0x4,
  ExecutionFailure: 0x5,
  TransmitDone: 0x6,
} as const;

/** GetDeviceErrors XOSC_START_ERR (§13.6.1). */
const XOSC_START_ERROR = 0x0020;

/** LoRa bandwidth codes of SetModulationParams (§13.4.5.2), in Hz. */
const BANDWIDTH_HZ: Readonly<Record<number, number>> = {
  0: 7_800,
  8: 10_400,
  1: 15_600,
  9: 20_800,
  2: 31_250,
  10: 41_700,
  3: 62_500,
  4: 125_000,
  5: 250_000,
  6: 500_000,
};

/** Register reset values the datasheet lists (Table 12-1): the LoRa sync word 0x1424. */
const DATASHEET_REGISTER_RESET_VALUES: ReadonlyArray<[number, number]> = [
  [0x0740, 0x14],
  [0x0741, 0x24],
];

/**
 * PA size rows of Table 13-21 (paDutyCycle, hpMax) → output at SetTxParams +22 dBm; other sizes are
 * modelled as the full PA, where the SetTxParams value is the output power.
 */
const HIGH_POWER_PA_ROWS: ReadonlyArray<[number, number, number]> = [
  [0x04, 0x07, 22],
  [0x03, 0x05, 20],
  [0x02, 0x03, 17],
  [0x02, 0x02, 14],
];

/**
 * BUSY durations, µs. The datasheet gives about 3.5 ms for a full calibration (§13.1.12), which a
 * cold start also runs; image calibration and wake-up are of the same order. Other commands are
 * modelled as instantaneous, which keeps 1,000 simulated chips cheap.
 */
const BOOT_BUSY_MICROSECONDS = 3_500;
const CALIBRATION_BUSY_MICROSECONDS = 3_500;
const IMAGE_CALIBRATION_BUSY_MICROSECONDS = 1_000;
/** A 15.625 µs tick, the unit of every timeout and delay (§13.1.4). */
const TICK_MICROSECONDS = 15.625;
const RX_CONTINUOUS = 0xffffff;

export interface Sx1262ModelOptions {
  /** Index of the node the chip belongs to (RadioPort.nodeIndex). */
  nodeIndex?: number;
  /**
   * The board's TCXO supply, mV (0 = crystal). When given, the model checks the driver's oscillator
   * set-up the way the chip does: a TCXO board reports XOSC_START_ERR from power-on until a
   * calibration runs with DIO3 powering the TCXO, and calibrating with the wrong setting sets it again.
   */
  boardTcxoMillivolts?: number;
  /** The board's RF switch is driven by the MCU: transmit/receive with the wrong enable line is an error. */
  mcuRfSwitch?: boolean;
  /** Reset values of registers the datasheet does not list (the model reads them as 0 otherwise). */
  registerResetValues?: Record<number, number>;
}

export class Sx1262Model implements BusDevice, RadioPort {
  readonly nodeIndex: number;
  /** Every command the chip would reject or mishandle, in order. */
  readonly errors: string[] = [];
  /** Called when DIO1 rises (the simulator wakes the node's driver). */
  onInterrupt?: () => void;

  // Pins and timing.
  private inReset = false;
  private busyUntil = 0;
  /** Time the driver spent in delayMicroseconds(); BUSY runs on medium time plus this. */
  private delayedMicroseconds = 0;
  private readonly pinLevels = [1, 0, 0, 0, 0];

  // Chip state (§9, §13).
  private currentMode: Sx1262Mode = "standbyRc";
  private commandStatus: number = COMMAND_STATUS.None;
  private irqStatus = 0;
  private irqMask = 0;
  private dio1Mask = 0;
  private deviceErrors = 0;
  private readonly buffer = new Uint8Array(256);
  private readonly registers = new Map<number, number>();
  private txBaseAddress = 0;
  private rxBaseAddress = 0;
  private packetType = 0;
  private frequencyWord = 0;
  private spreadingFactor = 7;
  private bandwidthCode = 0x04;
  private codingRateCode = 0x01;
  private lowDataRateOptimize = false;
  private preambleLength = 8;
  private headerType = 0;
  private payloadLength = 0xff;
  private crcOn = true;
  private invertIq = false;
  private paDutyCycle = 0x04;
  private paHpMax = 0x07;
  private txPowerDbm = 22;
  private regulatorMode = 0;
  private dio2AsRfSwitch = false;
  private tcxoVoltageCode = -1;
  private tcxoDelayTicks = 0;
  private cadSymbolCode = 0x01;
  private cadExitMode = 0;
  private cadTimeoutTicks = 0;

  // Activity.
  private modeTimer = 0;
  private rxContinuous = false;
  private nextRxOffset = 0;
  private lastRxLength = 0;
  private lastRxStart = 0;
  private rssiPacketRaw = 0;
  private snrPacketRaw = 0;
  private signalRssiPacketRaw = 0;
  /** Transmissions abandoned on the medium (standby, reset, timeout) whose transmitDone is ignored. */
  private abandonedTransmissions = 0;
  private modulationCache: LoRaModulation | undefined;
  /** SetSleep with warm start: the configuration survives sleep (§13.1.1). */
  private sleepKeepsConfiguration = false;
  /**
   * The frame the demodulator is locked onto (RadioPort.receptionStarted), while in RX, and the flags it
   * raises: PreambleDetected, then with an explicit header HeaderValid, or HeaderErr if a collision broke
   * the header or the frame is longer than PayloadLength (§13.4.6.2: in explicit header mode
   * PayloadLength is the longest frame accepted); after HeaderErr the frame gets no RxDone.
   */
  private readonly reception = new ReceptionTracker(() => this.medium.now(), {
    // Implicit header: no header, so nothing more until the frame ends (§6.1.3, §13.3.1).
    explicitHeader: () => this.headerType === 0,
    acceptsHeader: (reception) => reception.headerIntact() && reception.payloadBytes <= this.payloadLength,
    preambleDetected: () => this.raise(Sx126xIrq.PreambleDetected),
    headerValid: () => this.raise(Sx126xIrq.HeaderValid),
    headerFailed: () => this.raise(Sx126xIrq.HeaderErr),
  });
  /** Raises the next reception flag on time, scheduled only when that flag reaches DIO1. */
  private receptionTimer = 0;

  constructor(
    private readonly medium: RadioMedium,
    private readonly options: Sx1262ModelOptions = {},
  ) {
    this.nodeIndex = options.nodeIndex ?? 0;
    this.restoreResetState();
  }

  // ---- Inspection (tests) ------------------------------------------------------------------------

  get mode(): Sx1262Mode {
    return this.currentMode;
  }

  get interruptStatus(): number {
    this.advanceReception();
    return this.irqStatus;
  }

  get dio1(): boolean {
    return (this.irqStatus & this.dio1Mask) !== 0;
  }

  get busy(): boolean {
    return this.inReset || this.currentMode === "sleep" || this.localTime() < this.busyUntil;
  }

  pin(pin: Pin): number {
    return this.pinLevels[pin] ?? 0;
  }

  register(address: number): number {
    return this.registers.get(address) ?? 0;
  }

  /** The output power the PA and TX parameters give, dBm. */
  outputPowerDbm(): number {
    const row = HIGH_POWER_PA_ROWS.find(([duty, hpMax]) => duty === this.paDutyCycle && hpMax === this.paHpMax);
    return row ? row[2] + this.txPowerDbm - 22 : this.txPowerDbm;
  }

  /** Board-level settings the driver made that the medium does not see. */
  get setup(): { regulatorDcDc: boolean; dio2AsRfSwitch: boolean; tcxoVoltageCode: number; tcxoDelayTicks: number } {
    return {
      regulatorDcDc: this.regulatorMode === 1,
      dio2AsRfSwitch: this.dio2AsRfSwitch,
      tcxoVoltageCode: this.tcxoVoltageCode,
      tcxoDelayTicks: this.tcxoDelayTicks,
    };
  }

  /** The LoRa modulation the chip is set to (a new object after every change). */
  modulation(): LoRaModulation {
    if (!this.modulationCache) {
      this.modulationCache = {
        frequencyHz: Math.round((this.frequencyWord * 15625) / 16384),
        spreadingFactor: this.spreadingFactor,
        bandwidthHz: BANDWIDTH_HZ[this.bandwidthCode] ?? 0,
        codingRateDenominator: this.codingRateCode + 4,
        preambleLength: this.preambleLength,
        syncWord: (this.register(0x0740) & 0xf0) | (this.register(0x0741) >> 4),
        crcOn: this.crcOn,
        explicitHeader: this.headerType === 0,
        invertIq: this.invertIq,
        lowDataRateOptimize: this.lowDataRateOptimize,
      };
    }
    return this.modulationCache;
  }

  // ---- BusDevice ----------------------------------------------------------------------------------

  spiTransfer(tx: Uint8Array): Uint8Array {
    const rx = new Uint8Array(tx.length);
    if (tx.length === 0) return rx;
    // Flags the frame being received has earned by now, before the command reads or changes them.
    this.advanceReception();
    const name = OPCODE_NAMES[tx[0]] ?? `opcode 0x${hex(tx[0])}`;
    if (this.inReset) {
      this.flag(`${name} sent while NRESET is low`);
      return rx;
    }
    if (this.currentMode === "sleep") {
      // §9.3: the falling edge of NSS wakes the chip; the command itself is not executed.
      this.wakeUp();
      return rx;
    }
    rx.fill(this.statusByte());
    if (this.localTime() < this.busyUntil) {
      // §8.3.1: a command sent while BUSY is high is ignored by the chip.
      this.flag(`${name} sent while BUSY is high (ignored)`);
      return rx;
    }
    this.execute(tx, rx, name);
    return rx;
  }

  gpioWrite(pin: number, level: number): void {
    this.advanceReception();
    if (pin === Pin.Reset) {
      if (level === 0 && !this.inReset) this.holdInReset();
      else if (level !== 0 && this.inReset) this.releaseReset();
    } else if (pin === Pin.Busy || pin === Pin.Irq) {
      this.flag(`driver drove pin ${pin}, an output of the chip`);
      return;
    }
    this.pinLevels[pin] = level ? 1 : 0;
  }

  gpioRead(pin: number): number {
    if (pin === Pin.Busy) return this.busy ? 1 : 0;
    if (pin === Pin.Irq) return this.dio1 ? 1 : 0;
    return this.pinLevels[pin] ?? 0;
  }

  delayMicroseconds(microseconds: number): void {
    if (microseconds > 0) this.delayedMicroseconds += microseconds;
  }

  // ---- RadioPort -----------------------------------------------------------------------------------

  isListening(modulation: LoRaModulation): boolean {
    if (this.currentMode !== "rx" || this.inReset) return false;
    const own = this.modulation();
    // A LoRa demodulator tolerates a carrier offset of about a quarter of the bandwidth.
    return (
      Math.abs(own.frequencyHz - modulation.frequencyHz) <= own.bandwidthHz / 4 &&
      own.spreadingFactor === modulation.spreadingFactor &&
      own.bandwidthHz === modulation.bandwidthHz &&
      own.syncWord === modulation.syncWord &&
      own.invertIq === modulation.invertIq &&
      own.lowDataRateOptimize === modulation.lowDataRateOptimize &&
      (own.explicitHeader ||
        (!modulation.explicitHeader &&
          own.codingRateDenominator === modulation.codingRateDenominator &&
          own.crcOn === modulation.crcOn))
    );
  }

  transmitDone(): void {
    if (this.abandonedTransmissions > 0) {
      this.abandonedTransmissions--;
      return;
    }
    if (this.currentMode !== "tx") return;
    this.cancelModeTimer();
    this.currentMode = "standbyRc";
    this.commandStatus = COMMAND_STATUS.TransmitDone;
    this.raise(Sx126xIrq.TxDone);
  }

  deliver(frame: Uint8Array, rssiDbm: number, snrDb: number, crcOk: boolean): void {
    if (this.currentMode !== "rx" || this.inReset) return;
    // The frame's end is past its header: PreambleDetected and HeaderValid (or HeaderErr) come first.
    const headerFailed = this.reception.current !== null && this.endReception() === ReceptionStage.HeaderFailed;
    // Its header error was raised at the header's end and ended the reception there.
    if (headerFailed) return;
    if (!this.rxContinuous) {
      this.cancelModeTimer();
      this.currentMode = "standbyRc";
    }
    // Explicit header: a frame longer than PayloadLength is rejected with a header error (§13.4.6.2).
    if (frame.length > 255 || (this.headerType === 0 && frame.length > this.payloadLength)) {
      this.raise(Sx126xIrq.HeaderErr);
      return;
    }
    // Frames of one continuous reception are stored one after another (wrapping at 256); the driver
    // learns where each starts from GetRxBufferStatus (§13.5.2), as it must with the chip.
    const start = this.nextRxOffset;
    for (let i = 0; i < frame.length; i++) this.buffer[(start + i) & 0xff] = frame[i];
    this.lastRxStart = start;
    this.lastRxLength = frame.length;
    this.nextRxOffset = (start + frame.length) & 0xff;
    // §13.5.3: RSSI and signal RSSI as −2·dBm, SNR as 4·dB in two's complement.
    this.rssiPacketRaw = clamp(Math.round(-rssiDbm * 2), 0, 255);
    this.snrPacketRaw = clamp(Math.round(snrDb * 4), -128, 127) & 0xff;
    this.signalRssiPacketRaw = clamp(Math.round(-(rssiDbm + Math.min(snrDb, 0)) * 2), 0, 255);
    this.commandStatus = COMMAND_STATUS.DataAvailable;
    this.raise(crcOk ? Sx126xIrq.RxDone : Sx126xIrq.RxDone | Sx126xIrq.CrcErr);
  }

  /**
   * The medium locked the demodulator onto a frame. §13.3.1 (Table 13-29): PreambleDetected once the
   * preamble is detected — PREAMBLE_DETECTION_SYMBOLS symbols after the chip began to hear it
   * (lora-receiver.ts) — and, with an explicit header, HeaderValid or HeaderErr when the header's last
   * symbol has arrived. Like every IRQ they latch only if enabled in the IrqMask, and reach DIO1 only
   * through the DIO1 mask.
   */
  receptionStarted(reception: LoRaReception): void {
    if (this.currentMode !== "rx" || this.inReset) return;
    this.endReception();
    this.reception.start(reception);
    this.armReceptionTimer();
  }

  /** The medium dropped the reception without a delivery: the chip keeps what it raised until now. */
  receptionEnded(reception: LoRaReception): void {
    if (reception === this.reception.current) this.endReception();
  }

  // ---- Commands (§13) ------------------------------------------------------------------------------

  private execute(tx: Uint8Array, rx: Uint8Array, name: string): void {
    const opcode = tx[0];
    const parameters = tx.length - 1;
    const errorsBefore = this.errors.length;
    const expect = (min: number, max = min): boolean => this.expectParameters(name, parameters, min, max);
    switch (opcode) {
      case 0xc0: // GetStatus (§13.5.1): the status is already on MISO.
        expect(1);
        return;
      case 0x80: // SetStandby (§13.1.2)
        if (!expect(1)) return;
        if (tx[1] > 1) return void this.reject(`SetStandby: StdbyConfig 0x${hex(tx[1])}`);
        this.stopActivity();
        this.currentMode = tx[1] === 0 ? "standbyRc" : "standbyXosc";
        break;
      case 0x84: // SetSleep (§13.1.1): bit 2 = warm start (configuration kept).
        if (!expect(1)) return;
        this.stopActivity();
        this.currentMode = "sleep";
        this.sleepKeepsConfiguration = (tx[1] & 0x04) !== 0;
        break;
      case 0xc1: // SetFs (§13.1.3)
        if (!expect(0)) return;
        this.stopActivity();
        this.currentMode = "fs";
        break;
      case 0x83: // SetTx (§13.1.4)
        if (!expect(3)) return;
        this.startTransmit(ticksOf(tx, 1));
        break;
      case 0x82: // SetRx (§13.1.5)
        if (!expect(3)) return;
        this.startReceive(ticksOf(tx, 1));
        break;
      case 0xc5: // SetCad (§13.1.8)
        if (!expect(0)) return;
        this.startCad();
        break;
      case 0x9f: // StopTimerOnPreamble (§13.1.6)
      case 0xa0: // SetLoRaSymbNumTimeout (§13.4.9)
        if (!expect(1)) return;
        break;
      case 0x93: // SetRxTxFallbackMode (§13.1.15): 0x20 STDBY_RC, 0x30 STDBY_XOSC, 0x40 FS.
        if (!expect(1)) return;
        if (tx[1] !== 0x20 && tx[1] !== 0x30 && tx[1] !== 0x40) return void this.reject(`${name}: 0x${hex(tx[1])}`);
        break;
      case 0x96: // SetRegulatorMode (§13.1.11)
        if (!expect(1)) return;
        if (tx[1] > 1) return void this.reject(`SetRegulatorMode: 0x${hex(tx[1])}`);
        this.regulatorMode = tx[1];
        break;
      case 0x89: // Calibrate (§13.1.12)
        if (!expect(1)) return;
        if (tx[1] & 0x80) return void this.reject("Calibrate: bit 7 is reserved");
        if (!this.inStandbyRc(name)) return;
        this.calibrate();
        break;
      case 0x98: // CalibrateImage (§13.1.13, Table 9-2)
        if (!expect(2)) return;
        if (tx[1] > tx[2]) return void this.reject(`CalibrateImage: freq1 0x${hex(tx[1])} above freq2 0x${hex(tx[2])}`);
        if (!this.inStandbyRc(name)) return;
        this.busyFor(IMAGE_CALIBRATION_BUSY_MICROSECONDS);
        break;
      case 0x95: // SetPaConfig (§13.1.14)
        if (!expect(4)) return;
        this.setPaConfig(tx[1], tx[2], tx[3], tx[4]);
        break;
      case 0x0d: // WriteRegister (§13.2.1): consecutive registers from the address.
        if (!expect(3, Infinity)) return;
        for (let i = 3; i < tx.length; i++) this.writeRegister(address16(tx) + i - 3, tx[i]);
        break;
      case 0x1d: // ReadRegister (§13.2.2): address, status, data.
        if (!expect(4, Infinity)) return;
        for (let i = 4; i < tx.length; i++) rx[i] = this.register(address16(tx) + i - 4);
        return;
      case 0x0e: // WriteBuffer (§13.2.3): offset, data; the offset wraps at 256.
        if (!expect(2, Infinity)) return;
        for (let i = 2; i < tx.length; i++) this.buffer[(tx[1] + i - 2) & 0xff] = tx[i];
        break;
      case 0x1e: // ReadBuffer (§13.2.4): offset, status, data.
        if (!expect(3, Infinity)) return;
        for (let i = 3; i < tx.length; i++) rx[i] = this.buffer[(tx[1] + i - 3) & 0xff];
        return;
      case 0x08: // SetDioIrqParams (§13.3.1): IrqMask, DIO1Mask, DIO2Mask, DIO3Mask.
        if (!expect(8)) return;
        this.irqMask = (tx[1] << 8) | tx[2];
        this.dio1Mask = (tx[3] << 8) | tx[4];
        this.armReceptionTimer();
        break;
      case 0x12: // GetIrqStatus (§13.3.3)
        if (!expect(3)) return;
        rx[2] = this.irqStatus >> 8;
        rx[3] = this.irqStatus & 0xff;
        return;
      case 0x02: // ClearIrqStatus (§13.3.4)
        if (!expect(2)) return;
        this.irqStatus &= ~((tx[1] << 8) | tx[2]);
        break;
      case 0x9d: // SetDIO2AsRfSwitchCtrl (§13.3.5)
        if (!expect(1)) return;
        if (tx[1] > 1) return void this.reject(`${name}: 0x${hex(tx[1])}`);
        this.dio2AsRfSwitch = tx[1] === 1;
        break;
      case 0x97: // SetDIO3AsTCXOCtrl (§13.3.6): voltage code, delay in ticks.
        if (!expect(4)) return;
        if (tx[1] > 7) return void this.reject(`${name}: voltage code 0x${hex(tx[1])}`);
        this.tcxoVoltageCode = tx[1];
        this.tcxoDelayTicks = ticksOf(tx, 2);
        break;
      case 0x86: {
        // SetRfFrequency (§13.4.1): RfFreq = f · 2^25 / 32 MHz.
        if (!expect(4)) return;
        const word = ((tx[1] << 24) | (tx[2] << 16) | (tx[3] << 8) | tx[4]) >>> 0;
        const hz = (word * 15625) / 16384;
        if (hz < 150e6 || hz > 960e6) return void this.reject(`${name}: ${(hz / 1e6).toFixed(3)} MHz out of range`);
        if (!this.inStandby(name)) return;
        this.frequencyWord = word;
        this.modulationCache = undefined;
        break;
      }
      case 0x8a: // SetPacketType (§13.4.2): only in standby.
        if (!expect(1)) return;
        if (tx[1] > 1) return void this.reject(`${name}: 0x${hex(tx[1])}`);
        if (!this.inStandby(name)) return;
        this.packetType = tx[1];
        break;
      case 0x11: // GetPacketType (§13.4.3)
        if (!expect(2)) return;
        rx[2] = this.packetType;
        return;
      case 0x8e: {
        // SetTxParams (§13.4.4): signed power, ramp time.
        if (!expect(2)) return;
        const power = tx[1] > 127 ? tx[1] - 256 : tx[1];
        if (power < -9 || power > 22) return void this.reject(`${name}: ${power} dBm outside −9..+22`);
        if (tx[2] > 7) return void this.reject(`${name}: ramp time 0x${hex(tx[2])}`);
        this.txPowerDbm = power;
        break;
      }
      case 0x8b: // SetModulationParams (§13.4.5.2, LoRa: SF, BW, CR, LDRO).
        if (!expect(4, 8) || !this.isLoRa(name) || !this.inStandby(name)) return;
        this.setModulationParams(tx);
        break;
      case 0x8c: // SetPacketParams (§13.4.6.2, LoRa: preamble, header, length, CRC, IQ).
        if (!expect(6, 9) || !this.isLoRa(name) || !this.inStandby(name)) return;
        this.setPacketParams(tx);
        break;
      case 0x88: // SetCadParams (§13.4.7): symbols, peak, min, exit mode, 24-bit timeout.
        if (!expect(7)) return;
        if (tx[1] > 4 || tx[4] > 1) return void this.reject(`${name}: symbols 0x${hex(tx[1])}, exit 0x${hex(tx[4])}`);
        this.cadSymbolCode = tx[1];
        this.cadExitMode = tx[4];
        this.cadTimeoutTicks = ticksOf(tx, 5);
        break;
      case 0x8f: // SetBufferBaseAddress (§13.4.8)
        if (!expect(2)) return;
        this.txBaseAddress = tx[1];
        this.rxBaseAddress = tx[2];
        break;
      case 0x15: // GetRssiInst (§13.5.4): the model has no noise floor from the medium; −120 dBm.
        if (!expect(2)) return;
        rx[2] = 240;
        return;
      case 0x13: // GetRxBufferStatus (§13.5.2)
        if (!expect(3)) return;
        rx[2] = this.lastRxLength;
        rx[3] = this.lastRxStart;
        return;
      case 0x14: // GetPacketStatus (§13.5.3, LoRa)
        if (!expect(4)) return;
        rx[2] = this.rssiPacketRaw;
        rx[3] = this.snrPacketRaw;
        rx[4] = this.signalRssiPacketRaw;
        return;
      case 0x17: // GetDeviceErrors (§13.6.1)
        if (!expect(3)) return;
        rx[2] = this.deviceErrors >> 8;
        rx[3] = this.deviceErrors & 0xff;
        return;
      case 0x07: // ClearDeviceErrors (§13.6.2)
        if (!expect(2)) return;
        this.deviceErrors = 0;
        break;
      default:
        this.reject(`unknown ${name}`);
        return;
    }
    // A command that executed clears an earlier processing error from the status byte.
    const failed = this.errors.length !== errorsBefore;
    const showsError =
      this.commandStatus === COMMAND_STATUS.ProcessingError || this.commandStatus === COMMAND_STATUS.ExecutionFailure;
    if (showsError && !failed) this.commandStatus = COMMAND_STATUS.None;
  }

  /** Parameter count check of every command (§13 tables give the exact number of bytes). */
  private expectParameters(name: string, parameters: number, min: number, max: number): boolean {
    if (parameters >= min && parameters <= max) return true;
    const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min}..${max}`;
    return this.reject(`${name}: ${parameters} parameter bytes, expected ${wanted}`);
  }

  private setPaConfig(dutyCycle: number, hpMax: number, deviceSelect: number, paLut: number): void {
    // §13.1.14: deviceSel 0 selects the SX1262's high-power PA (the SX1262 has no other); paLut is
    // always 0x01; the datasheet warns against paDutyCycle above 0x04 and hpMax above 0x07.
    if (deviceSelect !== 0) return void this.reject("SetPaConfig: deviceSel 1 selects the SX1261 PA, absent on SX1262");
    if (paLut !== 0x01) return void this.reject(`SetPaConfig: paLut 0x${hex(paLut)}, must be 0x01`);
    if (dutyCycle > 0x04 || hpMax > 0x07) {
      return void this.reject(`SetPaConfig: paDutyCycle 0x${hex(dutyCycle)} / hpMax 0x${hex(hpMax)} out of range`);
    }
    this.paDutyCycle = dutyCycle;
    this.paHpMax = hpMax;
  }

  private setModulationParams(tx: Uint8Array): void {
    const [, sf, bandwidth, codingRate, lowDataRate] = tx;
    if (
      sf < 5 ||
      sf > 12 ||
      BANDWIDTH_HZ[bandwidth] === undefined ||
      codingRate < 1 ||
      codingRate > 4 ||
      lowDataRate > 1
    ) {
      return void this.reject(
        `SetModulationParams: SF 0x${hex(sf)}, BW 0x${hex(bandwidth)}, CR 0x${hex(codingRate)}, LDRO 0x${hex(lowDataRate)}`,
      );
    }
    this.spreadingFactor = sf;
    this.bandwidthCode = bandwidth;
    this.codingRateCode = codingRate;
    this.lowDataRateOptimize = lowDataRate === 1;
    this.modulationCache = undefined;
  }

  private setPacketParams(tx: Uint8Array): void {
    const preamble = (tx[1] << 8) | tx[2];
    const [, , , header, length, crc, iq] = tx;
    if (preamble === 0 || header > 1 || crc > 1 || iq > 1) {
      return void this.reject(`SetPacketParams: preamble ${preamble}, header ${header}, CRC ${crc}, IQ ${iq}`);
    }
    this.preambleLength = preamble;
    this.headerType = header;
    this.payloadLength = length;
    this.crcOn = crc === 1;
    this.invertIq = iq === 1;
    this.modulationCache = undefined;
  }

  private writeRegister(address: number, value: number): void {
    this.registers.set(address & 0xffff, value);
    if (address === 0x0740 || address === 0x0741) this.modulationCache = undefined;
  }

  private calibrate(): void {
    const tcxoConfigured = this.tcxoVoltageCode >= 0;
    this.busyFor(CALIBRATION_BUSY_MICROSECONDS + (tcxoConfigured ? this.tcxoDelayTicks * TICK_MICROSECONDS : 0));
    const boardTcxo = this.options.boardTcxoMillivolts;
    // The oscillator only starts when the driver's setting matches the board (§13.3.6).
    if (boardTcxo !== undefined && boardTcxo > 0 !== tcxoConfigured) this.deviceErrors |= XOSC_START_ERROR;
  }

  // ---- Activities ------------------------------------------------------------------------------------

  private startTransmit(timeoutTicks: number): void {
    if (!this.isLoRa("SetTx") || !this.rfSwitchAllows("SetTx", false)) return;
    this.stopActivity();
    const frame = new Uint8Array(this.payloadLength);
    for (let i = 0; i < frame.length; i++) frame[i] = this.buffer[(this.txBaseAddress + i) & 0xff];
    this.currentMode = "tx";
    if (timeoutTicks > 0) {
      this.modeTimer = this.medium.schedule(this.medium.now() + timeoutTicks * TICK_MICROSECONDS, () => {
        this.modeTimer = 0;
        this.abandonedTransmissions++;
        this.currentMode = "standbyRc";
        this.commandStatus = COMMAND_STATUS.CommandTimeout;
        this.raise(Sx126xIrq.Timeout);
      });
    }
    this.medium.transmit(this, frame, this.modulation(), this.outputPowerDbm());
  }

  private startReceive(timeoutTicks: number): void {
    if (!this.isLoRa("SetRx") || !this.rfSwitchAllows("SetRx", true)) return;
    this.stopActivity();
    this.currentMode = "rx";
    this.rxContinuous = timeoutTicks === RX_CONTINUOUS;
    this.nextRxOffset = this.rxBaseAddress;
    if (timeoutTicks > 0 && !this.rxContinuous) this.scheduleReceiveTimeout(timeoutTicks);
    // The receiver searches for a preamble from now on: one already on air may still be caught.
    this.medium.listeningStarted(this);
  }

  private scheduleReceiveTimeout(timeoutTicks: number): void {
    this.modeTimer = this.medium.schedule(this.medium.now() + timeoutTicks * TICK_MICROSECONDS, () => {
      this.modeTimer = 0;
      this.endReception();
      this.currentMode = "standbyRc";
      this.commandStatus = COMMAND_STATUS.CommandTimeout;
      this.raise(Sx126xIrq.Timeout);
    });
  }

  private startCad(): void {
    if (!this.isLoRa("SetCad") || !this.rfSwitchAllows("SetCad", true)) return;
    this.stopActivity();
    this.currentMode = "cad";
    const modulation = this.modulation();
    const symbolMicroseconds = (2 ** modulation.spreadingFactor * 1e6) / modulation.bandwidthHz;
    const duration = (1 << this.cadSymbolCode) * symbolMicroseconds;
    this.modeTimer = this.medium.schedule(this.medium.now() + duration, () => {
      this.modeTimer = 0;
      const detected = this.medium.channelActive(this, this.modulation());
      // §13.4.7: CAD_ONLY returns to STDBY_RC; CAD_RX stays in RX (with the CAD timeout) on detection.
      if (detected && this.cadExitMode === 1) {
        this.currentMode = "rx";
        this.rxContinuous = false;
        this.nextRxOffset = this.rxBaseAddress;
        if (this.cadTimeoutTicks > 0) this.scheduleReceiveTimeout(this.cadTimeoutTicks);
        // Before the IRQ, so the frame CAD detected is already being received when the driver looks.
        this.medium.listeningStarted(this);
      } else {
        this.currentMode = "standbyRc";
      }
      this.raise(detected ? Sx126xIrq.CadDone | Sx126xIrq.CadDetected : Sx126xIrq.CadDone);
    });
  }

  /** Leaves TX/RX/CAD. A frame already on the medium stays there (the medium has no cancel). */
  private stopActivity(): void {
    this.cancelModeTimer();
    // Leaving RX stops the demodulator (§9): the frame being received is abandoned.
    this.endReception();
    if (this.currentMode === "tx") this.abandonedTransmissions++;
  }

  // ---- The frame being received (PreambleDetected, HeaderValid, HeaderErr) ----------------------------

  /**
   * Raises the flags the frame being received has earned by now. Called before anything reads or
   * changes the IRQ state, so flags not routed to DIO1 need no event of their own: the result is the
   * same as raising each at its time, since the IrqMask in force then is the one in force now.
   */
  private advanceReception(): void {
    this.reception.advance();
  }

  /** Schedules the next reception flag when it reaches DIO1, so the interrupt comes on time. */
  private armReceptionTimer(): void {
    if (this.receptionTimer !== 0) this.medium.cancel(this.receptionTimer);
    this.receptionTimer = 0;
    const reception = this.reception.current;
    if (reception === null) return;
    const stage = this.reception.stage;
    const routed = this.irqMask & this.dio1Mask & RECEPTION_PROGRESS_IRQS;
    let due = Number.POSITIVE_INFINITY;
    if (stage === ReceptionStage.Locked && (routed & Sx126xIrq.PreambleDetected) !== 0) {
      due = this.reception.preambleDetectedAt;
    } else if (
      stage <= ReceptionStage.PreambleDetected &&
      this.headerType === 0 &&
      (routed & (Sx126xIrq.HeaderValid | Sx126xIrq.HeaderErr)) !== 0
    ) {
      due = reception.headerEndMicroseconds;
    }
    if (due === Number.POSITIVE_INFINITY) return;
    this.receptionTimer = this.medium.schedule(due, () => {
      this.receptionTimer = 0;
      this.advanceReception();
      this.armReceptionTimer();
    });
  }

  /** Raises what the reception earned until now, then forgets it; returns the stage it had reached. */
  private endReception(): ReceptionStage {
    const stage = this.reception.end();
    if (this.receptionTimer !== 0) this.medium.cancel(this.receptionTimer);
    this.receptionTimer = 0;
    return stage;
  }

  private cancelModeTimer(): void {
    if (this.modeTimer !== 0) this.medium.cancel(this.modeTimer);
    this.modeTimer = 0;
  }

  // ---- Reset, sleep, BUSY --------------------------------------------------------------------------

  private holdInReset(): void {
    this.stopActivity();
    this.inReset = true;
  }

  private releaseReset(): void {
    this.inReset = false;
    this.restoreResetState();
    this.busyFor(BOOT_BUSY_MICROSECONDS);
  }

  private wakeUp(): void {
    const keep = this.sleepKeepsConfiguration;
    if (!keep) this.restoreResetState();
    this.currentMode = "standbyRc";
    this.busyFor(BOOT_BUSY_MICROSECONDS);
  }

  /** The state after power-on or NRESET (§9.1, Table 12-1). */
  private restoreResetState(): void {
    this.cancelModeTimer();
    this.endReception();
    this.currentMode = "standbyRc";
    this.commandStatus = COMMAND_STATUS.None;
    this.irqStatus = 0;
    this.irqMask = 0;
    this.dio1Mask = 0;
    this.buffer.fill(0);
    this.registers.clear();
    for (const [address, value] of DATASHEET_REGISTER_RESET_VALUES) this.registers.set(address, value);
    for (const [address, value] of Object.entries(this.options.registerResetValues ?? {})) {
      this.registers.set(Number(address), value);
    }
    this.txBaseAddress = 0;
    this.rxBaseAddress = 0;
    this.packetType = 0;
    this.frequencyWord = 0;
    this.spreadingFactor = 7;
    this.bandwidthCode = 0x04;
    this.codingRateCode = 0x01;
    this.lowDataRateOptimize = false;
    this.preambleLength = 8;
    this.headerType = 0;
    this.payloadLength = 0xff;
    this.crcOn = true;
    this.invertIq = false;
    this.paDutyCycle = 0x04;
    this.paHpMax = 0x07;
    this.txPowerDbm = 22;
    this.regulatorMode = 0;
    this.dio2AsRfSwitch = false;
    this.tcxoVoltageCode = -1;
    this.tcxoDelayTicks = 0;
    this.rxContinuous = false;
    this.nextRxOffset = 0;
    this.lastRxLength = 0;
    this.lastRxStart = 0;
    this.modulationCache = undefined;
    // A TCXO board's power-on calibration ran without a clock (§13.3.6).
    const boardTcxo = this.options.boardTcxoMillivolts ?? 0;
    this.deviceErrors = boardTcxo > 0 ? XOSC_START_ERROR : 0;
  }

  private localTime(): number {
    return this.medium.now() + this.delayedMicroseconds;
  }

  private busyFor(microseconds: number): void {
    this.busyUntil = Math.max(this.busyUntil, this.localTime() + microseconds);
  }

  // ---- Helpers -----------------------------------------------------------------------------------------

  private statusByte(): number {
    return (STATUS_MODE[this.currentMode] << 4) | (this.commandStatus << 1);
  }

  private raise(bits: number): void {
    const wasHigh = this.dio1;
    this.irqStatus |= bits & this.irqMask;
    if (!wasHigh && this.dio1) this.onInterrupt?.();
  }

  private flag(message: string): void {
    this.errors.push(message);
  }

  /** A malformed command: recorded, and reported as a processing error in the status (§13.5.1). */
  private reject(message: string): false {
    this.flag(message);
    this.commandStatus = COMMAND_STATUS.ProcessingError;
    return false;
  }

  /** A well-formed command the chip cannot execute now (§13.5.1 "failure to execute command"). */
  private fail(message: string): false {
    this.flag(message);
    this.commandStatus = COMMAND_STATUS.ExecutionFailure;
    return false;
  }

  private isLoRa(name: string): boolean {
    return this.packetType === 1 || this.fail(`${name} with packet type GFSK (the model handles LoRa only)`);
  }

  /**
   * Radio configuration: SetPacketType is only accepted in standby (§13.4.2). SetRfFrequency,
   * SetModulationParams and SetPacketParams have no such sentence of their own, but the datasheet's
   * configuration sequences issue them in standby, after SetStandby(STDBY_RC) (§14.2 TX, §14.3 RX), and
   * it never says what a change does to a reception, transmission or CAD under way. The model refuses
   * them outside standby as it does SetPacketType, rather than guess, so a driver that depends on it
   * shows in `errors` and keeps the modulation the medium sees consistent for the whole frame.
   */
  private inStandby(name: string): boolean {
    return (
      this.currentMode === "standbyRc" || this.currentMode === "standbyXosc" || this.fail(`${name} outside standby`)
    );
  }

  private inStandbyRc(name: string): boolean {
    return this.currentMode === "standbyRc" || this.fail(`${name} outside STDBY_RC`);
  }

  private rfSwitchAllows(name: string, receive: boolean): boolean {
    if (!this.options.mcuRfSwitch) return true;
    const rxOn = this.pinLevels[Pin.RxEnable] === 1;
    const txOn = this.pinLevels[Pin.TxEnable] === 1;
    if (receive ? rxOn && !txOn : txOn && !rxOn) return true;
    this.flag(`${name} with RxEnable=${rxOn ? 1 : 0} TxEnable=${txOn ? 1 : 0}`);
    return true;
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/** A 24-bit big-endian tick count starting at tx[offset]. */
function ticksOf(tx: Uint8Array, offset: number): number {
  return (tx[offset] << 16) | (tx[offset + 1] << 8) | tx[offset + 2];
}

function address16(tx: Uint8Array): number {
  return (tx[1] << 8) | tx[2];
}
