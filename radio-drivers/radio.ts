// The one narrow interface every radio driver offers the Data Link: transmit a frame, receive
// frames with their RSSI/SNR, listen before talk (channel activity detection), interrupt status and
// time on air. Operations start work and return at once; completion is reported as events that
// poll() collects (the driver reads the IRQ line, then the chip's IRQ status).
import { SpiBus } from "./bus";
import { LoRaConfig } from "./lora/lora-config";

/** Event bits returned by Radio.takeEvents(). */
export const enum RadioEvent {
  None = 0,
  TxDone = 1,
  RxDone = 2,
  CadDone = 4,
  CadDetected = 8,
  /** Receive or transmit timeout. */
  Timeout = 16,
  /** A frame arrived with a bad payload CRC or header; it is not readable. */
  CrcError = 32,
  HeaderError = 64,
}

export const enum RadioState {
  Off = 0,
  Standby = 1,
  Transmitting = 2,
  Receiving = 3,
  DetectingActivity = 4,
}

export abstract class Radio {
  /** Packet RSSI and SNR of the last frame read, as the driver decoded them from the chip. */
  protected rssiDbm: f32 = 0;
  protected snrDb: f32 = 0;

  constructor(readonly bus: SpiBus) {}

  /** Resets the chip, checks it is the expected one, and applies `config`. False if the chip does not answer. */
  abstract begin(config: LoRaConfig): bool;

  /** Largest frame the chip sends in one transmission. */
  abstract maxFrameLength(): i32;

  /** Starts sending `length` bytes at `data`; TxDone follows. False if not in a state to send. */
  abstract startTransmit(data: usize, length: i32): bool;

  /** Enters continuous receive; each frame raises RxDone. */
  abstract startReceive(): bool;

  /** Starts channel activity detection; CadDone follows, with CadDetected if a preamble was heard. */
  abstract startChannelActivityDetection(): bool;

  /**
   * True while the chip, listening, is inside a frame: its preamble or header detected and the frame
   * not yet ended. Listen-before-talk must not start a CAD then — both chips leave receive for it, and
   * the frame would be lost. `nowMs` lets a driver give up on a detection that never became a frame.
   */
  abstract receptionInProgress(nowMs: i64): bool;

  /** Cheap check of the IRQ line: true when takeEvents() has something to report. */
  abstract interruptPending(): bool;

  /** Reads and clears the chip's interrupt status; returns RadioEvent bits. */
  abstract takeEvents(): u32;

  /**
   * Copies the frame of the last RxDone to `out` (≥ maxFrameLength() bytes) and returns its length.
   * A frame is handed out once: −1 on a second call, and after a CRC or header error.
   */
  abstract readFrame(out: usize): i32;

  /** RSSI of the last received frame, dBm. */
  lastRssiDbm(): f32 {
    return this.rssiDbm;
  }

  /** SNR of the last received frame, dB. */
  lastSnrDb(): f32 {
    return this.snrDb;
  }

  /** Time a frame of `length` bytes spends on air with the current configuration. */
  abstract timeOnAirMicroseconds(length: i32): i64;

  abstract standby(): void;

  abstract state(): RadioState;
}
