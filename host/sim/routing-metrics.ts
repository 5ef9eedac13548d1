// The figures that compare routing strategies on one scenario — the summary: delivery ratio,
// latency (median, p95), hops, airtime per delivered message and the busiest node's airtime — taken
// from a simulation's result, and their table cells (laid out by text-table.ts). Shared by
// `mesh sim --compare` and `npm run bench -- routing`, so both print a strategy the same way.
import type { SimulationResult } from "./result.js";

export interface RoutingMetrics {
  deliveryRatio: number;
  latencyMedianMs: number | null;
  latencyP95Ms: number | null;
  hopsMean: number | null;
  hopsMax: number | null;
  airtimePerDeliveredMs: number | null;
  /** The busiest node's part of all airtime. */
  busiestNodeAirtimeShare: number | null;
  /** The busiest node's airtime over the run's duration (its duty cycle). */
  busiestNodeDutyCycle: number | null;
  unroutable: number;
  dropped: number;
  wallSeconds: number;
}

export function routingMetrics(result: SimulationResult): RoutingMetrics {
  const m = result.messages;
  return {
    deliveryRatio: m.deliveryRatio,
    latencyMedianMs: m.latencyMs.median,
    latencyP95Ms: m.latencyMs.p95,
    hopsMean: m.hops?.mean ?? null,
    hopsMax: m.hops?.max ?? null,
    airtimePerDeliveredMs: result.airtimePerDeliveredMs,
    busiestNodeAirtimeShare: result.busiestNode?.airtimeShare ?? null,
    busiestNodeDutyCycle: result.busiestNode?.dutyCycle ?? null,
    unroutable: result.routing?.unroutable ?? 0,
    dropped: result.routing?.dropped ?? 0,
    wallSeconds: result.wallSeconds,
  };
}

export const ROUTING_METRIC_HEADER = [
  "delivered",
  "latency median",
  "p95",
  "hops mean/max",
  "airtime/delivered",
  "busiest share",
  "busiest on air",
  "unroutable",
  "dropped",
  "wall",
] as const;

export const percentCell = (value: number | null | undefined) =>
  value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)} %`;
export const secondsCell = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? "—" : `${(ms / 1000).toFixed(2)} s`;

/** The cells under ROUTING_METRIC_HEADER. */
export function routingMetricCells(m: RoutingMetrics): string[] {
  return [
    percentCell(m.deliveryRatio),
    secondsCell(m.latencyMedianMs),
    secondsCell(m.latencyP95Ms),
    m.hopsMean === null ? "—" : `${m.hopsMean.toFixed(1)}/${m.hopsMax}`,
    secondsCell(m.airtimePerDeliveredMs),
    percentCell(m.busiestNodeAirtimeShare),
    percentCell(m.busiestNodeDutyCycle),
    String(m.unroutable),
    String(m.dropped),
    `${m.wallSeconds.toFixed(1)} s`,
  ];
}
