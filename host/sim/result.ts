import type { AvailabilityLinkCounters } from "../wasm/availability.js";
// What a simulation run reports: the numbers `mesh sim` prints and `--json` emits.

export interface NodeResult {
  id: string;
  airtimeMs: number;
  /** Airtime as a share of the simulated duration, percent. */
  dutyCyclePercent: number;
  framesSent: number;
  framesReceived: number;
  messagesSent: number;
  messagesDelivered: number;
  /** Times listen-before-talk found the channel busy and backed off. */
  channelBusy: number;
  /** Times a frame waited for the duty-cycle budget. */
  dutyCycleWaits: number;
  /** With flooding: relays this node scheduled, sent and cancelled, and duplicates it suppressed. */
  relays?: { scheduled: number; sent: number; cancelled: number; duplicates: number; hopLimitReached: number };
  /** Every counter of the node's Availability link (routed scenarios; docs/routing.md, "Counters"). */
  availability?: AvailabilityLinkCounters;
  /** Every drop counter of the node's Data Link and Integrity layer that is not zero. */
  drops: Record<string, number>;
}

/** Messages sent in one time window between endpoints that could reach each other, and how many arrived. */
export interface DeliveryWindow {
  startS: number;
  sent: number;
  delivered: number;
  ratio: number | null;
}

/** What the Availability links report, summed over every node. */
export interface RoutingSummary {
  strategy: string;
  hopLimit: number;
  /** Packets a link had no route for (its counters noRoute and unroutable…). */
  unroutable: number;
  /** Packets a link gave up on: hop limit spent, relay table full, no buffer, refused, dropped…. */
  dropped: number;
  /** Every counter of the links, summed. */
  counters: Record<string, number>;
}

export interface SimulationResult {
  seed: number;
  durationS: number;
  radio: string;
  nodeCount: number;
  messages: {
    /** Messages the application handed to a powered node (including those to powered-off nodes). */
    sent: number;
    delivered: number;
    /** delivered / (sent − toPoweredOffNode): routing is not blamed for messages to a node that is off. */
    deliveryRatio: number;
    latencyMs: { median: number | null; p95: number | null };
    /** Sent to a node that was powered off (failed, or not yet joined) at the time. */
    toPoweredOffNode: number;
    /** Not sent because their sender was powered off at the time. */
    notSentSenderOff: number;
    /** Hops the delivered messages took (from the routed header; 1 each without routing). */
    hops: { mean: number; max: number } | null;
  };
  /** Total airtime of every node's transmissions. */
  airtimeMs: number;
  /** Total airtime, control traffic included, per delivered message. */
  airtimePerDeliveredMs: number | null;
  /** The node with the most airtime: its share of the total, and of the run's duration (duty cycle). */
  busiestNode: { id: string; airtimeShare: number; dutyCycle: number } | null;
  /** With routing other than "none". */
  routing?: RoutingSummary;
  /**
   * With node events: delivery per minute between endpoints both powered and connected by reliable
   * links (connectivity.ts) when the message was sent.
   */
  connectedDelivery?: { windowS: number; windows: DeliveryWindow[] };
  frames: {
    sent: number;
    received: number;
    /** Receptions lost because frames overlapped (each lost reception counted). */
    collided: number;
    /**
     * Near misses: receptions a listening node lost because the frame arrived less than 6 dB below
     * what it could decode (nodes far out of range are not counted).
     */
    nearMisses: number;
    /** ESP-NOW only: frames lost at random (the model's loss probability). */
    lostRandomly?: number;
    /** Receptions missed because the receiver was transmitting. */
    halfDuplex: number;
    /**
     * LoRa only: receptions lost because the receiver left receive mode during the frame (a CAD or
     * standby mid-frame), even if it was back in receive before the frame ended.
     */
    stoppedListening?: number;
  };
  /** Drops summed over all nodes, by reason. */
  drops: Record<string, number>;
  nodes: NodeResult[];
  notes: string[];
  /** Wall-clock seconds the run took (not part of the deterministic result). */
  wallSeconds: number;
}

export function percentile(sorted: number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index];
}
