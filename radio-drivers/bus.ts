// The only hardware a radio driver touches (RadioLib's "HAL" idea): SPI transfers and a few GPIO
// lines, imported from the host — the C HAL on a board, a chip model in the simulator and in tests.
// Every call names its bus, so one WASM instance can drive several radios (tests do).

/** Full-duplex SPI transaction: NSS low, shift `length` bytes out of `tx` while filling `rx`, NSS high. */
@external("bus", "spiTransfer")
declare function hostSpiTransfer(bus: i32, tx: usize, rx: usize, length: i32): void;

/** Drives an output line (reset, RF switch enables). */
@external("bus", "gpioWrite")
declare function hostGpioWrite(bus: i32, pin: i32, level: i32): void;

/** Reads an input line (busy, DIO/IRQ). */
@external("bus", "gpioRead")
declare function hostGpioRead(bus: i32, pin: i32): i32;

/** Busy-waits; only used for the microsecond-scale pulses datasheets demand (reset). */
@external("bus", "delayMicroseconds")
declare function hostDelayMicroseconds(bus: i32, microseconds: i32): void;

/** The logical lines of a radio; the HAL maps them to the board's pin numbers. */
export const enum Pin {
  /** NRESET, active low. */
  Reset = 0,
  /** SX126x BUSY (high while the chip cannot take a command). */
  Busy = 1,
  /** The interrupt line: SX126x DIO1, SX127x DIO0. */
  Irq = 2,
  /** Optional RF switch enables on boards that need them driven by the MCU. */
  RxEnable = 3,
  TxEnable = 4,
}

/** One radio's SPI bus and pins. */
export class SpiBus {
  constructor(readonly id: i32) {}

  @inline transfer(tx: usize, rx: usize, length: i32): void {
    hostSpiTransfer(this.id, tx, rx, length);
  }

  @inline write(pin: Pin, level: i32): void {
    hostGpioWrite(this.id, pin, level);
  }

  @inline read(pin: Pin): i32 {
    return hostGpioRead(this.id, pin);
  }

  @inline delayMicroseconds(microseconds: i32): void {
    hostDelayMicroseconds(this.id, microseconds);
  }
}
