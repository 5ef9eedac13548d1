// Routing state per known destination (docs/routing.md, "Next-hop routes" and "Electric routing").
// Rows are indexed like the endpoint table (a destination is routable only once its announce
// verified), columns like the neighbour table. Everything is allocated at construction:
// destinations × neighbours reported potentials of 4 bytes (512 × 32 = 64 KiB at the largest
// sizes the host API allows; a board uses e.g. 64 × 16 = 4 KiB).
import { NO_NEXT_HOP, NO_POTENTIAL } from "./header";
import { NeighbourTable, NO_NEIGHBOUR } from "./neighbour-table";

/**
 * Potentials travel as u32 in units of 1/256. Every node injects one unit of current and the
 * destination sinks it all (docs/routing.md), so a potential is at least 1/(Σ conductances) ≥ 1/64
 * for a node with at most 64 neighbours: a smaller report from anyone but the destination is a lie.
 */
export const POTENTIAL_SCALE: f64 = 256.0;
export const MINIMUM_REPORT: u32 = 4;
/** Largest potential kept (u32 range below NO_POTENTIAL). */
const MAXIMUM_POTENTIAL: f64 = 4.0e9;
/** Largest share of forwarding probability any one neighbour may get when others are downhill too. */
const MAXIMUM_SHARE_NUMERATOR: f64 = 3.0;

export const enum ReportVerdict {
  Accepted = 0,
  /** Fell by more than half since the neighbour's last report: recorded as half its last report. */
  Clamped = 1,
  /** Zero from anyone but the destination, or below MINIMUM_REPORT. */
  Rejected = 2,
  /** NO_POTENTIAL: the neighbour no longer has a potential for the destination. */
  Withdrawn = 3,
}

export class RouteTable {
  /** Next-hop strategy: short id of the neighbour towards the destination, or NO_NEXT_HOP. */
  private readonly nextHops: StaticArray<u32>;
  private readonly hops: StaticArray<i32>;
  private readonly routeUpdatedMs: StaticArray<i64>;
  /** Electric strategy: this node's potential per destination (u32, 1/256 units), NO_POTENTIAL if none. */
  private readonly potentials: StaticArray<u32>;
  /** Potential each neighbour last reported per destination: row = destination, column = neighbour slot. */
  private readonly reports: StaticArray<u32>;
  /** Scratch weights for chooseDownhill, one per neighbour slot: nothing is allocated per packet. */
  private readonly weights: StaticArray<f64>;
  /** The potential this node last put in a beacon per destination, and which rows the current beacon holds. */
  private readonly advertised: StaticArray<u32>;
  private readonly inThisBeacon: StaticArray<bool>;

  constructor(
    readonly capacity: i32,
    readonly neighbourCapacity: i32,
    /** A next-hop route not refreshed for this long is not used. */
    readonly routeLifetimeMs: i64,
  ) {
    this.nextHops = new StaticArray<u32>(capacity);
    this.hops = new StaticArray<i32>(capacity);
    this.routeUpdatedMs = new StaticArray<i64>(capacity);
    this.potentials = new StaticArray<u32>(capacity);
    this.reports = new StaticArray<u32>(capacity * neighbourCapacity);
    this.weights = new StaticArray<f64>(neighbourCapacity);
    this.advertised = new StaticArray<u32>(capacity);
    this.inThisBeacon = new StaticArray<bool>(capacity);
    for (let i = 0; i < capacity; i++) this.reset(i);
  }

  /** Forgets destination `index` (a new endpoint took its slot in the endpoint table). */
  reset(index: i32): void {
    unchecked((this.nextHops[index] = NO_NEXT_HOP));
    unchecked((this.hops[index] = 0));
    unchecked((this.routeUpdatedMs[index] = 0));
    unchecked((this.potentials[index] = NO_POTENTIAL));
    unchecked((this.advertised[index] = NO_POTENTIAL));
    const row = index * this.neighbourCapacity;
    for (let n = 0; n < this.neighbourCapacity; n++) unchecked((this.reports[row + n] = NO_POTENTIAL));
  }

  /** Forgets what neighbour slot `slot` reported (the slot now holds another neighbour). */
  clearNeighbour(slot: i32): void {
    for (let i = 0; i < this.capacity; i++) unchecked((this.reports[i * this.neighbourCapacity + slot] = NO_POTENTIAL));
  }

  // ---- Next-hop routes (learned from announces and from the packets that arrive: "the reply
  // teaches the path").

  /**
   * Offers "destination `index` is `hops` hops away through neighbour `via`". Taken when there is no
   * live route, when it is shorter, when it comes through the current next hop (refresh), or when it
   * is `fresh`: the first copy of a newer announce than the route was learned from. Fresher beats
   * shorter as in AODV (RFC 3561 §6.2): a destination that moved is announced from its new place,
   * and the old, shorter route leads to where it no longer is — its last hop awaits no
   * acknowledgement, so nothing else would notice.
   */
  offerRoute(index: i32, via: u32, hops: i32, nowMs: i64, fresh: bool): bool {
    const current = unchecked(this.nextHops[index]);
    const live = current != NO_NEXT_HOP && nowMs - unchecked(this.routeUpdatedMs[index]) <= this.routeLifetimeMs;
    if (live && !fresh && via != current && hops >= unchecked(this.hops[index])) return false;
    unchecked((this.nextHops[index] = via));
    unchecked((this.hops[index] = hops));
    unchecked((this.routeUpdatedMs[index] = nowMs));
    return true;
  }

  /** The live next hop towards `index`, or NO_NEXT_HOP. */
  nextHop(index: i32, nowMs: i64): u32 {
    const via = unchecked(this.nextHops[index]);
    if (via == NO_NEXT_HOP || nowMs - unchecked(this.routeUpdatedMs[index]) > this.routeLifetimeMs) return NO_NEXT_HOP;
    return via;
  }

  /** Drops the route (its next hop stopped forwarding); the next packet floods and teaches a new one. */
  invalidateRoute(index: i32): void {
    unchecked((this.nextHops[index] = NO_NEXT_HOP));
  }

  routeHops(index: i32): i32 {
    return unchecked(this.hops[index]);
  }

  // ---- Beacon bookkeeping.

  /** True when the potential moved by more than a quarter since it was last advertised (or never was). */
  movedSinceAdvertised(index: i32): bool {
    const current = unchecked(this.potentials[index]);
    const last = unchecked(this.advertised[index]);
    if (last == NO_POTENTIAL) return true;
    const difference = current > last ? current - last : last - current;
    return difference > last >> 2;
  }

  markAdvertised(index: i32): void {
    unchecked((this.advertised[index] = unchecked(this.potentials[index])));
    unchecked((this.inThisBeacon[index] = true));
  }

  advertisedNow(index: i32): bool {
    return unchecked(this.inThisBeacon[index]);
  }

  /** Clears the "in this beacon" marks once the beacon is written. */
  endBeacon(): void {
    for (let i = 0; i < this.capacity; i++) unchecked((this.inThisBeacon[i] = false));
  }

  // ---- Electric potentials.

  /**
   * Records neighbour `slot`'s reported potential for destination `index`, after the sanity checks
   * of docs/routing.md: only the destination itself may report 0, nobody else below MINIMUM_REPORT,
   * and a report may at most halve the neighbour's previous one per update — a liar digging a sink
   * needs many rounds, all heard by its neighbours.
   */
  report(index: i32, slot: i32, potential: u32, fromDestination: bool): ReportVerdict {
    const at = index * this.neighbourCapacity + slot;
    if (potential == NO_POTENTIAL) {
      unchecked((this.reports[at] = NO_POTENTIAL));
      return ReportVerdict.Withdrawn;
    }
    if (fromDestination) {
      if (potential != 0) return ReportVerdict.Rejected;
      unchecked((this.reports[at] = 0));
      return ReportVerdict.Accepted;
    }
    if (potential < MINIMUM_REPORT) return ReportVerdict.Rejected;
    const previous = unchecked(this.reports[at]);
    if (previous != NO_POTENTIAL && potential < previous >> 1) {
      unchecked((this.reports[at] = previous >> 1));
      return ReportVerdict.Clamped;
    }
    unchecked((this.reports[at] = potential));
    return ReportVerdict.Accepted;
  }

  reported(index: i32, slot: i32): u32 {
    return unchecked(this.reports[index * this.neighbourCapacity + slot]);
  }

  potential(index: i32): u32 {
    return unchecked(this.potentials[index]);
  }

  /**
   * One Jacobi step of the Laplacian system at this node (docs/routing.md): with conductances c to the
   * usable neighbours n that reported potentials φ_n, φ = (1 + Σ c·φ_n) / Σ c. The +1 is this node's
   * injected unit of current, which is what makes φ strictly above the weighted mean of its
   * neighbours — so a node with any report always has a neighbour strictly downhill.
   */
  recompute(index: i32, neighbours: NeighbourTable, nowMs: i64): u32 {
    let conductanceSum: f64 = 0;
    let weighted: f64 = 0;
    const row = index * this.neighbourCapacity;
    for (let n = 0; n < this.neighbourCapacity; n++) {
      const reported = unchecked(this.reports[row + n]);
      if (reported == NO_POTENTIAL || !neighbours.isUsable(n, nowMs)) continue;
      const c = neighbours.conductance(n);
      conductanceSum += c;
      weighted += c * (<f64>reported / POTENTIAL_SCALE);
    }
    let result = NO_POTENTIAL;
    if (conductanceSum > 0) {
      const value = ((1.0 + weighted) / conductanceSum) * POTENTIAL_SCALE;
      result = <u32>Math.round(min(value, MAXIMUM_POTENTIAL));
      if (result < MINIMUM_REPORT) result = MINIMUM_REPORT;
    }
    unchecked((this.potentials[index] = result));
    return result;
  }

  /**
   * Picks the neighbour to forward to towards destination `index`: among usable neighbours not in
   * `excluded` (bit per slot) whose potential lies strictly below both `ceiling` and this node's own,
   * with probability proportional to the current c·(φ_self − φ_n), no one neighbour above ¾ of the
   * total when others qualify — or, when `steepest`, the one of them lying lowest (the packet is short
   * of hops or the channel saturated: docs/routing.md, 4a and 4b). `random` is uniform in [0, 1).
   * Returns a slot or NO_NEIGHBOUR.
   */
  chooseDownhill(
    index: i32,
    ceiling: u32,
    excluded: u64,
    neighbours: NeighbourTable,
    nowMs: i64,
    random: f64,
    steepest: bool = false,
  ): i32 {
    const own = unchecked(this.potentials[index]);
    if (own == NO_POTENTIAL) return NO_NEIGHBOUR;
    const limit = ceiling < own ? ceiling : own;
    const row = index * this.neighbourCapacity;
    const weights = this.weights;
    let total: f64 = 0;
    let candidates = 0;
    for (let n = 0; n < this.neighbourCapacity; n++) {
      let weight: f64 = 0;
      const reported = unchecked(this.reports[row + n]);
      if (
        reported < limit &&
        ((excluded >> <u64>n) & 1) == 0 &&
        neighbours.isUsable(n, nowMs)
      ) {
        weight = neighbours.conductance(n) * (<f64>(own - reported) / POTENTIAL_SCALE);
        candidates++;
      }
      unchecked((weights[n] = weight));
      total += weight;
    }
    if (candidates == 0 || total <= 0) return NO_NEIGHBOUR;
    if (steepest) return this.lowestCandidate(row, weights);
    if (candidates > 1) {
      // Bound any one neighbour's share at ¾: a neighbour lying low cannot take all the traffic.
      let capped: f64 = 0;
      for (let n = 0; n < this.neighbourCapacity; n++) {
        const weight = unchecked(weights[n]);
        const bounded = min(weight, MAXIMUM_SHARE_NUMERATOR * (total - weight));
        unchecked((weights[n] = bounded));
        capped += bounded;
      }
      total = capped;
    }
    let target = random * total;
    let last = NO_NEIGHBOUR;
    for (let n = 0; n < this.neighbourCapacity; n++) {
      const weight = unchecked(weights[n]);
      if (weight <= 0) continue;
      last = n;
      if (target < weight) return n;
      target -= weight;
    }
    return last;
  }

  /** The candidate (weight > 0) whose reported potential in `row` is lowest; the first of equals. */
  private lowestCandidate(row: i32, weights: StaticArray<f64>): i32 {
    let best = NO_NEIGHBOUR;
    let lowest = NO_POTENTIAL;
    for (let n = 0; n < this.neighbourCapacity; n++) {
      if (unchecked(weights[n]) <= 0) continue;
      const reported = unchecked(this.reports[row + n]);
      if (best == NO_NEIGHBOUR || reported < lowest) {
        best = n;
        lowest = reported;
      }
    }
    return best;
  }
}
