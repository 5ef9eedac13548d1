// A RadioPort without a chip behind it, for channel tests: it listens (with one modulation) whenever
// it is not transmitting and `listening` is set, and records what the channel tells it. Switching
// `listening` on tells the channel, as a chip entering RX does.
import { lowDataRateOptimizeRequired } from "../../../host/sim/channel/airtime.js";
import type { LoRaChannel } from "../../../host/sim/channel/lora-channel.js";
import { receiverCanDemodulate } from "../../../host/sim/channel/modulation-match.js";
import type { LoRaModulation, LoRaReception, RadioPort } from "../../../host/sim/radio-medium.js";

/** EU868 869.525 MHz, SF7/BW125, CR 4/5, 8-symbol preamble, private sync word, CRC on, explicit header. */
export function loraModulation(changes: Partial<LoRaModulation> = {}): LoRaModulation {
  const spreadingFactor = changes.spreadingFactor ?? 7;
  const bandwidthHz = changes.bandwidthHz ?? 125_000;
  return {
    frequencyHz: 869_525_000,
    spreadingFactor,
    bandwidthHz,
    codingRateDenominator: 5,
    preambleLength: 8,
    syncWord: 0x12,
    crcOn: true,
    explicitHeader: true,
    invertIq: false,
    lowDataRateOptimize: lowDataRateOptimizeRequired(spreadingFactor, bandwidthHz),
    ...changes,
  };
}

export interface RecordedFrame {
  frame: Uint8Array;
  rssiDbm: number;
  snrDb: number;
  crcOk: boolean;
  atMicroseconds: number;
}

export class FakeRadioPort implements RadioPort {
  readonly received: RecordedFrame[] = [];
  readonly transmitDoneAt: number[] = [];
  /** Receptions the channel started (locks onto a preamble), and those it ended without a delivery. */
  readonly receptionsStarted: LoRaReception[] = [];
  readonly receptionsEnded: LoRaReception[] = [];
  /** Frames handed to the channel whose transmitDone has not come yet (a restart leaves two). */
  private framesOnAir = 0;
  private listeningOn = true;

  constructor(
    readonly nodeIndex: number,
    private readonly channel: LoRaChannel,
    public modulation: LoRaModulation = loraModulation(),
  ) {}

  get transmitting(): boolean {
    return this.framesOnAir > 0;
  }

  get listening(): boolean {
    return this.listeningOn;
  }

  /** Switching listening on is entering RX: the channel hears of it (RadioMedium.listeningStarted). */
  set listening(on: boolean) {
    const started = on && !this.listeningOn;
    this.listeningOn = on;
    if (started) this.channel.listeningStarted(this);
  }

  /** Sends `frame` now; returns its airtime in microseconds. */
  send(frame: Uint8Array, powerDbm = 14): number {
    this.framesOnAir++;
    return this.channel.transmit(this, frame, this.modulation, powerDbm);
  }

  /** Sends a frame of `length` bytes filled with `fill` at `atMicroseconds`. */
  sendAt(atMicroseconds: number, powerDbm = 14, length = 10, fill = this.nodeIndex): void {
    this.channel.schedule(atMicroseconds, () => this.send(new Uint8Array(length).fill(fill), powerDbm));
  }

  isListening(modulation: LoRaModulation): boolean {
    return this.listeningOn && !this.transmitting && receiverCanDemodulate(this.modulation, modulation);
  }

  transmitDone(): void {
    this.framesOnAir--;
    this.transmitDoneAt.push(this.channel.now());
  }

  deliver(frame: Uint8Array, rssiDbm: number, snrDb: number, crcOk: boolean): void {
    this.received.push({ frame, rssiDbm, snrDb, crcOk, atMicroseconds: this.channel.now() });
  }

  /** How many times the channel locked this port onto a preamble. */
  get preamblesDetected(): number {
    return this.receptionsStarted.length;
  }

  receptionStarted(reception: LoRaReception): void {
    this.receptionsStarted.push(reception);
  }

  receptionEnded(reception: LoRaReception): void {
    this.receptionsEnded.push(reception);
  }
}
