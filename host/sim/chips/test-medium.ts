// A loopback RadioMedium for chip-model and driver tests: an ideal channel where every attached port
// hears every other one (same modulation, no loss, no collisions), with its own event queue. It
// stands in for the real channel model (host/sim/channel/) so chip tests do not depend on it.
import type { LoRaModulation, RadioMedium, RadioPort } from "../radio-medium.js";

interface ScheduledEvent {
  at: number;
  handle: number;
  callback: () => void;
}

interface Transmission {
  sender: RadioPort;
  modulation: LoRaModulation;
  endsAt: number;
}

/**
 * LoRa time on air, Semtech AN1200.13 and SX1261/2 datasheet §6.1.4, written independently of the
 * firmware's airtime.ts so tests can compare the two.
 */
export function loRaTimeOnAirMicroseconds(modulation: LoRaModulation, payloadLength: number): number {
  const sf = modulation.spreadingFactor;
  const symbolMicroseconds = (2 ** sf * 1e6) / modulation.bandwidthHz;
  const crc = modulation.crcOn ? 1 : 0;
  const header = modulation.explicitHeader ? 1 : 0;
  const codingRate = modulation.codingRateDenominator - 4;
  let preamble: number;
  let bits: number;
  let bitsPerSymbol: number;
  if (sf <= 6) {
    preamble = modulation.preambleLength + 6.25;
    bits = 8 * payloadLength - 4 * sf + 16 * crc + 20 * header;
    bitsPerSymbol = 4 * sf;
  } else {
    preamble = modulation.preambleLength + 4.25;
    bits = 8 * payloadLength - 4 * sf + 28 + 16 * crc - 20 * (1 - header);
    bitsPerSymbol = 4 * (sf - (modulation.lowDataRateOptimize ? 2 : 0));
  }
  const payloadSymbols = 8 + Math.max(Math.ceil(bits / bitsPerSymbol), 0) * (codingRate + 4);
  return Math.round((preamble + payloadSymbols) * symbolMicroseconds);
}

/** Two modulations that can hear each other: same channel, spreading, sync word and IQ. */
export function sameLoRaChannel(a: LoRaModulation, b: LoRaModulation): boolean {
  return (
    a.frequencyHz === b.frequencyHz &&
    a.spreadingFactor === b.spreadingFactor &&
    a.bandwidthHz === b.bandwidthHz &&
    a.syncWord === b.syncWord &&
    a.invertIq === b.invertIq
  );
}

export class LoopbackTestMedium implements RadioMedium {
  /** Link quality every delivery reports. */
  rssiDbm = -60;
  snrDb = 9.5;
  /** Deliver the next frame as corrupted (crcOk false), then reset. */
  corruptNextFrame = false;

  private time = 0;
  private nextHandle = 1;
  /** Pending events, kept sorted by time, then by scheduling order. */
  private readonly queue: ScheduledEvent[] = [];
  private readonly ports: RadioPort[] = [];
  private readonly onAir: Transmission[] = [];

  attach(port: RadioPort): void {
    this.ports.push(port);
  }

  now(): number {
    return this.time;
  }

  schedule(atMicroseconds: number, callback: () => void): number {
    const event = { at: Math.max(atMicroseconds, this.time), handle: this.nextHandle++, callback };
    let index = this.queue.length;
    while (index > 0 && this.queue[index - 1].at > event.at) index--;
    this.queue.splice(index, 0, event);
    return event.handle;
  }

  cancel(handle: number): void {
    const index = this.queue.findIndex((event) => event.handle === handle);
    if (index >= 0) this.queue.splice(index, 1);
  }

  transmit(sender: RadioPort, frame: Uint8Array, modulation: LoRaModulation, _powerDbm: number): number {
    const airtime = loRaTimeOnAirMicroseconds(modulation, frame.length);
    const copy = frame.slice();
    // A receiver must be listening when the preamble starts to catch the frame.
    const listeners = this.ports.filter((port) => port !== sender && port.isListening(modulation));
    const transmission: Transmission = { sender, modulation, endsAt: this.time + airtime };
    this.onAir.push(transmission);
    const corrupted = this.corruptNextFrame;
    this.corruptNextFrame = false;
    this.schedule(this.time + airtime, () => {
      this.onAir.splice(this.onAir.indexOf(transmission), 1);
      sender.transmitDone();
      for (const port of listeners) {
        if (port.isListening(modulation)) port.deliver(copy, this.rssiDbm, this.snrDb, !corrupted);
      }
    });
    return airtime;
  }

  channelActive(listener: RadioPort, modulation: LoRaModulation): boolean {
    return this.onAir.some((t) => t.sender !== listener && sameLoRaChannel(t.modulation, modulation));
  }

  /** Runs every event due up to `untilMicroseconds`, then sets the clock there. */
  runUntil(untilMicroseconds: number): void {
    while (this.queue.length > 0 && this.queue[0].at <= untilMicroseconds) {
      const event = this.queue.shift()!;
      this.time = event.at;
      event.callback();
    }
    this.time = Math.max(this.time, untilMicroseconds);
  }

  runFor(microseconds: number): void {
    this.runUntil(this.time + microseconds);
  }

  /** Runs events until none is left (or `maxEvents` ran, against runaway schedules). */
  runUntilIdle(maxEvents = 10_000): void {
    for (let n = 0; n < maxEvents && this.queue.length > 0; n++) {
      const event = this.queue.shift()!;
      this.time = event.at;
      event.callback();
    }
  }

  pendingEvents(): number {
    return this.queue.length;
  }
}
