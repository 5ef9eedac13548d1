// The nodes this node hears directly (docs/routing.md, "Neighbours and link conductance"). Fixed size,
// allocated at construction; learned from the transmitter field of every valid frame. Each entry keeps
// what routing needs to weigh the link: a smoothed SNR and a delivery ratio measured by passive
// acknowledgements (hearing the neighbour forward what it was given).

import { addToHeardFilter } from "./heard-filter";

/** Slot index meaning "no neighbour". */
export const NO_NEIGHBOUR: i32 = -1;
/** Consecutive missed acknowledgements after which a neighbour is not used until it is heard again. */
export const SUSPECT_AFTER_FAILURES: i32 = 3;
/** Conductance of a link whose SNR is unknown (UDP, ESP-NOW without RSSI): a good link. */
const CONDUCTANCE_WITHOUT_SNR: f64 = 1.0;
/**
 * SNR range mapped linearly onto conductance 1/16..1, in dB: −15 dB is below the SF7..SF9 demodulation
 * floors (−7.5..−12.5 dB, SX1262 datasheet table 6-1), where frames mostly fail; +5 dB and above the
 * link delivers nearly everything.
 */
const WEAK_SNR_DB: f64 = -15.0;
const STRONG_SNR_DB: f64 = 5.0;
const MINIMUM_CONDUCTANCE: f64 = 1.0 / 16;

/** What the neighbour's latest beacon said about hearing this node (heard-filter.ts). */
const enum Reverse {
  /** No beacon from it yet: usable only where no beacons are exchanged (twoWayOnly false). */
  Unknown = 0,
  HearsUs = 1,
  /** Its beacon does not list this node: the link works one way only, not usable. */
  OneWay = 2,
}

export class NeighbourTable {
  private readonly ids: StaticArray<u32>;
  private readonly lastHeard: StaticArray<i64>;
  private readonly snrDb: StaticArray<f64>;
  private readonly hasSnr: StaticArray<bool>;
  /** Delivery ratio from passive acknowledgements, 1/8 .. 1 (starts at 1: innocent until missed). */
  private readonly deliveryRatio: StaticArray<f64>;
  private readonly failures: StaticArray<i32>;
  private readonly present: StaticArray<bool>;
  private readonly reverse: StaticArray<u8>;
  /** Set by heard() when a slot was given to a different neighbour; the caller clears its column. */
  reassignedSlot: i32 = NO_NEIGHBOUR;

  constructor(
    readonly capacity: i32,
    /** A neighbour not heard for this long is neither used nor counted in potentials. */
    readonly timeoutMs: i64,
    /**
     * Use a neighbour only once its beacon says it hears this node (electric routing, which beacons).
     * Giving neighbours the benefit of the doubt until their first beacon sent 7 % of the routed
     * copies of a quiet 200-node hour to neighbours that could not hear them: a weak neighbour's
     * long beacons are the frames most often lost, so "until the first beacon" lasted long.
     */
    readonly twoWayOnly: bool = false,
    /**
     * A neighbour silent for longer than this is not used, though it stays in the table (and in the
     * heard filter) until the timeout: under electric routing a beacon spacing and an eighth (beacons
     * come every 0.75–1.25 intervals), so a neighbour that failed stops drawing traffic after one
     * missed beacon instead of three. A live one whose beacon was lost is back with its next frame.
     */
    readonly unusedAfterSilenceMs: i64 = i64.MAX_VALUE,
  ) {
    this.ids = new StaticArray<u32>(capacity);
    this.lastHeard = new StaticArray<i64>(capacity);
    this.snrDb = new StaticArray<f64>(capacity);
    this.hasSnr = new StaticArray<bool>(capacity);
    this.deliveryRatio = new StaticArray<f64>(capacity);
    this.failures = new StaticArray<i32>(capacity);
    this.present = new StaticArray<bool>(capacity);
    this.reverse = new StaticArray<u8>(capacity);
  }

  find(id: u32): i32 {
    for (let i = 0; i < this.capacity; i++) {
      if (unchecked(this.present[i]) && unchecked(this.ids[i]) == id) return i;
    }
    return NO_NEIGHBOUR;
  }

  /**
   * Records a frame heard from `id`. A new neighbour takes a free slot, or the slot of the neighbour
   * heard longest ago if that one has timed out; otherwise it is not recorded (NO_NEIGHBOUR): the
   * table never grows and a crowd of new ids cannot push out neighbours that are alive.
   */
  heard(id: u32, snrKnown: bool, snrDb: f64, nowMs: i64): i32 {
    this.reassignedSlot = NO_NEIGHBOUR;
    let slot = this.find(id);
    if (slot == NO_NEIGHBOUR) {
      slot = this.slotForNewcomer(nowMs);
      if (slot == NO_NEIGHBOUR) return NO_NEIGHBOUR;
      this.reassignedSlot = slot;
      unchecked((this.ids[slot] = id));
      unchecked((this.present[slot] = true));
      unchecked((this.hasSnr[slot] = false));
      unchecked((this.deliveryRatio[slot] = 1.0));
      unchecked((this.reverse[slot] = <u8>Reverse.Unknown));
    }
    unchecked((this.lastHeard[slot] = nowMs));
    unchecked((this.failures[slot] = 0));
    if (snrKnown) {
      // Exponential average over about four frames: one faded frame does not swing the weights.
      const previous = unchecked(this.snrDb[slot]);
      unchecked((this.snrDb[slot] = unchecked(this.hasSnr[slot]) ? previous + (snrDb - previous) / 4 : snrDb));
      unchecked((this.hasSnr[slot] = true));
    }
    return slot;
  }

  /**
   * Alive (heard within the timeout, and lately: unusedAfterSilenceMs), hearing this node — its latest
   * beacon lists this node, or, when not twoWayOnly, no beacon said otherwise — and not suspected of
   * having gone (missed acknowledgements).
   */
  isUsable(slot: i32, nowMs: i64): bool {
    const reverse = unchecked(this.reverse[slot]);
    return (
      this.isAlive(slot, nowMs) &&
      nowMs - unchecked(this.lastHeard[slot]) <= this.unusedAfterSilenceMs &&
      unchecked(this.failures[slot]) < SUSPECT_AFTER_FAILURES &&
      (reverse == <u8>Reverse.HearsUs || (reverse == <u8>Reverse.Unknown && !this.twoWayOnly))
    );
  }

  /** The neighbour's beacon says whether it hears this node; its latest beacon decides. */
  reverseReported(slot: i32, hearsUs: bool): void {
    unchecked((this.reverse[slot] = hearsUs ? <u8>Reverse.HearsUs : <u8>Reverse.OneWay));
  }

  /** Adds every neighbour heard within the timeout to the heard filter at `at` (already cleared). */
  writeHeardFilter(at: usize, nowMs: i64): void {
    for (let i = 0; i < this.capacity; i++) {
      if (this.isAlive(i, nowMs)) addToHeardFilter(at, unchecked(this.ids[i]));
    }
  }

  id(slot: i32): u32 {
    return unchecked(this.ids[slot]);
  }

  /**
   * The link's conductance in (0, 1]: SNR mapped linearly between WEAK and STRONG, times the delivery
   * ratio — a link that loses half its packets carries half the current.
   */
  conductance(slot: i32): f64 {
    let fromSnr = CONDUCTANCE_WITHOUT_SNR;
    if (unchecked(this.hasSnr[slot])) {
      const scaled = (unchecked(this.snrDb[slot]) - WEAK_SNR_DB) / (STRONG_SNR_DB - WEAK_SNR_DB);
      fromSnr = max(MINIMUM_CONDUCTANCE, min(1.0, scaled));
    }
    return fromSnr * unchecked(this.deliveryRatio[slot]);
  }

  /** The neighbour forwarded what it was given: its delivery ratio recovers a quarter of the way to 1. */
  acknowledged(slot: i32): void {
    const ratio = unchecked(this.deliveryRatio[slot]);
    unchecked((this.deliveryRatio[slot] = ratio + (1.0 - ratio) / 4));
    unchecked((this.failures[slot] = 0));
  }

  /** The neighbour was not heard forwarding in time: halve its ratio (floor 1/8), count the miss. */
  missedAcknowledgement(slot: i32): void {
    unchecked((this.deliveryRatio[slot] = max(1.0 / 8, unchecked(this.deliveryRatio[slot]) / 2)));
    unchecked((this.failures[slot] = unchecked(this.failures[slot]) + 1));
  }

  /**
   * A bit per slot, in the layout of chooseDownhill's `excluded`, for every neighbour not heard within
   * `withinMs` (or absent): the neighbours that may have gone since (slots past 63 are never marked).
   */
  notHeardWithin(nowMs: i64, withinMs: i64): u64 {
    let mask: u64 = 0;
    const slots = min(this.capacity, 64);
    for (let i = 0; i < slots; i++) {
      if (!unchecked(this.present[i]) || nowMs - unchecked(this.lastHeard[i]) > withinMs) mask |= <u64>1 << <u64>i;
    }
    return mask;
  }

  /** Neighbours heard within the timeout. */
  aliveCount(nowMs: i64): i32 {
    let alive = 0;
    for (let i = 0; i < this.capacity; i++) {
      if (this.isAlive(i, nowMs)) alive++;
    }
    return alive;
  }

  /** Present and heard within the timeout. */
  @inline private isAlive(slot: i32, nowMs: i64): bool {
    return unchecked(this.present[slot]) && nowMs - unchecked(this.lastHeard[slot]) <= this.timeoutMs;
  }

  private slotForNewcomer(nowMs: i64): i32 {
    let stalest = NO_NEIGHBOUR;
    for (let i = 0; i < this.capacity; i++) {
      if (!unchecked(this.present[i])) return i;
      if (stalest == NO_NEIGHBOUR || unchecked(this.lastHeard[i]) < unchecked(this.lastHeard[stalest])) stalest = i;
    }
    if (nowMs - unchecked(this.lastHeard[stalest]) > this.timeoutMs) return stalest;
    return NO_NEIGHBOUR;
  }
}
