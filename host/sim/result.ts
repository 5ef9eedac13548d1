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
  /** Every drop counter of the node's Data Link and Integrity layer that is not zero. */
  drops: Record<string, number>;
}

export interface SimulationResult {
  seed: number;
  durationS: number;
  radio: string;
  nodeCount: number;
  messages: {
    sent: number;
    delivered: number;
    deliveryRatio: number;
    latencyMs: { median: number | null; p95: number | null };
  };
  /** Total airtime of every node's transmissions. */
  airtimeMs: number;
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
