// A register-level model of the Semtech SX1276 in LoRa mode (DS_SX1276-7-8-9_W_APP Rev. 7), for driver
// tests and the simulator: the SPI protocol (§4.3), the LoRa register page with its reset values (§6),
// the FIFO (§4.1 "LoRa Mode FIFO Data Buffer"), the SLEEP/STDBY/TX/RX/CAD state machine (§4.1.6),
// DIO0, and the packet RSSI/SNR registers (§5.5.5). Frames go through a RadioMedium. A driver's
// mistakes are recorded in `errors` rather than thrown, so a test can assert there were none.
import {
  type BusDevice,
  type LoRaModulation,
  type LoRaReception,
  Pin,
  type RadioMedium,
  type RadioPort,
} from "../radio-medium.js";
import { ReceptionStage, ReceptionTracker } from "./reception-tracker.js";

/** LoRa-mode register addresses (datasheet §6, LoRa register table). */
export enum Sx1276Register {
  Fifo = 0x00,
  OpMode = 0x01,
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
  FifoRxCurrentAddr = 0x10,
  IrqFlagsMask = 0x11,
  IrqFlags = 0x12,
  RxNbBytes = 0x13,
  RxHeaderCountMsb = 0x14,
  RxHeaderCountLsb = 0x15,
  RxPacketCountMsb = 0x16,
  RxPacketCountLsb = 0x17,
  ModemStat = 0x18,
  PktSnrValue = 0x19,
  PktRssiValue = 0x1a,
  RssiValue = 0x1b,
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
  DetectOptimize = 0x31,
  InvertIq = 0x33,
  DetectionThreshold = 0x37,
  SyncWord = 0x39,
  InvertIq2 = 0x3b,
  DioMapping1 = 0x40,
  DioMapping2 = 0x41,
  Version = 0x42,
  PaDac = 0x4d,
}

/** RegOpMode.Mode values (§4.1 "Operating Mode Control"). */
export enum Sx1276Mode {
  Sleep = 0,
  Standby = 1,
  FrequencySynthesisTx = 2,
  Transmit = 3,
  FrequencySynthesisRx = 4,
  ReceiveContinuous = 5,
  ReceiveSingle = 6,
  ChannelActivityDetection = 7,
}

/** RegIrqFlags bits. */
export enum Sx1276Irq {
  RxTimeout = 0x80,
  RxDone = 0x40,
  PayloadCrcError = 0x20,
  ValidHeader = 0x10,
  TxDone = 0x08,
  CadDone = 0x04,
  CadDetected = 0x01,
}

/** RegModemStat bits 4–0 in LoRa mode (register table); bits 7–5 are the last header's RxCodingRate. */
export enum Sx1276ModemStatus {
  SignalDetected = 0x01,
  SignalSynchronized = 0x02,
  RxOnGoing = 0x04,
  HeaderInfoValid = 0x08,
  ModemClear = 0x10,
}

const SPI_WRITE = 0x80;
const LONG_RANGE_MODE = 0x80;
const ACCESS_SHARED_REG = 0x40;
const LOW_FREQUENCY_MODE_ON = 0x08;
const MODE_MASK = 0x07;
const FIFO_SIZE = 256;
const CRYSTAL_HZ = 32_000_000;
const FRF_STEPS_PER_CRYSTAL = 2 ** 19;
/** RegModemConfig1.Bw codes 0..9 (register table). */
const BANDWIDTH_HZ = [7_800, 10_400, 15_600, 20_800, 31_250, 41_700, 62_500, 125_000, 250_000, 500_000];
/** DIO0 in LoRa mode: RegDioMapping1 bits 7–6 → the IRQ flag it follows (§4.1.6, DIO mapping table). */
const DIO0_SOURCES = [Sx1276Irq.RxDone, Sx1276Irq.TxDone, Sx1276Irq.CadDone, 0];
const RSSI_OFFSET_HF_PORT_DBM = -157;
const RSSI_OFFSET_LF_PORT_DBM = -164;
const HF_PORT_MIN_HZ = 862_000_000;
const LF_PORT_MAX_HZ = 525_000_000;
/** §7.2.2: NRESET low for at least 100 µs, then 5 ms before the chip may be used. */
const RESET_PULSE_MICROSECONDS = 100;
const RESET_READY_MICROSECONDS = 5_000;
/** A LoRa receiver tolerates a carrier offset up to a quarter of its bandwidth. */
const FREQUENCY_TOLERANCE_OF_BANDWIDTH = 0.25;

/**
 * Reset values of the registers the model gives meaning to (§6 register tables; for 0x0D–0x3F the
 * LoRa page's values). RegOpMode 0x09 = FSK mode, LowFrequencyModeOn, STDBY.
 */
const RESET_VALUES: ReadonlyArray<readonly [number, number]> = [
  [Sx1276Register.OpMode, 0x09],
  [Sx1276Register.FrfMsb, 0x6c],
  [Sx1276Register.FrfMid, 0x80],
  [Sx1276Register.FrfLsb, 0x00],
  [Sx1276Register.PaConfig, 0x4f],
  [Sx1276Register.PaRamp, 0x09],
  [Sx1276Register.Ocp, 0x2b],
  [Sx1276Register.Lna, 0x20],
  [Sx1276Register.FifoAddrPtr, 0x00],
  [Sx1276Register.FifoTxBaseAddr, 0x80],
  [Sx1276Register.FifoRxBaseAddr, 0x00],
  [Sx1276Register.IrqFlagsMask, 0x00],
  [Sx1276Register.ModemStat, 0x10],
  [Sx1276Register.ModemConfig1, 0x72],
  [Sx1276Register.ModemConfig2, 0x70],
  [Sx1276Register.SymbTimeoutLsb, 0x64],
  [Sx1276Register.PreambleMsb, 0x00],
  [Sx1276Register.PreambleLsb, 0x08],
  [Sx1276Register.PayloadLength, 0x01],
  [Sx1276Register.MaxPayloadLength, 0xff],
  [Sx1276Register.ModemConfig3, 0x00],
  [Sx1276Register.DetectOptimize, 0xc3],
  [Sx1276Register.InvertIq, 0x27],
  [Sx1276Register.DetectionThreshold, 0x0a],
  [Sx1276Register.SyncWord, 0x12],
  [Sx1276Register.InvertIq2, 0x1d],
  [Sx1276Register.DioMapping1, 0x00],
  [Sx1276Register.DioMapping2, 0x00],
  [Sx1276Register.PaDac, 0x84],
];

/** Registers the chip computes; a write to one is a driver bug. */
const READ_ONLY = new Set<number>([
  Sx1276Register.FifoRxCurrentAddr,
  Sx1276Register.RxNbBytes,
  Sx1276Register.RxHeaderCountMsb,
  Sx1276Register.RxHeaderCountLsb,
  Sx1276Register.RxPacketCountMsb,
  Sx1276Register.RxPacketCountLsb,
  Sx1276Register.ModemStat,
  Sx1276Register.PktSnrValue,
  Sx1276Register.PktRssiValue,
  Sx1276Register.RssiValue,
  Sx1276Register.HopChannel,
  Sx1276Register.FifoRxByteAddr,
  Sx1276Register.Version,
]);

/** Registers that shape the modulation: writing one invalidates the decoded LoRaModulation. */
const MODULATION_REGISTERS = new Set<number>([
  Sx1276Register.FrfMsb,
  Sx1276Register.FrfMid,
  Sx1276Register.FrfLsb,
  Sx1276Register.ModemConfig1,
  Sx1276Register.ModemConfig2,
  Sx1276Register.ModemConfig3,
  Sx1276Register.PreambleMsb,
  Sx1276Register.PreambleLsb,
  Sx1276Register.SyncWord,
  Sx1276Register.InvertIq,
]);

/** The LoRa page (0x0D–0x3F) is only visible in LoRa mode; in FSK mode the same addresses are FSK registers. */
const LORA_PAGE_FIRST = 0x0d;
const LORA_PAGE_LAST = 0x3f;

export interface Sx1276ModelOptions {
  /** What RegVersion answers: 0x12 for an SX1276, 0x22 would be an SX1272. */
  version?: number;
  /** The board's RF switch is driven by the MCU: TX needs TxEnable high, RX/CAD RxEnable high. */
  mcuRfSwitch?: boolean;
}

export interface Sx1276Statistics {
  framesSent: number;
  framesReceived: number;
  crcErrors: number;
  /** Frames the medium delivered while the chip was not receiving. */
  framesMissed: number;
  cadRuns: number;
}

/** Whether a receiver set to `receiver` demodulates a frame sent with `sender`. */
export function loraModulationsInterwork(receiver: LoRaModulation, sender: LoRaModulation): boolean {
  if (receiver.spreadingFactor !== sender.spreadingFactor || receiver.bandwidthHz !== sender.bandwidthHz) return false;
  if (Math.abs(receiver.frequencyHz - sender.frequencyHz) > receiver.bandwidthHz * FREQUENCY_TOLERANCE_OF_BANDWIDTH)
    return false;
  if (receiver.syncWord !== sender.syncWord || receiver.invertIq !== sender.invertIq) return false;
  if (receiver.lowDataRateOptimize !== sender.lowDataRateOptimize) return false;
  if (receiver.explicitHeader !== sender.explicitHeader) return false;
  // Implicit header: nothing on air says the coding rate or CRC; both ends must agree (§4.1.1.3).
  if (!receiver.explicitHeader)
    return receiver.codingRateDenominator === sender.codingRateDenominator && receiver.crcOn === sender.crcOn;
  return true;
}

export class Sx1276Model implements BusDevice, RadioPort {
  /** Driver mistakes, in order: "what was wrong (datasheet section)". */
  readonly errors: string[] = [];
  readonly statistics: Sx1276Statistics = {
    framesSent: 0,
    framesReceived: 0,
    crcErrors: 0,
    framesMissed: 0,
    cadRuns: 0,
  };
  /** Called when DIO0 rises (BusDevice contract). */
  onInterrupt?: () => void;
  /** Levels the MCU drives on the RF switch lines (boards with mcuRfSwitch). */
  rxEnable = 0;
  txEnable = 0;

  private readonly registers = new Uint8Array(0x80);
  private readonly fifo = new Uint8Array(FIFO_SIZE);
  private readonly version: number;
  private readonly mcuRfSwitch: boolean;
  private inReset = false;
  private resetLowMicroseconds = 0;
  /** Delays counted since NRESET was released, and the medium time of the release (§7.2.2 readiness). */
  private delaySinceRelease = Number.POSITIVE_INFINITY;
  private releasedAt = Number.NEGATIVE_INFINITY;
  /** The modem's own write pointer in continuous RX: packets follow each other around the FIFO. */
  private receiveWriteAddress = 0;
  private transmitEndsAt = 0;
  private cadTimer: number | undefined;
  private transmitModulation: LoRaModulation | undefined;
  private receiveModulation: LoRaModulation | undefined;
  /**
   * The frame the modem is locked onto (RadioPort.receptionStarted), while in RX. RegModemStat shows its
   * stage (modemStatus): clear while Locked; signal detected, synchronized and RX on-going once the
   * preamble is detected; header info valid too once an explicit header is received, when ValidHeader
   * is raised; clear again when the header fails its CRC (the modem drops the frame and searches again).
   * ValidHeader is not on DIO0 (DIO0_SOURCES) and RegModemStat is only read over SPI, so every change
   * waits for the next access (reception.advance()) instead of an event of its own.
   */
  private readonly reception = new ReceptionTracker(() => this.medium.now(), {
    explicitHeader: (reception) => reception.modulation.explicitHeader,
    // A header that fails its CRC raises nothing in LoRa mode; the modem searches for a preamble again.
    acceptsHeader: (reception) => reception.headerIntact(),
    headerValid: (reception) => {
      this.headerCodingRate = reception.modulation.codingRateDenominator - 4;
      this.incrementCounter(Sx1276Register.RxHeaderCountMsb);
      this.raise(Sx1276Irq.ValidHeader);
    },
  });
  /** RegModemStat.RxCodingRate: the coding rate (1–4 for 4/5–4/8) of the last header received. */
  private headerCodingRate = 0;

  constructor(
    private readonly medium: RadioMedium,
    readonly nodeIndex: number,
    options: Sx1276ModelOptions = {},
  ) {
    this.version = options.version ?? 0x12;
    this.mcuRfSwitch = options.mcuRfSwitch ?? false;
    this.resetRegisters();
  }

  // ——— What tests and the simulator read ———

  get mode(): Sx1276Mode {
    return this.registers[Sx1276Register.OpMode] & MODE_MASK;
  }

  get loraMode(): boolean {
    return (this.registers[Sx1276Register.OpMode] & LONG_RANGE_MODE) !== 0;
  }

  /** Current value of a register (no side effects beyond the reception's progress up to now). */
  peek(address: number): number {
    this.reception.advance();
    return this.readRegisterValue(address & 0x7f);
  }

  /** Carrier frequency from RegFrf: f = Frf · 32 MHz / 2^19. */
  get frequencyHz(): number {
    const frf =
      (this.registers[Sx1276Register.FrfMsb] << 16) |
      (this.registers[Sx1276Register.FrfMid] << 8) |
      this.registers[Sx1276Register.FrfLsb];
    return Math.round((frf * CRYSTAL_HZ) / FRF_STEPS_PER_CRYSTAL);
  }

  /** Output power from RegPaConfig and RegPaDac (§5.4.2, §5.4.3). */
  get txPowerDbm(): number {
    const paConfig = this.registers[Sx1276Register.PaConfig];
    const outputPower = paConfig & 0x0f;
    if (paConfig & 0x80) {
      const highPower = (this.registers[Sx1276Register.PaDac] & 0x07) === 0x07;
      return (highPower ? 20 : 17) - (15 - outputPower);
    }
    const maxPower = 10.8 + 0.6 * ((paConfig >> 4) & 0x07);
    return maxPower - (15 - outputPower);
  }

  /** The modulation decoded from the registers, as the transmitter (`"transmit"`) or receiver uses it. */
  modulation(direction: "transmit" | "receive" = "transmit"): LoRaModulation {
    if (direction === "transmit") {
      this.transmitModulation ??= this.decodeModulation(direction);
      return this.transmitModulation;
    }
    this.receiveModulation ??= this.decodeModulation(direction);
    return this.receiveModulation;
  }

  // ——— BusDevice ———

  spiTransfer(tx: Uint8Array): Uint8Array {
    const rx = new Uint8Array(tx.length);
    // What the frame being received has reached by now, before the access reads or changes it.
    this.reception.advance();
    if (this.inReset) {
      this.error("SPI transfer while NRESET is held low (§7.2.2)");
      return rx;
    }
    this.checkReady();
    if (tx.length < 2) {
      this.error(`SPI transfer of ${tx.length} byte(s): an access needs an address and at least one data byte (§4.3)`);
      return rx;
    }
    const write = (tx[0] & SPI_WRITE) !== 0;
    let address = tx[0] & 0x7f;
    for (let i = 1; i < tx.length; i++) {
      if (address === Sx1276Register.Fifo) {
        rx[i] = this.accessFifo(write, tx[i]);
        continue; // a burst on RegFifo stays on RegFifo; the FIFO pointer moves instead (§4.3)
      }
      if (!this.registerVisible(address)) {
        rx[i] = 0;
      } else {
        // During a write MISO returns the register's old value (§4.3).
        rx[i] = this.readRegisterValue(address);
        if (write) this.writeRegister(address, tx[i]);
      }
      address = (address + 1) & 0x7f;
    }
    return rx;
  }

  gpioWrite(pin: number, level: number): void {
    switch (pin) {
      case Pin.Reset:
        if (level === 0 && !this.inReset) {
          this.reception.end();
          this.inReset = true;
          this.resetLowMicroseconds = 0;
          this.abortActivity();
        } else if (level !== 0 && this.inReset) {
          if (this.resetLowMicroseconds < RESET_PULSE_MICROSECONDS)
            this.error(`NRESET held low ${this.resetLowMicroseconds} µs; §7.2.2 asks for 100 µs`);
          this.inReset = false;
          this.resetRegisters();
          this.delaySinceRelease = 0;
          this.releasedAt = this.medium.now();
        }
        return;
      case Pin.RxEnable:
        this.rxEnable = level ? 1 : 0;
        return;
      case Pin.TxEnable:
        this.txEnable = level ? 1 : 0;
        return;
      default:
        this.error(`gpioWrite on input pin ${pin}`);
    }
  }

  gpioRead(pin: number): number {
    if (pin === Pin.Irq) return this.dio0();
    if (pin === Pin.Busy) return 0; // the SX127x has no BUSY line
    this.error(`gpioRead on output pin ${pin}`);
    return 0;
  }

  delayMicroseconds(microseconds: number): void {
    if (this.inReset) this.resetLowMicroseconds += microseconds;
    else this.delaySinceRelease += microseconds;
  }

  // ——— RadioPort ———

  isListening(modulation: LoRaModulation): boolean {
    if (this.inReset || !this.loraMode || !this.receiving()) return false;
    return loraModulationsInterwork(this.modulation("receive"), modulation);
  }

  transmitDone(): void {
    // An earlier, aborted transmission may still end on the medium: only the current one counts.
    if (this.inReset || this.mode !== Sx1276Mode.Transmit || this.medium.now() < this.transmitEndsAt) return;
    this.raise(Sx1276Irq.TxDone);
    this.setMode(Sx1276Mode.Standby);
  }

  /**
   * `headerCrcOn` is what the sender's explicit header announced (RegHopChannel.CrcOnPayload); the
   * RadioPort contract does not carry it, so it defaults to this receiver's own CRC setting.
   */
  deliver(frame: Uint8Array, rssiDbm: number, snrDb: number, crcOk: boolean, headerCrcOn?: boolean): void {
    if (this.inReset || !this.loraMode || !this.receiving()) {
      this.statistics.framesMissed++;
      return;
    }
    // The frame's end is past its header: ValidHeader and the header count came at the header's end.
    const tracked = this.reception.current !== null;
    const stage = this.reception.end();
    if (tracked && stage === ReceptionStage.HeaderFailed) return;
    const headerCounted = tracked && stage === ReceptionStage.HeaderValid;
    const modulation = this.modulation("receive");
    let length = frame.length;
    let intact = crcOk;
    if (!modulation.explicitHeader && length !== this.registers[Sx1276Register.PayloadLength]) {
      // Implicit header: the receiver decodes exactly RegPayloadLength bytes, so the CRC cannot match.
      length = this.registers[Sx1276Register.PayloadLength];
      intact = false;
    }
    const start = this.receiveWriteAddress;
    for (let i = 0; i < length; i++) this.fifo[(start + i) & 0xff] = i < frame.length ? frame[i] : 0;
    this.receiveWriteAddress = (start + length) & 0xff;
    this.registers[Sx1276Register.FifoRxCurrentAddr] = start;
    this.registers[Sx1276Register.RxNbBytes] = length;
    this.registers[Sx1276Register.FifoRxByteAddr] = (start + length - 1) & 0xff;
    this.writePacketQuality(rssiDbm, snrDb);
    const payloadHasCrc = modulation.explicitHeader ? (headerCrcOn ?? modulation.crcOn) : modulation.crcOn;
    this.registers[Sx1276Register.HopChannel] = payloadHasCrc ? 0x40 : 0x00;
    if (!headerCounted) this.incrementCounter(Sx1276Register.RxHeaderCountMsb);
    // Without a payload CRC the chip cannot notice the corruption and reports a good frame.
    const crcError = !intact && payloadHasCrc;
    if (crcError) this.statistics.crcErrors++;
    else {
      this.statistics.framesReceived++;
      this.incrementCounter(Sx1276Register.RxPacketCountMsb);
    }
    const validHeader = headerCounted ? 0 : Sx1276Irq.ValidHeader;
    this.raise(validHeader | Sx1276Irq.RxDone | (crcError ? Sx1276Irq.PayloadCrcError : 0));
    if (this.mode === Sx1276Mode.ReceiveSingle) this.setMode(Sx1276Mode.Standby);
  }

  /**
   * The medium locked the modem onto a frame. RegModemStat (register table, §4.1.6) follows it live:
   * signal detected, signal synchronized and RX on-going once the preamble is detected
   * (PREAMBLE_DETECTION_SYMBOLS symbols after the modem began to hear it, lora-receiver.ts), header info
   * valid once an explicit header has arrived — when ValidHeader is raised, RegRxHeaderCnt counts it
   * and RxCodingRate takes the header's coding rate — and modem clear again when the frame ends.
   */
  receptionStarted(reception: LoRaReception): void {
    if (this.inReset || !this.loraMode || !this.receiving()) return;
    this.reception.end();
    this.reception.start(reception);
  }

  /** The medium dropped the reception without a delivery: the modem is clear again. */
  receptionEnded(reception: LoRaReception): void {
    if (reception === this.reception.current) this.reception.end();
  }

  // ——— The frame being received ———

  /** RegModemStat now: live modem status, and the coding rate of the last header received. */
  private modemStatus(): number {
    let status: number = Sx1276ModemStatus.ModemClear;
    const stage = this.reception.stage;
    if (stage === ReceptionStage.PreambleDetected || stage === ReceptionStage.HeaderValid) {
      status = Sx1276ModemStatus.SignalDetected | Sx1276ModemStatus.SignalSynchronized | Sx1276ModemStatus.RxOnGoing;
      if (stage === ReceptionStage.HeaderValid) status |= Sx1276ModemStatus.HeaderInfoValid;
    }
    return (this.headerCodingRate << 5) | status;
  }

  // ——— Registers ———

  private readRegisterValue(address: number): number {
    return address === Sx1276Register.ModemStat ? this.modemStatus() : this.registers[address];
  }

  private resetRegisters(): void {
    this.registers.fill(0);
    for (const [address, value] of RESET_VALUES) this.registers[address] = value;
    this.registers[Sx1276Register.Version] = this.version;
    this.fifo.fill(0);
    this.receiveWriteAddress = 0;
    this.headerCodingRate = 0;
    this.invalidateModulation();
  }

  private registerVisible(address: number): boolean {
    if (address >= LORA_PAGE_FIRST && address <= LORA_PAGE_LAST && !this.loraMode) {
      this.error(`register 0x${hex(address)} accessed in FSK/OOK mode; the LoRa page needs LongRangeMode (§6)`);
      return false;
    }
    return true;
  }

  private writeRegister(address: number, value: number): void {
    if (READ_ONLY.has(address)) {
      this.error(`write 0x${hex(value)} to read-only register 0x${hex(address)}`);
      return;
    }
    switch (address) {
      case Sx1276Register.OpMode:
        this.writeOpMode(value);
        return;
      case Sx1276Register.IrqFlags:
        this.registers[address] &= ~value; // write 1 to clear
        return;
      case Sx1276Register.FrfMsb:
      case Sx1276Register.FrfMid:
      case Sx1276Register.FrfLsb:
        if (this.mode !== Sx1276Mode.Sleep && this.mode !== Sx1276Mode.Standby)
          this.error("RegFrf written outside SLEEP/STDBY (register table)");
        break;
    }
    this.registers[address] = value;
    if (MODULATION_REGISTERS.has(address)) this.invalidateModulation();
  }

  private writeOpMode(value: number): void {
    const before = this.registers[Sx1276Register.OpMode];
    let longRange = before & LONG_RANGE_MODE;
    if ((value & LONG_RANGE_MODE) !== longRange) {
      // RegOpMode: "This bit can be modified only in Sleep mode. A write operation on other device modes is ignored."
      if ((before & MODE_MASK) === Sx1276Mode.Sleep) longRange = value & LONG_RANGE_MODE;
      else this.error("LongRangeMode changed outside SLEEP; the chip ignores it (RegOpMode)");
    }
    if (value & ACCESS_SHARED_REG) this.error("AccessSharedReg set: FSK page access in LoRa mode is not modelled");
    this.registers[Sx1276Register.OpMode] = longRange | (value & ~LONG_RANGE_MODE & 0xff);
    this.invalidateModulation();
    this.enterMode(before & MODE_MASK, value & MODE_MASK);
  }

  private enterMode(previous: Sx1276Mode, next: Sx1276Mode): void {
    if (previous === next) return;
    // Leaving RX stops the modem (§4.1.6): the frame being received is abandoned.
    if (!isReceiveMode(next)) this.reception.end();
    if (previous === Sx1276Mode.ChannelActivityDetection) this.cancelCad();
    if (next === Sx1276Mode.Sleep) {
      // The FIFO is cleared and the RX counters reset in SLEEP (register table, RegFifo / RegRxHeaderCnt).
      this.fifo.fill(0);
      for (let a = Sx1276Register.RxHeaderCountMsb; a <= Sx1276Register.RxPacketCountLsb; a++) this.registers[a] = 0;
      return;
    }
    if (!this.loraMode) {
      if (next !== Sx1276Mode.Standby) this.error(`FSK/OOK mode ${Sx1276Mode[next]} is not modelled`);
      return;
    }
    switch (next) {
      case Sx1276Mode.Transmit:
        this.startTransmission();
        return;
      case Sx1276Mode.ReceiveContinuous:
      case Sx1276Mode.ReceiveSingle:
        if (previous !== Sx1276Mode.ReceiveContinuous && previous !== Sx1276Mode.ReceiveSingle) {
          this.receiveWriteAddress = this.registers[Sx1276Register.FifoRxBaseAddr];
          this.checkReadyToRun("receive", this.rxEnable === 1 && this.txEnable === 0);
          // The modem searches for a preamble from now on: one already on air may still be caught.
          this.medium.listeningStarted(this);
        }
        return;
      case Sx1276Mode.ChannelActivityDetection:
        this.startCad();
        return;
    }
  }

  /** Sets RegOpMode.Mode from inside the chip (TxDone, CadDone, RX single). */
  private setMode(mode: Sx1276Mode): void {
    const opMode = this.registers[Sx1276Register.OpMode];
    this.registers[Sx1276Register.OpMode] = (opMode & ~MODE_MASK) | mode;
  }

  private receiving(): boolean {
    const mode = this.mode;
    return mode === Sx1276Mode.ReceiveContinuous || mode === Sx1276Mode.ReceiveSingle;
  }

  private accessFifo(write: boolean, value: number): number {
    if (!this.loraMode || this.mode === Sx1276Mode.Sleep) {
      this.error("RegFifo accessed in SLEEP or FSK mode; it is only accessible in LoRa mode outside SLEEP (RegFifo)");
      return 0;
    }
    const pointer = this.registers[Sx1276Register.FifoAddrPtr];
    const old = this.fifo[pointer];
    if (write) this.fifo[pointer] = value;
    this.registers[Sx1276Register.FifoAddrPtr] = (pointer + 1) & 0xff;
    return old;
  }

  private raise(flags: number): void {
    const lineWasHigh = this.dio0();
    this.registers[Sx1276Register.IrqFlags] |= flags & ~this.registers[Sx1276Register.IrqFlagsMask];
    if (!lineWasHigh && this.dio0()) this.onInterrupt?.();
  }

  private dio0(): number {
    if (this.inReset || !this.loraMode) return 0;
    const source = DIO0_SOURCES[this.registers[Sx1276Register.DioMapping1] >> 6];
    return (this.registers[Sx1276Register.IrqFlags] & source) !== 0 ? 1 : 0;
  }

  private incrementCounter(msbAddress: number): void {
    const value = ((this.registers[msbAddress] << 8) | this.registers[msbAddress + 1]) + 1;
    this.registers[msbAddress] = (value >> 8) & 0xff;
    this.registers[msbAddress + 1] = value & 0xff;
  }

  /** Inverse of §5.5.5, so that a driver applying the datasheet formulas gets `rssiDbm` and `snrDb` back (to 0.25 dB / 1 dB). */
  private writePacketQuality(rssiDbm: number, snrDb: number): void {
    const snrQuarterDb = Math.max(-128, Math.min(127, Math.round(snrDb * 4)));
    this.registers[Sx1276Register.PktSnrValue] = snrQuarterDb & 0xff;
    const offset = this.frequencyHz >= HF_PORT_MIN_HZ ? RSSI_OFFSET_HF_PORT_DBM : RSSI_OFFSET_LF_PORT_DBM;
    const snrCorrection = snrQuarterDb < 0 ? snrQuarterDb / 4 : 0;
    const packetRssi = Math.round(rssiDbm - offset - snrCorrection);
    this.registers[Sx1276Register.PktRssiValue] = Math.max(0, Math.min(255, packetRssi));
  }

  // ——— Transmit and CAD ———

  private startTransmission(): void {
    const length = this.registers[Sx1276Register.PayloadLength];
    if (length === 0) {
      this.error("TX with RegPayloadLength = 0, which the datasheet does not permit (RegPayloadLength)");
      this.setMode(Sx1276Mode.Standby);
      return;
    }
    if (this.registers[Sx1276Register.ModemConfig2] & 0x08) this.error("TxContinuousMode is not modelled");
    this.checkReadyToRun("transmit", this.txEnable === 1 && this.rxEnable === 0);
    // The modem sends RegPayloadLength bytes starting at RegFifoTxBaseAddr (§4.1 "LoRa Mode FIFO Data Buffer").
    const base = this.registers[Sx1276Register.FifoTxBaseAddr];
    const frame = new Uint8Array(length);
    for (let i = 0; i < length; i++) frame[i] = this.fifo[(base + i) & 0xff];
    this.statistics.framesSent++;
    const now = this.medium.now();
    this.transmitEndsAt = now;
    const airtime = this.medium.transmit(this, frame, this.modulation("transmit"), this.txPowerDbm);
    this.transmitEndsAt = now + airtime;
  }

  /**
   * CAD (§4.1.6 "Channel Activity Detection"): the receiver captures (2^SF + 32) / BW seconds of
   * signal, then correlates for a little less than one symbol; CadDone (with CadDetected) follows and
   * the chip returns to STDBY. The channel is sampled at the end of the capture.
   */
  private startCad(): void {
    const modulation = this.modulation("receive");
    this.checkReadyToRun("CAD", this.rxEnable === 1 && this.txEnable === 0);
    this.statistics.cadRuns++;
    const chips = 2 ** modulation.spreadingFactor;
    const captureMicroseconds = ((chips + 32) * 1e6) / modulation.bandwidthHz;
    const processingMicroseconds = (chips * 1e6) / modulation.bandwidthHz;
    this.cadTimer = this.medium.schedule(this.medium.now() + captureMicroseconds, () => {
      const detected = this.medium.channelActive(this, modulation);
      this.cadTimer = this.medium.schedule(this.medium.now() + processingMicroseconds, () => {
        this.cadTimer = undefined;
        if (this.mode !== Sx1276Mode.ChannelActivityDetection) return;
        this.raise(Sx1276Irq.CadDone | (detected ? Sx1276Irq.CadDetected : 0));
        this.setMode(Sx1276Mode.Standby);
      });
    });
  }

  private cancelCad(): void {
    if (this.cadTimer !== undefined) this.medium.cancel(this.cadTimer);
    this.cadTimer = undefined;
  }

  private abortActivity(): void {
    this.cancelCad();
    this.transmitEndsAt = Number.POSITIVE_INFINITY; // a pending transmitDone() belongs to nothing now
  }

  // ——— Checks of what the datasheet requires before TX/RX/CAD ———

  private checkReadyToRun(operation: string, rfSwitchRight: boolean): void {
    if (this.mcuRfSwitch && !rfSwitchRight)
      this.error(`${operation} started with RxEnable=${this.rxEnable} TxEnable=${this.txEnable}`);
    const m = this.modulation(operation === "transmit" ? "transmit" : "receive");
    const frequency = m.frequencyHz;
    const lowFrequencyMode = (this.registers[Sx1276Register.OpMode] & LOW_FREQUENCY_MODE_ON) !== 0;
    if (frequency >= HF_PORT_MIN_HZ && lowFrequencyMode)
      this.error(`${operation} at ${frequency} Hz with LowFrequencyModeOn set (RegOpMode)`);
    if (frequency <= LF_PORT_MAX_HZ && !lowFrequencyMode)
      this.error(`${operation} at ${frequency} Hz with LowFrequencyModeOn clear (RegOpMode)`);
    if (
      !Number.isFinite(m.bandwidthHz) ||
      m.spreadingFactor < 6 ||
      m.spreadingFactor > 12 ||
      m.codingRateDenominator > 8
    )
      this.error(`${operation} with reserved RegModemConfig values`);
    const sf6 = m.spreadingFactor === 6;
    if (sf6 && m.explicitHeader) this.error("SF6 in explicit header mode (§4.1.1.2)");
    const detectOptimize = this.registers[Sx1276Register.DetectOptimize] & 0x07;
    const threshold = this.registers[Sx1276Register.DetectionThreshold];
    if (detectOptimize !== (sf6 ? 0x05 : 0x03) || threshold !== (sf6 ? 0x0c : 0x0a))
      this.error(
        `DetectOptimize/DetectionThreshold 0x${hex(detectOptimize)}/0x${hex(threshold)} wrong for SF${m.spreadingFactor} (§4.1.1.2)`,
      );
    const symbolMicroseconds = (2 ** m.spreadingFactor * 1e6) / m.bandwidthHz;
    if (symbolMicroseconds > 16_000 && !m.lowDataRateOptimize)
      this.error(
        `LowDataRateOptimize off with ${symbolMicroseconds} µs symbols; mandated above 16 ms (RegModemConfig3)`,
      );
    const iq2 = this.registers[Sx1276Register.InvertIq2];
    if (iq2 !== (m.invertIq ? 0x19 : 0x1d)) this.error(`RegInvertIQ2 0x${hex(iq2)} does not match the IQ setting`);
  }

  private checkReady(): void {
    if (this.delaySinceRelease >= RESET_READY_MICROSECONDS) return;
    if (this.medium.now() - this.releasedAt >= RESET_READY_MICROSECONDS) return;
    this.error(`SPI access ${this.delaySinceRelease} µs after reset; §7.2.2 asks for 5 ms`);
    this.delaySinceRelease = Number.POSITIVE_INFINITY; // report once per reset
  }

  // ——— Modulation ———

  private invalidateModulation(): void {
    this.transmitModulation = undefined;
    this.receiveModulation = undefined;
  }

  private decodeModulation(direction: "transmit" | "receive"): LoRaModulation {
    const config1 = this.registers[Sx1276Register.ModemConfig1];
    const config2 = this.registers[Sx1276Register.ModemConfig2];
    const invertIq = this.registers[Sx1276Register.InvertIq];
    return {
      frequencyHz: this.frequencyHz,
      spreadingFactor: config2 >> 4,
      bandwidthHz: BANDWIDTH_HZ[config1 >> 4] ?? Number.NaN,
      codingRateDenominator: ((config1 >> 1) & 0x07) + 4,
      preambleLength: (this.registers[Sx1276Register.PreambleMsb] << 8) | this.registers[Sx1276Register.PreambleLsb],
      syncWord: this.registers[Sx1276Register.SyncWord],
      crcOn: (config2 & 0x04) !== 0,
      explicitHeader: (config1 & 0x01) === 0,
      // RegInvertIQ: bit 6 inverts the RX path; bit 0 is the TX path, active low (see registers.ts).
      invertIq: direction === "receive" ? (invertIq & 0x40) !== 0 : (invertIq & 0x01) === 0,
      lowDataRateOptimize: (this.registers[Sx1276Register.ModemConfig3] & 0x08) !== 0,
    };
  }

  private error(message: string): void {
    this.errors.push(message);
  }
}

function isReceiveMode(mode: Sx1276Mode): boolean {
  return mode === Sx1276Mode.ReceiveContinuous || mode === Sx1276Mode.ReceiveSingle;
}

function hex(value: number): string {
  return value.toString(16).padStart(2, "0");
}
