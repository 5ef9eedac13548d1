// Host binding of firmware/exports/radio-api.ts: drives radio drivers inside stack.wasm, each wired
// through the `bus` imports to a BusDevice (a chip model in tests and the simulator).
import type { BusDevice } from "../sim/radio-medium.js";
import { type BusImportOptions, createBusImports } from "./bus-imports.js";
import { instantiateStack, type StackBuild, type StackInstance } from "./load-stack.js";

export enum RadioEvent {
  None = 0,
  TxDone = 1,
  RxDone = 2,
  CadDone = 4,
  CadDetected = 8,
  Timeout = 16,
  CrcError = 32,
  HeaderError = 64,
}

export enum RadioState {
  Off = 0,
  Standby = 1,
  Transmitting = 2,
  Receiving = 3,
  DetectingActivity = 4,
}

export type RadioChip = "sx1262" | "sx1276";

/** Settings for radioBegin (radio-drivers/lora/lora-config.ts). */
export interface RadioSettings {
  frequencyHz: number;
  spreadingFactor: number;
  bandwidthHz: number;
  codingRateDenominator?: number;
  preambleLength?: number;
  syncWord?: number;
  txPowerDbm?: number;
  tcxoMillivolts?: number;
  crcOn?: boolean;
  explicitHeader?: boolean;
  invertIq?: boolean;
  dio2AsRfSwitch?: boolean;
  mcuRfSwitch?: boolean;
  highPowerPa?: boolean;
}

interface RadioExports {
  ioDataPointer(): number;
  ioArgsPointer(): number;
  sx1262Create?(bus: number): number;
  sx1276Create?(bus: number): number;
  radioBegin(
    radio: number,
    frequencyHz: number,
    spreadingFactor: number,
    bandwidthHz: number,
    codingRateDenominator: number,
    preambleLength: number,
    syncWord: number,
    txPowerDbm: number,
    tcxoMillivolts: number,
    flags: number,
  ): number;
  radioTransmit(radio: number, length: number): number;
  radioStartReceive(radio: number): number;
  radioStartChannelActivityDetection(radio: number): number;
  radioInterruptPending(radio: number): number;
  radioReceptionInProgress(radio: number, nowMs: bigint): number;
  radioTakeEvents(radio: number): number;
  radioReadFrame(radio: number): number;
  radioTimeOnAirMicroseconds(radio: number, length: number): number;
  radioStandby(radio: number): number;
  radioState(radio: number): number;
  radioMaxFrameLength(radio: number): number;
}

/** One driver instance inside a stack instance. */
export class RadioDriver {
  constructor(
    private readonly stack: StackInstance,
    private readonly x: RadioExports,
    readonly handle: number,
  ) {}

  /** Resets and configures; false when the chip does not answer as expected. */
  begin(settings: RadioSettings): boolean {
    const flags =
      ((settings.crcOn ?? true) ? 1 : 0) |
      ((settings.explicitHeader ?? true) ? 2 : 0) |
      (settings.invertIq ? 4 : 0) |
      (settings.dio2AsRfSwitch ? 8 : 0) |
      (settings.mcuRfSwitch ? 16 : 0) |
      ((settings.highPowerPa ?? true) ? 32 : 0);
    return (
      this.x.radioBegin(
        this.handle,
        settings.frequencyHz >>> 0,
        settings.spreadingFactor,
        settings.bandwidthHz >>> 0,
        settings.codingRateDenominator ?? 5,
        settings.preambleLength ?? 16,
        settings.syncWord ?? 0x12,
        settings.txPowerDbm ?? 14,
        settings.tcxoMillivolts ?? 0,
        flags,
      ) === 1
    );
  }

  transmit(frame: Uint8Array): boolean {
    this.stack.bytes().set(frame, this.x.ioDataPointer());
    return this.x.radioTransmit(this.handle, frame.length) === 1;
  }

  startReceive(): boolean {
    return this.x.radioStartReceive(this.handle) === 1;
  }

  startChannelActivityDetection(): boolean {
    return this.x.radioStartChannelActivityDetection(this.handle) === 1;
  }

  /** True while the chip is inside a frame it is receiving; `nowMs` ages a detection that never became one. */
  receptionInProgress(nowMs: number): boolean {
    return this.x.radioReceptionInProgress(this.handle, BigInt(nowMs)) === 1;
  }

  interruptPending(): boolean {
    return this.x.radioInterruptPending(this.handle) === 1;
  }

  takeEvents(): number {
    return this.x.radioTakeEvents(this.handle);
  }

  /** The last received frame with its RSSI and SNR, or undefined. */
  readFrame(): { frame: Uint8Array; rssiDbm: number; snrDb: number } | undefined {
    const length = this.x.radioReadFrame(this.handle);
    if (length < 0) return undefined;
    const bytes = this.stack.bytes();
    const data = this.x.ioDataPointer();
    const args = new DataView(bytes.buffer, this.x.ioArgsPointer(), 8);
    return {
      frame: bytes.slice(data, data + length),
      rssiDbm: args.getFloat32(0, true),
      snrDb: args.getFloat32(4, true),
    };
  }

  timeOnAirMicroseconds(length: number): number {
    return this.x.radioTimeOnAirMicroseconds(this.handle, length);
  }

  standby(): void {
    this.x.radioStandby(this.handle);
  }

  state(): RadioState {
    return this.x.radioState(this.handle);
  }

  maxFrameLength(): number {
    return this.x.radioMaxFrameLength(this.handle);
  }
}

/** A stack instance whose `bus` imports reach `devices` (bus number → device). */
export class RadioStack {
  private readonly x: RadioExports;

  private constructor(readonly instance: StackInstance) {
    this.x = instance.exports as unknown as RadioExports;
  }

  static async load(
    devices: Map<number, BusDevice>,
    options: BusImportOptions & { build?: StackBuild } = {},
  ): Promise<RadioStack> {
    let instance: StackInstance | undefined;
    const bus = createBusImports(() => instance!.memory, devices, options);
    instance = await instantiateStack(options.build ?? "release", { bus });
    return new RadioStack(instance);
  }

  /** Creates a driver for `chip` on SPI bus `bus`. */
  createRadio(chip: RadioChip, bus: number): RadioDriver {
    const create = chip === "sx1262" ? this.x.sx1262Create : this.x.sx1276Create;
    if (!create) throw new Error(`stack.wasm has no ${chip} driver`);
    const handle = create(bus);
    if (handle < 0) throw new Error(`could not create a ${chip} driver (radio table full)`);
    return new RadioDriver(this.instance, this.x, handle);
  }
}
