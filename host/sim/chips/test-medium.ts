// A loopback RadioMedium for chip-model and driver tests: an ideal channel where every attached port
// hears every other one (same modulation, no loss, no collisions), with its own event queue. It
// stands in for the real channel model (host/sim/channel/) so chip tests do not depend on it. Like the
// channel, it lets a port that starts listening while a frame's last 5 preamble symbols are still to
// come receive that frame, and a port that left RX and came back lose a frame past that point; and it
// tells ports when they lock onto a frame and when a reception ends without a delivery
// (RadioPort.receptionStarted / receptionEnded). Being ideal, it has no demodulator limit: a port hears
// overlapping frames all at once, and is told of each.

import { frameSectionEndsMicroseconds, timeOnAirMicroseconds } from "../channel/airtime.js";
import { criticalSectionOffsetMicroseconds } from "../channel/lora-receiver.js";
import { receiverCanDemodulate } from "../channel/modulation-match.js";
import type { LoRaModulation, LoRaReception, RadioMedium, RadioPort } from "../radio-medium.js";

interface ScheduledEvent {
  at: number;
  handle: number;
  callback: () => void;
}

interface Transmission {
  sender: RadioPort;
  modulation: LoRaModulation;
  endsAt: number;
  /** Until here a port that starts listening still detects the preamble. */
  detectableUntil: number;
  /** Ports that caught the preamble; each gets the frame if it still listens at the end. */
  listeners: RadioPort[];
  /** What each listener was told in receptionStarted (the channel never corrupts a header). */
  reception: LoRaReception;
}

/** LoRa time on air in whole microseconds, from the channel model's independent TypeScript formula. */
export function loRaTimeOnAirMicroseconds(modulation: LoRaModulation, payloadLength: number): number {
  return Math.round(timeOnAirMicroseconds(modulation, payloadLength));
}

/** Two modulations that can hear each other: the channel model's one matching rule. */
export const sameLoRaChannel = receiverCanDemodulate;

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
    const sections = frameSectionEndsMicroseconds(modulation);
    const reception: LoRaReception = {
      modulation: { ...modulation },
      payloadBytes: frame.length,
      startMicroseconds: this.time,
      preambleEndMicroseconds: this.time + sections.preambleEnd,
      headerEndMicroseconds: this.time + sections.headerEnd,
      endMicroseconds: this.time + airtime,
      headerIntact: () => true,
    };
    const transmission: Transmission = {
      sender,
      modulation,
      endsAt: this.time + airtime,
      detectableUntil: this.time + criticalSectionOffsetMicroseconds(modulation),
      // A receiver catches the frame if it listens when the preamble starts (or joins in time, below).
      listeners: this.ports.filter((port) => port !== sender && port.isListening(modulation)),
      reception,
    };
    this.onAir.push(transmission);
    for (const port of transmission.listeners) port.receptionStarted?.(reception);
    const corrupted = this.corruptNextFrame;
    this.corruptNextFrame = false;
    this.schedule(this.time + airtime, () => {
      this.onAir.splice(this.onAir.indexOf(transmission), 1);
      sender.transmitDone();
      for (const port of transmission.listeners) {
        if (port.isListening(modulation)) port.deliver(copy, this.rssiDbm, this.snrDb, !corrupted);
        else port.receptionEnded?.(reception);
      }
    });
    return airtime;
  }

  channelActive(listener: RadioPort, modulation: LoRaModulation): boolean {
    return this.onAir.some((t) => t.sender !== listener && sameLoRaChannel(t.modulation, modulation));
  }

  /**
   * `port` entered RX: it joins every frame on air whose preamble it can still detect (ideal: no
   * demodulator limit). Leaving RX aborted what it was receiving, so it drops the frames past that point.
   */
  listeningStarted(port: RadioPort): void {
    for (const transmission of this.onAir) {
      if (transmission.sender === port) continue;
      const catchable = this.time <= transmission.detectableUntil && port.isListening(transmission.modulation);
      const index = transmission.listeners.indexOf(port);
      if (index >= 0) {
        // Leaving RX aborted the reception; the port may lock onto the preamble afresh.
        transmission.listeners.splice(index, 1);
        port.receptionEnded?.(transmission.reception);
      }
      if (catchable) {
        transmission.listeners.push(port);
        port.receptionStarted?.(transmission.reception);
      }
    }
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
