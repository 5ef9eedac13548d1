// The host end of the QEMU board's bus tunnel: answers each BusRequest from the radio's chip model
// (the BusDevice that host/wasm/bus-imports.ts gives stack.wasm in Node), from crypto.randomBytes
// and from the board's key storage, and tells the board when the radio's IRQ line changes so a
// sleeping board wakes. Wire format: host/native/tunnel-protocol.ts.
import { randomBytes } from "node:crypto";
import { type BusDevice, Pin } from "../sim/radio-medium.js";
import type { KeyStorage } from "./key-storage.js";
import {
  BusOp,
  type BusRequest,
  BusStatus,
  encodeBusInterrupt,
  encodeBusReply,
  parseBusRequest,
} from "./tunnel-protocol.js";

/** The longest reply data that fits a frame (1400 bytes of payload, 3 of them the reply header). */
const MAX_REPLY_DATA = 1397;

export interface TunnelServerOptions {
  /** The radios, by bus number. */
  devices: Map<number, BusDevice>;
  storage: KeyStorage;
  /** Sends a tunnel payload (BusReply or BusInterrupt) to the board; the caller frames it. */
  send: (payload: Uint8Array) => void;
  /** Brings the devices' clock up to now before each request (the shared air's catch-up). */
  beforeRequest?: () => void;
  /** Random bytes for the entropy op (default crypto.randomBytes). */
  entropy?: (count: number) => Uint8Array;
  /** A request the server refused, for diagnostics. */
  onBadRequest?: (reason: string) => void;
}

export interface TunnelCounters {
  requests: number;
  refused: number;
  interrupts: number;
}

export class TunnelServer {
  readonly counters: TunnelCounters = { requests: 0, refused: 0, interrupts: 0 };
  /** The IRQ level the board was last told, per bus; a change is what makes a BusInterrupt. */
  private readonly reportedIrq = new Map<number, number>();
  private readonly entropy: (count: number) => Uint8Array;

  constructor(private readonly options: TunnelServerOptions) {
    this.entropy = options.entropy ?? ((count) => new Uint8Array(randomBytes(count)));
    for (const [bus, device] of options.devices) {
      this.reportedIrq.set(bus, device.gpioRead(Pin.Irq));
      // Radio events (a frame received, a transmission done) happen between requests, on the air's clock.
      device.onInterrupt = () => this.reportIrqChanges();
    }
  }

  /** Answers one BusRequest payload. Never throws: whatever arrives gets a reply with its seq. */
  handle(payload: Uint8Array): void {
    this.counters.requests++;
    this.options.beforeRequest?.();
    const parsed = parseBusRequest(payload);
    if (!parsed.ok) {
      this.refuse(parsed.error.seq, parsed.error.status, parsed.error.reason);
      return;
    }
    const { request } = parsed;
    let answer: { status: number; data?: Uint8Array; reason?: string };
    try {
      answer = this.serve(request);
    } catch (error) {
      answer = { status: BusStatus.Failed, reason: error instanceof Error ? error.message : String(error) };
    }
    if (answer.status !== BusStatus.Ok) {
      this.refuse(request.seq, answer.status, answer.reason ?? "refused");
    } else {
      this.options.send(encodeBusReply(request.seq, BusStatus.Ok, answer.data));
    }
    // A command may have cleared (or raised) the IRQ line; the reply goes first so the board has
    // its answer before it hears about the consequence.
    this.reportIrqChanges();
  }

  /** Stops listening to the devices' interrupts (the board is going away). */
  detach(): void {
    for (const device of this.options.devices.values()) device.onInterrupt = undefined;
  }

  /** Sends a BusInterrupt for every radio whose IRQ line differs from what the board was last told. */
  reportIrqChanges(): void {
    for (const [bus, device] of this.options.devices) {
      const level = device.gpioRead(Pin.Irq) ? 1 : 0;
      if (level === this.reportedIrq.get(bus)) continue;
      this.reportedIrq.set(bus, level);
      this.counters.interrupts++;
      this.options.send(encodeBusInterrupt(Pin.Irq, level));
    }
  }

  private serve(request: BusRequest): { status: number; data?: Uint8Array; reason?: string } {
    switch (request.op) {
      case BusOp.Entropy:
        return { status: BusStatus.Ok, data: this.entropy(request.count) };
      case BusOp.StorageRead: {
        const stored = this.options.storage.read(request.slot);
        if (stored.length > MAX_REPLY_DATA) {
          return { status: BusStatus.Failed, reason: `slot ${request.slot} holds more than a reply carries` };
        }
        return { status: BusStatus.Ok, data: stored };
      }
      case BusOp.StorageWrite:
        this.options.storage.write(request.slot, request.bytes);
        return { status: BusStatus.Ok };
      default:
        return this.serveBus(request);
    }
  }

  private serveBus(request: Extract<BusRequest, { bus: number }>): {
    status: number;
    data?: Uint8Array;
    reason?: string;
  } {
    const device = this.options.devices.get(request.bus);
    if (!device) return { status: BusStatus.NoDevice, reason: `no device on bus ${request.bus}` };
    switch (request.op) {
      case BusOp.SpiTransfer: {
        const miso = device.spiTransfer(request.mosi);
        if (miso.length !== request.mosi.length) {
          return {
            status: BusStatus.Failed,
            reason: `device answered ${miso.length} bytes for ${request.mosi.length}`,
          };
        }
        return { status: BusStatus.Ok, data: miso };
      }
      case BusOp.GpioWrite:
        device.gpioWrite(request.pin, request.level);
        return { status: BusStatus.Ok };
      case BusOp.GpioRead:
        return { status: BusStatus.Ok, data: Uint8Array.of(device.gpioRead(request.pin) ? 1 : 0) };
      case BusOp.Delay:
        // The chip model runs BUSY and its timers on the air's clock plus the delays it was given,
        // as the Node virtual boards' bus imports do, so the host answers at once.
        device.delayMicroseconds(request.microseconds);
        return { status: BusStatus.Ok };
      default:
        return { status: BusStatus.UnknownOp, reason: "unknown op" };
    }
  }

  private refuse(seq: number, status: number, reason: string): void {
    this.counters.refused++;
    this.options.onBadRequest?.(reason);
    this.options.send(encodeBusReply(seq, status));
  }
}
