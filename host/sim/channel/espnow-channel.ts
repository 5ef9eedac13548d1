// A simple ESP-NOW (802.11 vendor action frame) medium. ESP-NOW is not an SPI radio the stack drives
// register by register: the ESP32's WiFi firmware sends and receives whole frames, so stations here are
// just "send this" and "this arrived". Model:
// - Path loss: free space at the WiFi channel's frequency plus a fixed excess loss chosen so that the
//   link closes exactly at `rangeMetres` (default 200 m, typical for ESP32 PCB antennas outdoors), plus
//   optional frozen per-link shadowing. A frame is audible where its power ≥ sensitivity.
// - Airtime at the DSSS 1 Mbit/s rate ESP-NOW uses by default: 192 µs long PLCP preamble and header, then
//   the MAC frame: 24-byte header, category 1, OUI 3, random 4, vendor element 7 (+ body), FCS 4 = 43
//   bytes of overhead around the body (Espressif ESP-NOW documentation, "Frame Format").
// - Carrier sense (802.11 DCF, simplified): before each frame the station waits DIFS (50 µs) plus a random
//   backoff of 0–31 slots of 20 µs (802.11b DSSS PHY) and transmits if it hears nothing, else waits again.
//   No RTS/CTS; hidden terminals still collide. Unicast MAC retries are not modelled.
// - Half duplex; one reception at a time; any overlap of two audible frames at a receiver loses both
//   (no capture); each intact frame is then lost with `lossProbability` (interference from other WiFi).
import { SimulationEngine } from "../engine.js";
import { DeterministicRandom, hashKeys, unitFromWord } from "../random.js";
import { LinkTable } from "./link-table.js";
import { DRAW_CLIP_SIGMAS, freeSpacePathLossDb, frozenShadowingDb } from "./propagation.js";
import type { PlanePosition } from "./spatial-grid.js";

/** ESP-NOW v1 body limit; v2 (ESP-IDF 5.4+) allows 1470. */
export const ESPNOW_V1_MAXIMUM_PAYLOAD_BYTES = 250;
/** MAC header, category, OUI, random value, vendor element header and FCS around the body. */
export const ESPNOW_FRAME_OVERHEAD_BYTES = 43;
/** 802.11b long PLCP preamble (144 µs) and PLCP header (48 µs). */
export const DSSS_LONG_PREAMBLE_MICROSECONDS = 192;

const SLOT_MICROSECONDS = 20;
const DIFS_MICROSECONDS = 50;
const CONTENTION_WINDOW_SLOTS = 32;

export interface EspNowStation {
  readonly nodeIndex: number;
  /** A frame addressed to this station (or broadcast) arrived intact. */
  receive(frame: Uint8Array, fromNode: number, rssiDbm: number): void;
  /** The station's oldest queued frame has been sent; for unicast, whether the addressee got it intact. */
  sendDone?(delivered: boolean): void;
}

export interface EspNowChannelOptions {
  seed: number;
  engine?: SimulationEngine;
  bitRateBitsPerSecond?: number;
  /** Default 20 dBm, the ESP32's maximum. */
  transmitPowerDbm?: number;
  /** Default −98 dBm, the ESP32 datasheet's 802.11b 1 Mbit/s sensitivity; change it with the bit rate. */
  sensitivityDbm?: number;
  /** Where the median link closes; default 200 m. */
  rangeMetres?: number;
  shadowingSigmaDb?: number;
  /** Probability that an otherwise intact frame is lost at a receiver; default 0. */
  lossProbability?: number;
  /** Listen before talk (802.11 DCF); default true. */
  carrierSense?: boolean;
  maximumPayloadBytes?: number;
  /** Default 2412 MHz, WiFi channel 1. */
  frequencyHz?: number;
}

export interface EspNowNodeStatistics {
  framesSent: number;
  airtimeMicroseconds: number;
  framesReceived: number;
  lostToCollision: number;
  lostToHalfDuplex: number;
  lostRandomly: number;
  /** Times carrier sense found the medium busy and the station waited again. */
  deferrals: number;
}

function emptyStatistics(): EspNowNodeStatistics {
  return {
    framesSent: 0,
    airtimeMicroseconds: 0,
    framesReceived: 0,
    lostToCollision: 0,
    lostToHalfDuplex: 0,
    lostRandomly: 0,
    deferrals: 0,
  };
}

interface QueuedFrame {
  frame: Uint8Array;
  destination: number | undefined;
}

interface OnAir {
  frameNumber: number;
  sender: number;
  queued: QueuedFrame;
  /** Nodes that hear this frame's energy, to release when it ends. */
  audibleAt: number[];
  receptions: Reception[];
}

interface Reception {
  onAir: OnAir;
  node: number;
  rssiDbm: number;
  /** Whether the frame is meant for this node (MAC filtering happens after the PHY has received it). */
  addressed: boolean;
  collided: boolean;
  active: boolean;
}

class NodeState {
  readonly queue: QueuedFrame[] = [];
  attemptPending = false;
  transmitting: OnAir | null = null;
  reception: Reception | null = null;
  /** Frames on air whose energy reaches this node. */
  audibleFrames = 0;
  constructor(readonly station: EspNowStation) {}
}

/** Airtime of an ESP-NOW frame with a `payloadBytes` body. */
export function espNowAirtimeMicroseconds(payloadBytes: number, bitRateBitsPerSecond = 1e6): number {
  return (
    DSSS_LONG_PREAMBLE_MICROSECONDS + ((ESPNOW_FRAME_OVERHEAD_BYTES + payloadBytes) * 8 * 1e6) / bitRateBitsPerSecond
  );
}

export class EspNowChannel {
  readonly engine: SimulationEngine;
  private readonly seed: number;
  private readonly bitRate: number;
  private readonly transmitPowerDbm: number;
  private readonly sensitivityDbm: number;
  private readonly lossProbability: number;
  private readonly carrierSense: boolean;
  private readonly maximumPayloadBytes: number;
  private readonly backoff: DeterministicRandom;
  private readonly links: LinkTable;
  private readonly nodes = new Map<number, NodeState>();
  private readonly statisticsByNode = new Map<number, EspNowNodeStatistics>();
  private framesStarted = 0;

  constructor(options: EspNowChannelOptions) {
    this.engine = options.engine ?? new SimulationEngine();
    this.seed = options.seed >>> 0;
    this.bitRate = options.bitRateBitsPerSecond ?? 1e6;
    this.transmitPowerDbm = options.transmitPowerDbm ?? 20;
    this.sensitivityDbm = options.sensitivityDbm ?? -98;
    this.lossProbability = options.lossProbability ?? 0;
    this.carrierSense = options.carrierSense ?? true;
    this.maximumPayloadBytes = options.maximumPayloadBytes ?? ESPNOW_V1_MAXIMUM_PAYLOAD_BYTES;
    this.backoff = new DeterministicRandom(this.seed).fork(0xbac0ff);
    const frequencyHz = options.frequencyHz ?? 2412e6;
    const rangeMetres = options.rangeMetres ?? 200;
    const sigmaDb = options.shadowingSigmaDb ?? 0;
    // The fixed extra loss that makes the budget close exactly at rangeMetres.
    const excessLossDb = this.transmitPowerDbm - this.sensitivityDbm - freeSpacePathLossDb(rangeMetres, frequencyHz);
    const lossAtOneMetreDb = freeSpacePathLossDb(1, frequencyHz) + excessLossDb;
    this.links = new LinkTable(
      {
        linkLossDb: (from, to, distanceMetres) =>
          freeSpacePathLossDb(distanceMetres, frequencyHz) +
          excessLossDb +
          frozenShadowingDb(this.seed, from, to, sigmaDb, false),
        reachMetres: (linkLossDb) => 10 ** ((linkLossDb + DRAW_CLIP_SIGMAS * sigmaDb - lossAtOneMetreDb) / 20),
      },
      rangeMetres,
    );
  }

  attach(station: EspNowStation, position: PlanePosition): void {
    if (this.nodes.has(station.nodeIndex)) throw new Error(`node ${station.nodeIndex} already has a station`);
    this.links.place(station.nodeIndex, position);
    this.nodes.set(station.nodeIndex, new NodeState(station));
  }

  placeNode(node: number, position: PlanePosition): void {
    this.links.place(node, position);
  }

  airtimeMicroseconds(payloadBytes: number): number {
    return espNowAirtimeMicroseconds(payloadBytes, this.bitRate);
  }

  /** Queues a frame: broadcast when `destinationNode` is omitted, unicast otherwise. */
  send(senderNode: number, frame: Uint8Array, destinationNode?: number): void {
    const sender = this.requireNode(senderNode);
    if (frame.length > this.maximumPayloadBytes) {
      throw new RangeError(`an ESP-NOW frame carries at most ${this.maximumPayloadBytes} bytes, not ${frame.length}`);
    }
    sender.queue.push({ frame: frame.slice(), destination: destinationNode });
    if (!sender.attemptPending && sender.transmitting === null) this.scheduleAttempt(senderNode, sender);
  }

  nodeStatistics(node: number): EspNowNodeStatistics {
    return { ...(this.statisticsByNode.get(node) ?? emptyStatistics()) };
  }

  totalStatistics(): EspNowNodeStatistics {
    const total = emptyStatistics();
    for (const statistics of this.statisticsByNode.values()) {
      for (const key of Object.keys(total) as Array<keyof EspNowNodeStatistics>) total[key] += statistics[key];
    }
    return total;
  }

  private scheduleAttempt(node: number, state: NodeState): void {
    state.attemptPending = true;
    const wait = this.carrierSense
      ? DIFS_MICROSECONDS + this.backoff.integerBelow(CONTENTION_WINDOW_SLOTS) * SLOT_MICROSECONDS
      : 0;
    this.engine.schedule(this.engine.now() + wait, () => this.attempt(node, state));
  }

  private attempt(node: number, state: NodeState): void {
    state.attemptPending = false;
    if (this.carrierSense && state.audibleFrames > 0) {
      this.statistics(node).deferrals++;
      this.scheduleAttempt(node, state);
      return;
    }
    this.startFrame(node, state, state.queue.shift()!);
  }

  private startFrame(senderNode: number, sender: NodeState, queued: QueuedFrame): void {
    const now = this.engine.now();
    const airtime = this.airtimeMicroseconds(queued.frame.length);
    const onAir: OnAir = {
      frameNumber: this.framesStarted++,
      sender: senderNode,
      queued,
      audibleAt: [],
      receptions: [],
    };
    if (sender.reception !== null) {
      sender.reception.active = false;
      if (sender.reception.addressed) this.statistics(senderNode).lostToHalfDuplex++;
      sender.reception = null;
    }
    sender.transmitting = onAir;
    const statistics = this.statistics(senderNode);
    statistics.framesSent++;
    statistics.airtimeMicroseconds += airtime;

    const maximumLossDb = this.transmitPowerDbm - this.sensitivityDbm;
    const neighbours = this.links.neighbours(senderNode, maximumLossDb);
    for (let i = 0; i < neighbours.nodes.length && neighbours.linkLossesDb[i] <= maximumLossDb; i++) {
      const node = neighbours.nodes[i];
      const receiver = this.nodes.get(node);
      if (receiver === undefined) continue;
      onAir.audibleAt.push(node);
      const otherEnergy = receiver.audibleFrames > 0;
      receiver.audibleFrames++;
      const addressed = queued.destination === undefined || queued.destination === node;
      if (receiver.transmitting !== null) {
        if (addressed) this.statistics(node).lostToHalfDuplex++;
        continue;
      }
      if (receiver.reception !== null) receiver.reception.collided = true;
      if (otherEnergy) {
        if (addressed) this.statistics(node).lostToCollision++;
        continue;
      }
      const reception: Reception = {
        onAir,
        node,
        rssiDbm: this.transmitPowerDbm - neighbours.linkLossesDb[i],
        addressed,
        collided: false,
        active: true,
      };
      receiver.reception = reception;
      onAir.receptions.push(reception);
    }
    this.engine.schedule(now + airtime, () => this.finish(sender, onAir));
  }

  private finish(sender: NodeState, onAir: OnAir): void {
    sender.transmitting = null;
    for (const node of onAir.audibleAt) this.nodes.get(node)!.audibleFrames--;
    const deliveries: Reception[] = [];
    let delivered = onAir.queued.destination === undefined;
    for (const reception of onAir.receptions) {
      if (!reception.active) continue;
      reception.active = false;
      this.nodes.get(reception.node)!.reception = null;
      if (!reception.addressed) continue;
      const statistics = this.statistics(reception.node);
      if (reception.collided) {
        statistics.lostToCollision++;
      } else if (unitFromWord(hashKeys(this.seed, onAir.frameNumber, reception.node, 0x1055)) < this.lossProbability) {
        statistics.lostRandomly++;
      } else {
        statistics.framesReceived++;
        deliveries.push(reception);
        if (reception.node === onAir.queued.destination) delivered = true;
      }
    }
    sender.station.sendDone?.(delivered);
    for (const reception of deliveries) {
      this.nodes.get(reception.node)!.station.receive(onAir.queued.frame.slice(), onAir.sender, reception.rssiDbm);
    }
    if (sender.queue.length > 0 && !sender.attemptPending) this.scheduleAttempt(onAir.sender, sender);
  }

  private statistics(node: number): EspNowNodeStatistics {
    let statistics = this.statisticsByNode.get(node);
    if (statistics === undefined) {
      statistics = emptyStatistics();
      this.statisticsByNode.set(node, statistics);
    }
    return statistics;
  }

  private requireNode(node: number): NodeState {
    const state = this.nodes.get(node);
    if (state === undefined) throw new Error(`node ${node} has no ESP-NOW station`);
    return state;
  }
}
