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
    /** Receptions lost to path loss (below sensitivity or SNR floor). */
    tooWeak: number;
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
