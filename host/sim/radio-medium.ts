// Contracts between the simulator's parts: the WASM's `bus` imports reach a chip model (BusDevice);
// chip models put frames on a shared medium and hear frames from it (RadioMedium / RadioPort).
// Time is simulated, in microseconds, and advances only through the event engine.

/** What a driver's `bus` imports talk to: one radio chip (or its model) on one SPI bus. */
export interface BusDevice {
  /** Full-duplex transfer with NSS asserted for its whole length; returns the bytes clocked in. */
  spiTransfer(tx: Uint8Array): Uint8Array;
  gpioWrite(pin: number, level: number): void;
  gpioRead(pin: number): number;
  delayMicroseconds(microseconds: number): void;
  /**
   * Set by the simulator: called when the device's interrupt line rises, as a board's GPIO interrupt
   * would wake its main loop. The device calls it after its own state is updated.
   */
  onInterrupt?: () => void;
}

/** Logical pins, matching radio-drivers/bus.ts `Pin`. */
export enum Pin {
  Reset = 0,
  Busy = 1,
  Irq = 2,
  RxEnable = 3,
  TxEnable = 4,
}

/** The LoRa modulation a chip is set to; two chips hear each other only when these match. */
export interface LoRaModulation {
  frequencyHz: number;
  spreadingFactor: number;
  bandwidthHz: number;
  /** 5..8 for 4/5..4/8. */
  codingRateDenominator: number;
  preambleLength: number;
  /** One-byte (SX127x-style) sync word: 0x12 private, 0x34 public. */
  syncWord: number;
  crcOn: boolean;
  explicitHeader: boolean;
  invertIq: boolean;
  lowDataRateOptimize: boolean;
}

/** The shared channel as a chip model sees it. */
export interface RadioMedium {
  /** Simulated time, microseconds. */
  now(): number;
  /** Runs `callback` at simulated time `atMicroseconds` (≥ now). Returns a handle for cancel(). */
  schedule(atMicroseconds: number, callback: () => void): number;
  cancel(handle: number): void;
  /**
   * Puts a frame on the air from `sender` starting now; returns its airtime in microseconds. The
   * medium calls `sender.transmitDone()` when the last symbol has left, and `deliver()` on every port
   * that received it.
   */
  transmit(sender: RadioPort, frame: Uint8Array, modulation: LoRaModulation, powerDbm: number): number;
  /** Channel activity detection: is a LoRa signal of this modulation audible at `listener` now? */
  channelActive(listener: RadioPort, modulation: LoRaModulation): boolean;
  /**
   * `port` has just begun searching for a preamble (entered RX, or returned to RX from CAD, standby or
   * its own transmission): a frame already on air whose preamble has enough symbols left to be
   * detected can still be received. The medium asks `port.isListening()` which frames qualify. A chip
   * must call this on every entry into RX: leaving RX aborted the reception it had in progress, which
   * the medium drops here rather than letting it resume.
   */
  listeningStarted(port: RadioPort): void;
}

/**
 * A frame a port's demodulator has locked onto, as the medium describes it to the chip
 * (RadioPort.receptionStarted). Times are simulated microseconds on the medium's clock.
 */
export interface LoRaReception {
  /** The sender's modulation: an explicit header announces its coding rate and CRC flag. */
  readonly modulation: LoRaModulation;
  /** Payload length in bytes, as an explicit header announces it. */
  readonly payloadBytes: number;
  /** The frame's first preamble symbol left the sender (the port may have locked on later). */
  readonly startMicroseconds: number;
  /** Preamble, sync word and start-of-frame delimiter are over: the header (or payload) begins. */
  readonly preambleEndMicroseconds: number;
  /** The explicit header's last symbol has arrived (equal to preambleEndMicroseconds with an implicit header). */
  readonly headerEndMicroseconds: number;
  /** The frame's last symbol; deliver() follows then if the frame was received. */
  readonly endMicroseconds: number;
  /**
   * Whether the header arrived intact (no collision corrupted the frame before headerEndMicroseconds).
   * Final from headerEndMicroseconds on; asked earlier, it answers for what has happened so far.
   */
  headerIntact(): boolean;
}

/** A chip model as the medium sees it. */
export interface RadioPort {
  /** Index of the node the chip belongs to (for positions and statistics). */
  readonly nodeIndex: number;
  /** True while the chip listens with `modulation` (continuous or single receive). */
  isListening(modulation: LoRaModulation): boolean;
  /** The frame this port sent has left the antenna. */
  transmitDone(): void;
  /**
   * A frame ended at this port. `crcOk` false when it was corrupted (collision) but its header was
   * decoded, so the chip raises a CRC error instead of RxDone.
   */
  deliver(frame: Uint8Array, rssiDbm: number, snrDb: number, crcOk: boolean): void;
  /**
   * Optional. The port's demodulator has just locked onto `reception`'s preamble: at the frame's start if
   * the port was listening then, else when it started listening (listeningStarted) or was freed, while
   * the frame's last 5 preamble symbols were still to come. Called synchronously, before the medium's
   * next event. Every call is followed, for the same object, by exactly one of: deliver() at the frame's
   * end (received, possibly with crcOk false), or receptionEnded(). A later receptionStarted() for
   * another frame comes only after that (a louder frame capturing the demodulator ends the first one
   * first). A chip that leaves RX forgets the reception itself; the medium's receptionEnded() for it
   * still comes, later.
   */
  receptionStarted?(reception: LoRaReception): void;
  /**
   * Optional. `reception` ended without a deliver(): its header was corrupted, its sender stopped
   * early, a louder frame captured the demodulator, the port left RX (or started to transmit), or the
   * node was switched off. Called when the medium settles it, which for a header corrupted by a
   * collision or a port that left RX is the frame's end.
   */
  receptionEnded?(reception: LoRaReception): void;
}
