// The shared LoRa channel of a simulated mesh: chip models (RadioPort) put frames on it and hear frames
// from it; it decides, per receiver, whether each frame arrives, arrives corrupted or is lost, and why.
//
// Reception rules (propagation delay ignored: 1 km is 3.3 µs, under a thousandth of an SF7 symbol):
// 1. A port can receive a frame only if it is not transmitting, isListening(frameModulation) is true
//    (the chip decides the match; see modulation-match.ts) and it is still listening when the frame ends.
//    It must be listening when the frame's preamble starts, or begin to search for a preamble while the
//    frame's last 5 programmed preamble symbols (the opening of its vulnerable window, rule 4) are still
//    to come: as in LoRaSim's critical section, those are what a receiver needs to detect the preamble
//    and synchronise, so an SX126x/SX127x entering RX mid-preamble still locks on. A port begins to
//    search when its chip enters RX (the chip calls listeningStarted(): SetRx, CAD ending in RX, an RX
//    mode written to RegOpMode) and when the channel frees it (its own frame, or the frame it was
//    receiving, has ended). Of several frames it could lock onto then, it takes the strongest; the
//    others count as rule 6 collisions there. Half duplex: starting to transmit aborts the frame the
//    port was receiving, and frames starting while it transmits are lost to it unless it is listening
//    again before their vulnerable window. Leaving RX any other way (standby, sleep, CAD, reset) stops
//    the demodulator too (SX1261/2 §9: only RX mode runs the receive chain; SX1276 §4.1.6 likewise for
//    the LoRa modes): a chip back in RX before the frame's end searches for a new preamble instead of
//    resuming, so the frame it was receiving is lost there unless its vulnerable window has not opened
//    yet, when it may lock onto it again like onto any other. The chip's listeningStarted() is where the
//    channel learns of this: every path into RX calls it. Ports of one node (several radios on one
//    board) never hear each other: co-located antennas are not a link worth modelling.
// 2. The frame must be decodable there: received power ≥ sensitivity(SF, BW) and SNR ≥ floor(SF)
//    (lora-receiver.ts). Power = transmit power − link loss (median + frozen shadowing, propagation.ts)
//    − frequency correction + optional per-frame fading, drawn once when the frame starts.
// 3. One demodulator per port: the port locks onto the first decodable frame and stays with it until it
//    ends. A later frame of the same channel and SF captures the demodulator instead only if it arrives
//    while the locked frame is still in its preamble (sync word and start-of-frame delimiter included)
//    and is ≥ 6 dB above everything else on the channel there; the abandoned frame is lost. This is the
//    behaviour Rahmadhani and Kuipers measured on SX127x ("When LoRaWAN Frames Collide", WiNTECH 2018),
//    and stricter than LoRaSim and FLoRa, where the stronger frame survives whichever came first.
// 4. Collisions: only frames on the same channel with the same SF interfere (modulation-match.ts). The
//    locked frame is corrupted when, at any moment of its vulnerable window — from its last 5 programmed
//    preamble symbols to its last symbol, LoRaSim's "critical section" (Bor et al., MSWiM 2016) — its power
//    is less than 6 dB above the sum of the interferers on air (the LoRaSim/FLoRa capture threshold,
//    applied to the sum, as ns-3 lorawan accumulates interference energy). Interferers down to
//    `interferenceMarginDb` (default 6 dB) below sensitivity count; weaker ones are ignored.
// 5. A corrupted frame is delivered with crcOk = false when the corruption began after its header
//    (preamble + 8 symbols; with an implicit header, after the preamble), so the chip raises a CRC error;
//    corrupted earlier, the header fails and nothing is delivered. With the payload CRC off the chip
//    cannot tell: the frame is delivered with crcOk = true and one byte altered.
// 6. A frame a port could not get because it was locked on another frame counts as a collision there.
// 7. A chip that calls transmit() while its previous frame is still on air has left transmit mode early
//    (standby, reset): the old frame stops radiating now, its receivers lose it, and its transmitDone()
//    comes now too (as an event of its own, before the new frame's), since its last symbol has left.
//    RadioMedium has no way to abandon a frame without sending another; until it has, an abandoned
//    frame stays on air to its planned end.
//
// What a port is told (RadioPort): receptionStarted(reception) when it locks onto a frame (rules 1, 3),
// with the frame's timing and a headerIntact() the chip asks at the header's end (rule 5), so a chip
// model can raise its preamble and header flags when a real chip would; then deliver() at the frame's
// end, or receptionEnded() for a reception that ends without one (header corrupted, sender stopped,
// captured by a louder frame, the port left RX or transmitted, the node switched off).
//
// Statistics are per node: a frame lost at a receiver is counted once, at that receiver, with its cause.
// A loss counted while the frame is still on air (half duplex, rule 6, a reception aborted by leaving
// RX) is withdrawn if the port locks onto the frame after all (rule 1), and the frame's fate there is
// counted when it is settled instead.
import { SimulationEngine } from "../engine.js";
import type { LoRaModulation, LoRaReception, RadioMedium, RadioPort } from "../radio-medium.js";
import { hashKeys } from "../random.js";
import { frameSectionEndsMicroseconds, timeOnAirMicroseconds } from "./airtime.js";
import { type LinkLossModel, LinkTable } from "./link-table.js";
import {
  CRITICAL_PREAMBLE_SYMBOLS,
  criticalSectionOffsetMicroseconds,
  DEFAULT_NOISE_FIGURE_DB,
  demodulationThresholdDbm,
  noiseFloorDbm,
  sensitivityDbm,
} from "./lora-receiver.js";
import { activityDetectable, interferes, receiverCanDemodulate } from "./modulation-match.js";
import {
  DRAW_CLIP_SIGMAS,
  distanceForMedianPathLossMetres,
  ENVIRONMENTS,
  type EnvironmentName,
  frameFadingDb,
  frequencyCorrectionDb,
  frozenShadowingDb,
  medianPathLossDb,
  type PropagationEnvironment,
} from "./propagation.js";
import type { PlanePosition } from "./spatial-grid.js";

/** Largest LoRa payload: the length field of the explicit header is one byte. */
export const MAXIMUM_LORA_PAYLOAD_BYTES = 255;

export interface LoRaChannelOptions {
  /** Which propagation environment; required so every result says which one it used. */
  environment: EnvironmentName | PropagationEnvironment;
  /** Seed for shadowing, fading and corruption draws. */
  seed: number;
  /** The engine that keeps time; a new one when omitted. */
  engine?: SimulationEngine;
  /** Overrides the environment's shadowing σ (0 for exact ranges in tests). */
  shadowingSigmaDb?: number;
  /** Share one shadowing draw between A→B and B→A (physical reciprocity); default: one per direction. */
  reciprocalShadowing?: boolean;
  /** σ of per-frame, per-receiver fading in dB; default 0 (links are stable from frame to frame). */
  fadingSigmaDb?: number;
  /** How far a frame must be above the sum of its interferers to survive; default 6 dB (LoRaSim, FLoRa). */
  captureThresholdDb?: number;
  /**
   * Interferers this far below sensitivity still count; default: the capture threshold, the weakest a
   * single interferer can be and still break a frame at sensitivity. Several weaker ones that would sum
   * up to that are ignored: a simplification that about halves the receivers each frame visits
   * compared with a 10 dB margin.
   */
  interferenceMarginDb?: number;
  /** Receiver noise figure; default 6 dB. */
  noiseFigureDb?: number;
  /** Preamble symbols at the end of the preamble a receiver needs clean; default 5 (LoRaSim). */
  criticalPreambleSymbols?: number;
  /** Cell size of the spatial index; default: the median SF7/BW125/14 dBm range. */
  gridCellMetres?: number;
}

export interface LoRaNodeStatistics {
  framesSent: number;
  airtimeMicroseconds: number;
  /** Delivered intact (crcOk = true and unaltered). */
  framesReceived: number;
  /** Delivered after a collision hit the payload: crcOk = false, or altered bytes with the CRC off. */
  framesReceivedCorrupted: number;
  /** Receptions destroyed or prevented by another frame (each collided reception counts once). */
  lostToCollision: number;
  /** Frames a listening port heard within `interferenceMarginDb` below what it can decode. */
  lostBelowSensitivity: number;
  /** Frames lost because this node was transmitting, or started to, while they were on air. */
  lostToHalfDuplex: number;
  /**
   * Frames the port stopped listening to before their end (standby, sleep, CAD, another modulation):
   * found not listening when the frame ended, or back in RX too late to lock onto it again (rule 1).
   */
  lostStoppedListening: number;
  /** Frames cut short because their sender left transmit mode early (rule 7). */
  lostSenderStopped: number;
}

function emptyStatistics(): LoRaNodeStatistics {
  return {
    framesSent: 0,
    airtimeMicroseconds: 0,
    framesReceived: 0,
    framesReceivedCorrupted: 0,
    lostToCollision: 0,
    lostBelowSensitivity: 0,
    lostToHalfDuplex: 0,
    lostStoppedListening: 0,
    lostSenderStopped: 0,
  };
}

/** The statistics a frame can be counted lost under while it is still on air at a port. */
type LossOnAir = "lostToCollision" | "lostToHalfDuplex" | "lostStoppedListening";

class PortState {
  transmission: Transmission | null = null;
  reception: Reception | null = null;
  constructor(
    readonly port: RadioPort,
    readonly node: number,
  ) {}
}

class Transmission {
  readonly receptions: Reception[] = [];
  /** Nodes whose SignalsAtNode list this frame is in, to take it out again when it leaves the air. */
  readonly heardAt: SignalsAtNode[] = [];
  /** The event that ends the frame, cancelled when its sender cuts it short (rule 7). */
  endEvent = 0;
  /**
   * Ports where this frame was counted lost while still on air, and under which statistic: a port that
   * locks onto it later (rule 1) takes that count back. Created on the first such loss.
   */
  lossesOnAir: Map<PortState, LossOnAir> | null = null;
  constructor(
    readonly frameNumber: number,
    readonly sender: PortState,
    readonly frame: Uint8Array,
    readonly modulation: LoRaModulation,
    readonly powerDbm: number,
    readonly startMicroseconds: number,
    readonly endMicroseconds: number,
    /** Start of the vulnerable window (rule 4). */
    readonly criticalStartMicroseconds: number,
    /** Until here a louder frame may capture the receiver (rule 3). */
    readonly preambleEndMicroseconds: number,
    /** Corruption after this still lets the header through (rule 5). */
    readonly headerEndMicroseconds: number,
    readonly decodeThresholdDbm: number,
    readonly interferenceFloorDbm: number,
  ) {}
}

/**
 * The frames on air whose energy reaches one node (at or above their interference floor), with the
 * power each arrives with, fixed when it started. Interference sums and CAD read this short list
 * (a few entries, a few dozen on a congested channel) instead of looking links up.
 */
class SignalsAtNode {
  readonly transmissions: Transmission[] = [];
  readonly powersDbm: number[] = [];
  readonly powersMw: number[] = [];
  /** Sum of `powersMw`, kept as frames come and go: an upper bound that settles most checks at once. */
  totalMw = 0;

  add(transmission: Transmission, powerDbm: number): void {
    const powerMw = milliwatts(powerDbm);
    this.transmissions.push(transmission);
    this.powersDbm.push(powerDbm);
    this.powersMw.push(powerMw);
    this.totalMw += powerMw;
    transmission.heardAt.push(this);
  }

  remove(transmission: Transmission): void {
    const index = this.transmissions.indexOf(transmission);
    const last = this.transmissions.length - 1;
    // Exact zero when the air is quiet again, so rounding from the running sum never accumulates.
    this.totalMw = last === 0 ? 0 : this.totalMw - this.powersMw[index];
    this.transmissions[index] = this.transmissions[last];
    this.powersDbm[index] = this.powersDbm[last];
    this.powersMw[index] = this.powersMw[last];
    this.transmissions.pop();
    this.powersDbm.pop();
    this.powersMw.pop();
  }

  /**
   * Rule 4: summed power of the frames that interfere with `wanted` during its vulnerable window — on
   * air now (every entry is) and still on air when the window opens.
   */
  interferenceMw(wanted: Transmission): number {
    let totalMw = 0;
    for (let i = 0; i < this.transmissions.length; i++) {
      const other = this.transmissions[i];
      if (other === wanted || other.endMicroseconds <= wanted.criticalStartMicroseconds) continue;
      if (interferes(other.modulation, wanted.modulation)) totalMw += this.powersMw[i];
    }
    return totalMw;
  }

  /** Summed power of everything else on `wanted`'s channel and SF here, for the capture decision. */
  otherCoChannelMw(wanted: Transmission): number {
    let totalMw = 0;
    for (let i = 0; i < this.transmissions.length; i++) {
      const other = this.transmissions[i];
      if (other !== wanted && interferes(other.modulation, wanted.modulation)) totalMw += this.powersMw[i];
    }
    return totalMw;
  }
}

/** One port's reception of one frame; the chip sees it as a LoRaReception (RadioPort.receptionStarted). */
class Reception implements LoRaReception {
  corruptedAtMicroseconds = Number.POSITIVE_INFINITY;
  active = true;
  constructor(
    readonly transmission: Transmission,
    readonly state: PortState,
    readonly signals: SignalsAtNode,
    readonly powerDbm: number,
    readonly powerMw: number,
    /** Interference above this (mW) corrupts the frame: its power less the capture threshold. */
    readonly tolerableInterferenceMw: number,
  ) {}

  get modulation(): LoRaModulation {
    return this.transmission.modulation;
  }

  get payloadBytes(): number {
    return this.transmission.frame.length;
  }

  get startMicroseconds(): number {
    return this.transmission.startMicroseconds;
  }

  get preambleEndMicroseconds(): number {
    return this.transmission.preambleEndMicroseconds;
  }

  get headerEndMicroseconds(): number {
    return this.transmission.headerEndMicroseconds;
  }

  get endMicroseconds(): number {
    return this.transmission.endMicroseconds;
  }

  /** Rule 5: corruption that began before the header's end breaks the header. */
  headerIntact(): boolean {
    return this.corruptedAtMicroseconds >= this.transmission.headerEndMicroseconds;
  }
}

/** How far below the tolerable interference the running total must be to skip the exact sum. */
const RUNNING_TOTAL_MARGIN = 0.999;

/**
 * Allowance in the capture comparison, so "exactly 6 dB louder" survives despite rounding in the mW sum
 * (a millionth of a dB is far below anything the model claims to resolve).
 */
const CAPTURE_TOLERANCE_DB = 1e-6;

/** 10^(dBm/10) through exp, which V8 evaluates faster than a general power. */
function milliwatts(dbm: number): number {
  return Math.exp(dbm * (Math.LN10 / 10));
}

export class LoRaChannel implements RadioMedium {
  readonly engine: SimulationEngine;
  readonly environment: PropagationEnvironment;
  readonly seed: number;
  private readonly shadowingSigmaDb: number;
  private readonly reciprocalShadowing: boolean;
  private readonly fadingSigmaDb: number;
  private readonly captureThresholdDb: number;
  private readonly interferenceMarginDb: number;
  private readonly noiseFigureDb: number;
  private readonly criticalPreambleSymbols: number;
  private readonly links: LinkTable;
  private readonly linkLossModel: LinkLossModel;
  private readonly portStates = new Map<RadioPort, PortState>();
  /** Indexed by node number. */
  private readonly portsByNode: PortState[][] = [];
  private readonly signalsByNode: SignalsAtNode[] = [];
  private readonly statisticsByNode: LoRaNodeStatistics[] = [];
  /** Nodes switched off (failed, or not yet joined): they neither send nor hear anything. */
  private readonly poweredOff = new Set<number>();
  private framesStarted = 0;

  constructor(options: LoRaChannelOptions) {
    this.engine = options.engine ?? new SimulationEngine();
    this.environment =
      typeof options.environment === "string" ? ENVIRONMENTS[options.environment] : options.environment;
    if (this.environment === undefined) throw new RangeError(`unknown environment ${String(options.environment)}`);
    this.seed = options.seed >>> 0;
    this.shadowingSigmaDb = options.shadowingSigmaDb ?? this.environment.shadowingSigmaDb;
    this.reciprocalShadowing = options.reciprocalShadowing ?? false;
    this.fadingSigmaDb = options.fadingSigmaDb ?? 0;
    this.captureThresholdDb = options.captureThresholdDb ?? 6;
    this.interferenceMarginDb = options.interferenceMarginDb ?? this.captureThresholdDb;
    this.noiseFigureDb = options.noiseFigureDb ?? DEFAULT_NOISE_FIGURE_DB;
    this.criticalPreambleSymbols = options.criticalPreambleSymbols ?? CRITICAL_PREAMBLE_SYMBOLS;
    const environment = this.environment;
    const shadowingClipDb = DRAW_CLIP_SIGMAS * this.shadowingSigmaDb;
    const cellMetres =
      options.gridCellMetres ?? distanceForMedianPathLossMetres(environment, 14 - demodulationThresholdDbm(7, 125_000));
    this.linkLossModel = {
      linkLossDb: (from, to, distanceMetres) =>
        medianPathLossDb(environment, distanceMetres) +
        frozenShadowingDb(this.seed, from, to, this.shadowingSigmaDb, this.reciprocalShadowing),
      reachMetres: (linkLossDb) => distanceForMedianPathLossMetres(environment, linkLossDb + shadowingClipDb),
    };
    this.links = new LinkTable(this.linkLossModel, cellMetres);
  }

  // --- Clock (RadioMedium delegates to the engine) ---

  now(): number {
    return this.engine.now();
  }

  schedule(atMicroseconds: number, callback: () => void): number {
    return this.engine.schedule(atMicroseconds, callback);
  }

  cancel(handle: number): void {
    this.engine.cancel(handle);
  }

  // --- Topology ---

  /** Places a node, or moves it. Frames already on air keep the power they started with. */
  placeNode(node: number, position: PlanePosition): void {
    this.links.place(node, position);
  }

  nodePosition(node: number): PlanePosition | undefined {
    return this.links.position(node);
  }

  /**
   * Loss from `fromNode` to `toNode` at their current positions: median path loss plus the link's
   * frozen shadowing (no frequency correction, no per-frame fading). The same figure transmit() uses,
   * so connectivity computed from it matches what the channel does.
   */
  linkLossDb(fromNode: number, toNode: number): number {
    return this.linkLossModel.linkLossDb(fromNode, toNode, this.links.distanceMetres(fromNode, toNode));
  }

  /**
   * Nodes whose link loss from `sender` is at most `maximumLinkLossDb`, loudest first (from the same
   * cached neighbour list transmit() uses).
   */
  nodesWithinLinkLoss(sender: number, maximumLinkLossDb: number): number[] {
    const list = this.links.neighbours(sender, maximumLinkLossDb);
    const found: number[] = [];
    for (let i = 0; i < list.nodes.length && list.linkLossesDb[i] <= maximumLinkLossDb; i++) found.push(list.nodes[i]);
    return found;
  }

  /** Frequency-dependent part of every link's loss at `frequencyHz` (see propagation.ts). */
  frequencyCorrectionDb(frequencyHz: number): number {
    return frequencyCorrectionDb(this.environment, frequencyHz);
  }

  /**
   * Switches a node's radios off or on. Off, a node hears nothing; a frame it is sending stops
   * radiating now (rule 7) and a frame it is receiving is lost to it (not counted: the node is gone).
   * On again, it hears frames that start from then on.
   */
  setPowered(node: number, powered: boolean): void {
    if (powered) {
      this.poweredOff.delete(node);
      return;
    }
    this.poweredOff.add(node);
    for (const state of this.portsByNode[node] ?? []) {
      const reception = state.reception;
      if (reception !== null) {
        reception.active = false;
        state.reception = null;
        state.port.receptionEnded?.(reception);
      }
      if (state.transmission !== null) this.stopEarly(state.transmission);
    }
  }

  isPowered(node: number): boolean {
    return !this.poweredOff.has(node);
  }

  /** Connects a chip model; its node must be placed, here or before. A node may carry several ports. */
  attach(port: RadioPort, position?: PlanePosition): void {
    if (this.portStates.has(port)) throw new Error(`port of node ${port.nodeIndex} is already attached`);
    if (position !== undefined) this.placeNode(port.nodeIndex, position);
    if (!this.links.has(port.nodeIndex)) throw new Error(`node ${port.nodeIndex} has no position`);
    const state = new PortState(port, port.nodeIndex);
    this.portStates.set(port, state);
    const node = port.nodeIndex;
    if (this.portsByNode[node] === undefined) this.portsByNode[node] = [];
    this.portsByNode[node].push(state);
    this.statisticsByNode[node] ??= emptyStatistics();
    this.signalsByNode[node] ??= new SignalsAtNode();
  }

  // --- Statistics ---

  nodeStatistics(node: number): LoRaNodeStatistics {
    return { ...(this.statisticsByNode[node] ?? emptyStatistics()) };
  }

  totalStatistics(): LoRaNodeStatistics {
    const total = emptyStatistics();
    for (const statistics of this.statisticsByNode) {
      if (statistics === undefined) continue;
      for (const key of Object.keys(total) as Array<keyof LoRaNodeStatistics>) total[key] += statistics[key];
    }
    return total;
  }

  // --- The medium ---

  transmit(sender: RadioPort, frame: Uint8Array, modulation: LoRaModulation, powerDbm: number): number {
    const state = this.requireState(sender);
    // Nothing drives a switched-off node's chip, so a frame from one is a bug in the caller.
    if (this.poweredOff.has(state.node)) throw new Error(`node ${state.node} is powered off and cannot transmit`);
    if (frame.length > MAXIMUM_LORA_PAYLOAD_BYTES) {
      throw new RangeError(`a LoRa frame carries at most ${MAXIMUM_LORA_PAYLOAD_BYTES} bytes, not ${frame.length}`);
    }
    const now = this.engine.now();
    // Built first: it validates the modulation before anything on the air changes.
    const transmission = this.startTransmission(state, frame.slice(), { ...modulation }, powerDbm, now);
    if (state.transmission !== null) this.stopEarly(state.transmission);
    this.abortReception(state, "lostToHalfDuplex");
    state.transmission = transmission;
    const statistics = this.statisticsByNode[state.node];
    statistics.framesSent++;
    const airtime = transmission.endMicroseconds - now;
    statistics.airtimeMicroseconds += airtime;
    transmission.endEvent = this.engine.schedule(transmission.endMicroseconds, () => this.finish(transmission));

    // Nodes the frame can matter to, in increasing link loss: stop at the first beyond the floor's reach.
    const frequencyLossDb = frequencyCorrectionDb(this.environment, modulation.frequencyHz);
    const fadingClipDb = DRAW_CLIP_SIGMAS * this.fadingSigmaDb;
    const maximumLinkLossDb = powerDbm - frequencyLossDb - transmission.interferenceFloorDbm + fadingClipDb;
    const neighbours = this.links.neighbours(state.node, maximumLinkLossDb);
    for (let i = 0; i < neighbours.nodes.length && neighbours.linkLossesDb[i] <= maximumLinkLossDb; i++) {
      const node = neighbours.nodes[i];
      const signals = this.signalsByNode[node];
      if (signals === undefined) continue; // a placed node without a radio on this channel
      if (this.poweredOff.size > 0 && this.poweredOff.has(node)) continue;
      const fadingDb = frameFadingDb(this.seed, transmission.frameNumber, node, this.fadingSigmaDb);
      const receivedDbm = powerDbm - neighbours.linkLossesDb[i] - frequencyLossDb + fadingDb;
      if (receivedDbm < transmission.interferenceFloorDbm) continue;
      signals.add(transmission, receivedDbm);
      for (const receiver of this.portsByNode[node]) this.frameArrives(receiver, signals, transmission, receivedDbm);
    }
    return airtime;
  }

  /**
   * Channel activity detection: a frame detectable with `modulation` (same channel, SF and IQ) is on air
   * now from another node and arrives at `listener` at or above sensitivity. Any part of the frame counts
   * (SX126x CAD detects payload symbols too, though less reliably than the preamble).
   */
  channelActive(listener: RadioPort, modulation: LoRaModulation): boolean {
    const signals = this.signalsByNode[this.requireState(listener).node];
    for (let i = 0; i < signals.transmissions.length; i++) {
      const frame = signals.transmissions[i].modulation;
      if (!activityDetectable(modulation, frame)) continue;
      if (signals.powersDbm[i] >= sensitivityDbm(frame.spreadingFactor, frame.bandwidthHz)) return true;
    }
    return false;
  }

  /**
   * Rule 1: the port's chip has entered RX; it may still catch a frame whose preamble is on air. A chip
   * enters RX from some other mode, so a reception the port still holds was aborted when it left RX.
   */
  listeningStarted(port: RadioPort): void {
    const state = this.requireState(port);
    this.abortReception(state, "lostStoppedListening");
    this.searchForPreamble(state);
  }

  // --- Inside ---

  private startTransmission(
    sender: PortState,
    frame: Uint8Array,
    modulation: LoRaModulation,
    powerDbm: number,
    now: number,
  ): Transmission {
    const sections = frameSectionEndsMicroseconds(modulation);
    const preambleEnd = now + sections.preambleEnd;
    const headerEnd = now + sections.headerEnd;
    const criticalStart = now + criticalSectionOffsetMicroseconds(modulation, this.criticalPreambleSymbols);
    const decodeThreshold = demodulationThresholdDbm(
      modulation.spreadingFactor,
      modulation.bandwidthHz,
      this.noiseFigureDb,
    );
    return new Transmission(
      this.framesStarted++,
      sender,
      frame,
      modulation,
      powerDbm,
      now,
      now + timeOnAirMicroseconds(modulation, frame.length),
      criticalStart,
      preambleEnd,
      headerEnd,
      decodeThreshold,
      sensitivityDbm(modulation.spreadingFactor, modulation.bandwidthHz) - this.interferenceMarginDb,
    );
  }

  /** Rules 1–3 and 6 for one port as `transmission` begins; `signals` already includes it. */
  private frameArrives(
    receiver: PortState,
    signals: SignalsAtNode,
    transmission: Transmission,
    receivedDbm: number,
  ): void {
    const decodable = receivedDbm >= transmission.decodeThresholdDbm;
    if (receiver.transmission !== null) {
      // The port is not listening now, but it would have been listening to exactly this kind of frame.
      if (decodable && receiverCanDemodulate(receiver.transmission.modulation, transmission.modulation)) {
        this.countLossOnAir(receiver, transmission, "lostToHalfDuplex");
      }
      return;
    }
    const locked = receiver.reception;
    if (locked === null) {
      if (!receiver.port.isListening(transmission.modulation)) return;
      if (decodable) this.lock(receiver, signals, transmission, receivedDbm);
      else this.statisticsByNode[receiver.node].lostBelowSensitivity++;
      return;
    }
    // The demodulator is busy with another frame. A frame of another SF or channel passes it unnoticed
    // (and, arriving while the port is busy, cannot be received either; it is not counted as lost).
    if (!interferes(locked.transmission.modulation, transmission.modulation)) return;
    const listening = receiver.port.isListening(transmission.modulation);
    if (
      listening &&
      decodable &&
      this.engine.now() < locked.transmission.preambleEndMicroseconds &&
      // Cheap necessary condition first: the newcomer must at least beat the locked frame alone.
      receivedDbm - locked.powerDbm >= this.captureThresholdDb - CAPTURE_TOLERANCE_DB &&
      signals.otherCoChannelMw(transmission) <= milliwatts(receivedDbm - this.captureThresholdDb + CAPTURE_TOLERANCE_DB)
    ) {
      locked.active = false;
      receiver.reception = null;
      this.countLossOnAir(receiver, locked.transmission, "lostToCollision");
      receiver.port.receptionEnded?.(locked);
      this.lock(receiver, signals, transmission, receivedDbm);
      return;
    }
    if (transmission.endMicroseconds > locked.transmission.criticalStartMicroseconds) this.checkCorruption(locked);
    if (listening) {
      if (decodable) this.countLossOnAir(receiver, transmission, "lostToCollision");
      else this.statisticsByNode[receiver.node].lostBelowSensitivity++;
    }
  }

  /**
   * Rule 1 for a port that begins to search for a preamble: it locks onto the strongest frame it can
   * decode whose vulnerable window has not opened yet, so the last preamble symbols the receiver needs
   * are still to come. Frames that began while it was deaf were not counted at their start; a frame
   * already counted lost here (half duplex, rule 6) has that count withdrawn when it is the one chosen,
   * and keeps it otherwise. The others, not yet counted, are rule 6 collisions: the port could have
   * had them but is locked on another.
   */
  private searchForPreamble(receiver: PortState): void {
    if (receiver.transmission !== null || receiver.reception !== null) return;
    if (this.poweredOff.size > 0 && this.poweredOff.has(receiver.node)) return;
    const signals = this.signalsByNode[receiver.node];
    let strongest = -1;
    for (let i = 0; i < signals.transmissions.length; i++) {
      if (strongest >= 0 && signals.powersDbm[i] <= signals.powersDbm[strongest]) continue;
      if (this.preambleCatchable(receiver, signals.transmissions[i], signals.powersDbm[i])) strongest = i;
    }
    if (strongest < 0) return;
    const chosen = signals.transmissions[strongest];
    for (let i = 0; i < signals.transmissions.length; i++) {
      const other = signals.transmissions[i];
      if (other === chosen || other.lossesOnAir?.has(receiver) === true) continue;
      if (this.preambleCatchable(receiver, other, signals.powersDbm[i])) {
        this.countLossOnAir(receiver, other, "lostToCollision");
      }
    }
    this.withdrawLossOnAir(receiver, chosen);
    this.lock(receiver, signals, chosen, signals.powersDbm[strongest]);
  }

  /** Could a port searching for a preamble now still receive `transmission`, arriving at `receivedDbm`? */
  private preambleCatchable(receiver: PortState, transmission: Transmission, receivedDbm: number): boolean {
    return (
      this.engine.now() <= transmission.criticalStartMicroseconds &&
      receivedDbm >= transmission.decodeThresholdDbm &&
      receiver.port.isListening(transmission.modulation)
    );
  }

  /** Counts `transmission` lost at `receiver` while it is still on air, remembering the cause. */
  private countLossOnAir(receiver: PortState, transmission: Transmission, cause: LossOnAir): void {
    this.statisticsByNode[receiver.node][cause]++;
    transmission.lossesOnAir ??= new Map();
    transmission.lossesOnAir.set(receiver, cause);
  }

  /** The port got the frame after all: the loss counted while it was on air did not happen. */
  private withdrawLossOnAir(receiver: PortState, transmission: Transmission): void {
    const cause = transmission.lossesOnAir?.get(receiver);
    if (cause === undefined) return;
    this.statisticsByNode[receiver.node][cause]--;
    transmission.lossesOnAir?.delete(receiver);
  }

  /** Starts a reception; frames already on air that reach its vulnerable window count against it at once. */
  private lock(receiver: PortState, signals: SignalsAtNode, transmission: Transmission, receivedDbm: number): void {
    const tolerableMw = milliwatts(receivedDbm - this.captureThresholdDb + CAPTURE_TOLERANCE_DB);
    const reception = new Reception(transmission, receiver, signals, receivedDbm, milliwatts(receivedDbm), tolerableMw);
    receiver.reception = reception;
    transmission.receptions.push(reception);
    this.checkCorruption(reception);
    receiver.port.receptionStarted?.(reception);
  }

  /**
   * Rule 4, evaluated whenever the interference can have grown (a frame started). The sum only grows at
   * arrivals, so checking then catches every moment it exceeds what the reception tolerates; an
   * interferer that arrived before the vulnerable window is dated to the window's opening.
   */
  private checkCorruption(reception: Reception): void {
    if (reception.corruptedAtMicroseconds !== Number.POSITIVE_INFINITY) return;
    // Everything else on air here bounds the interference from above; only near the limit add it up.
    const upperBoundMw = reception.signals.totalMw - reception.powerMw;
    if (upperBoundMw < reception.tolerableInterferenceMw * RUNNING_TOTAL_MARGIN) return;
    if (reception.signals.interferenceMw(reception.transmission) > reception.tolerableInterferenceMw) {
      reception.corruptedAtMicroseconds = Math.max(this.engine.now(), reception.transmission.criticalStartMicroseconds);
    }
  }

  /**
   * The port's demodulator stopped (it began to transmit, or left RX): the frame it was receiving is
   * lost, unless it locks onto it again before the frame's vulnerable window (searchForPreamble).
   */
  private abortReception(state: PortState, cause: LossOnAir): void {
    const reception = state.reception;
    if (reception === null) return;
    reception.active = false;
    state.reception = null;
    this.countLossOnAir(state, reception.transmission, cause);
    state.port.receptionEnded?.(reception);
  }

  /** Takes a frame off the air: it no longer interferes, and nobody still receiving it will hear it. */
  private leaveAir(transmission: Transmission): void {
    if (transmission.sender.transmission === transmission) transmission.sender.transmission = null;
    for (const signals of transmission.heardAt) signals.remove(transmission);
  }

  /** Rule 7: the sender left transmit mode before the frame's end. */
  private stopEarly(transmission: Transmission): void {
    this.leaveAir(transmission);
    this.engine.cancel(transmission.endEvent);
    const sender = transmission.sender.port;
    this.engine.schedule(this.engine.now(), () => sender.transmitDone());
    this.statisticsByNode[transmission.sender.node].airtimeMicroseconds -=
      transmission.endMicroseconds - this.engine.now();
    for (const reception of transmission.receptions) {
      if (!reception.active) continue;
      reception.active = false;
      reception.state.reception = null;
      this.statisticsByNode[reception.state.node].lostSenderStopped++;
      reception.state.port.receptionEnded?.(reception);
    }
  }

  /** The last symbol has left: settle every reception (rule 5), then tell the sender and the receivers. */
  private finish(transmission: Transmission): void {
    this.leaveAir(transmission);
    const delivered: Reception[] = [];
    const crcOk: boolean[] = [];
    const frames: Uint8Array[] = [];
    const lost: Reception[] = [];
    const freed: PortState[] = [transmission.sender];
    for (const reception of transmission.receptions) {
      if (!reception.active) continue;
      reception.active = false;
      const receiver = reception.state;
      receiver.reception = null;
      freed.push(receiver);
      const statistics = this.statisticsByNode[receiver.node];
      if (!receiver.port.isListening(transmission.modulation)) {
        statistics.lostStoppedListening++;
        lost.push(reception);
        continue;
      }
      if (reception.corruptedAtMicroseconds === Number.POSITIVE_INFINITY) {
        statistics.framesReceived++;
        delivered.push(reception);
        crcOk.push(true);
        frames.push(transmission.frame.slice());
        continue;
      }
      statistics.lostToCollision++;
      if (!reception.headerIntact()) {
        lost.push(reception);
        continue;
      }
      statistics.framesReceivedCorrupted++;
      const frame = transmission.frame.slice();
      if (!transmission.modulation.crcOn) this.alterOneByte(frame, transmission.frameNumber, receiver.node);
      delivered.push(reception);
      crcOk.push(!transmission.modulation.crcOn);
      frames.push(frame);
    }

    transmission.sender.port.transmitDone();
    const noiseDbm = noiseFloorDbm(transmission.modulation.bandwidthHz, this.noiseFigureDb);
    for (let i = 0; i < delivered.length; i++) {
      const reception = delivered[i];
      reception.state.port.deliver(frames[i], reception.powerDbm, reception.powerDbm - noiseDbm, crcOk[i]);
    }
    for (const reception of lost) reception.state.port.receptionEnded?.(reception);
    // Rule 1: a port still listening now (continuous RX, or a chip that went to RX while its own frame
    // was still on air) searches for the next preamble, as the chip's demodulator does. After the
    // deliveries, so a chip that reacts at once (another SetRx, a transmission) has done so.
    for (const state of freed) this.searchForPreamble(state);
  }

  /** A collision with no CRC to catch it: one byte, chosen by the seed, comes out different. */
  private alterOneByte(frame: Uint8Array, frameNumber: number, node: number): void {
    if (frame.length === 0) return;
    const word = hashKeys(this.seed, frameNumber, node, 0xc0ffee);
    frame[word % frame.length] ^= ((word >>> 8) & 0xff) | 1;
  }

  private requireState(port: RadioPort): PortState {
    const state = this.portStates.get(port);
    if (state === undefined) throw new Error(`port of node ${port.nodeIndex} is not attached to this channel`);
    return state;
  }
}
