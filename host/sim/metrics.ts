// Routing metrics of a run, computed from plain numbers so they can be checked on hand-made inputs:
// hops, airtime per delivered message, the busiest node's share of airtime, and delivery per time
// window between pairs that could still reach each other (the churn measure).
import type { DeliveryWindow, NodeResult } from "./result.js";

export function hopSummary(hopCounts: readonly number[]): { mean: number; max: number } | null {
  if (hopCounts.length === 0) return null;
  let sum = 0;
  let max = 0;
  for (const hops of hopCounts) {
    sum += hops;
    if (hops > max) max = hops;
  }
  return { mean: sum / hopCounts.length, max };
}

/** Total airtime of all nodes (control traffic included) per delivered message; null if none arrived. */
export function airtimePerDeliveredMs(totalAirtimeMs: number, delivered: number): number | null {
  return delivered > 0 ? totalAirtimeMs / delivered : null;
}

/**
 * The node with the most airtime: its share of all nodes' airtime (how concentrated the load is) and
 * of the run's duration (its duty cycle — what its battery and the regulator see); null when nothing
 * was sent.
 */
export function busiestNode(
  nodes: readonly Pick<NodeResult, "id" | "airtimeMs">[],
  durationMs: number,
): { id: string; airtimeShare: number; dutyCycle: number } | null {
  let total = 0;
  let busiest: Pick<NodeResult, "id" | "airtimeMs"> | undefined;
  for (const node of nodes) {
    total += node.airtimeMs;
    if (busiest === undefined || node.airtimeMs > busiest.airtimeMs) busiest = node;
  }
  if (busiest === undefined || total === 0) return null;
  return {
    id: busiest.id,
    airtimeShare: busiest.airtimeMs / total,
    dutyCycle: durationMs > 0 ? busiest.airtimeMs / durationMs : 0,
  };
}

/** One message as the window measure sees it. */
export interface WindowedMessage {
  sentAtS: number;
  /** Both endpoints were powered and connected by reliable links when it was sent. */
  connected: boolean;
  delivered: boolean;
}

/** Delivery ratio per window of `windowS`, counting only messages between connected endpoints. */
export function deliveryWindows(
  messages: readonly WindowedMessage[],
  windowS: number,
  durationS: number,
): DeliveryWindow[] {
  const count = Math.max(1, Math.ceil(durationS / windowS));
  const windows: DeliveryWindow[] = Array.from({ length: count }, (_, i) => ({
    startS: i * windowS,
    sent: 0,
    delivered: 0,
    ratio: null,
  }));
  for (const message of messages) {
    if (!message.connected) continue;
    const window = windows[Math.min(count - 1, Math.floor(message.sentAtS / windowS))];
    window.sent++;
    if (message.delivered) window.delivered++;
  }
  for (const window of windows) window.ratio = window.sent > 0 ? window.delivered / window.sent : null;
  return windows;
}

/**
 * Start of the first window at or after `fromS` from which every window with messages delivers at
 * least `threshold`; null when even the last one falls short. Windows without messages neither break
 * nor start a run.
 */
export function recoveredFromS(windows: readonly DeliveryWindow[], fromS: number, threshold: number): number | null {
  let candidate: number | null = null;
  for (const window of windows) {
    if (window.startS < fromS || window.ratio === null) continue;
    if (window.ratio >= threshold) candidate ??= window.startS;
    else candidate = null;
  }
  return candidate;
}
