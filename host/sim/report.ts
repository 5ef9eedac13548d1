// The readable summary `mesh sim` prints.

import { textTable } from "../text-table.js";
import type { SimulationResult } from "./result.js";
import { ROUTING_METRIC_HEADER, routingMetricCells, routingMetrics } from "./routing-metrics.js";

export function formatReport(result: SimulationResult, options: { maxNodes?: number } = {}): string {
  const m = result.messages;
  const lines = [
    `Simulated ${result.nodeCount} nodes for ${result.durationS} s (${result.radio}, seed ${result.seed}) in ${result.wallSeconds.toFixed(1)} s`,
    "",
    `Messages: ${m.sent} sent, ${m.delivered} delivered (${(m.deliveryRatio * 100).toFixed(1)} %)` +
      (m.latencyMs.median !== null
        ? `, latency median ${m.latencyMs.median.toFixed(0)} ms, p95 ${m.latencyMs.p95!.toFixed(0)} ms`
        : ""),
  ];
  if (m.toPoweredOffNode > 0 || m.notSentSenderOff > 0) {
    lines.push(
      `Powered-off nodes: ${m.toPoweredOffNode} messages sent to one (not counted in the ratio), ` +
        `${m.notSentSenderOff} not sent because the sender was off`,
    );
  }
  if (m.hops !== null) lines.push(`Hops: mean ${m.hops.mean.toFixed(2)}, max ${m.hops.max}`);
  lines.push(
    `Frames: ${result.frames.sent} sent, ${result.frames.received} received; receptions lost: ` +
      `${result.frames.collided} to collisions, ${result.frames.nearMisses} near misses (just too weak), ` +
      `${result.frames.halfDuplex} while transmitting` +
      (result.frames.stoppedListening !== undefined
        ? `, ${result.frames.stoppedListening} by leaving receive mid-frame`
        : "") +
      (result.frames.lostRandomly !== undefined ? `, ${result.frames.lostRandomly} at random` : ""),
    `Airtime: ${(result.airtimeMs / 1000).toFixed(1)} s in total` +
      (result.airtimePerDeliveredMs !== null
        ? `, ${(result.airtimePerDeliveredMs / 1000).toFixed(2)} s per delivered message`
        : "") +
      (result.busiestNode !== null
        ? `; busiest node ${result.busiestNode.id} has ${(result.busiestNode.airtimeShare * 100).toFixed(1)} % of it ` +
          `(on air ${(result.busiestNode.dutyCycle * 100).toFixed(2)} % of the time)`
        : ""),
  );
  if (result.routing) {
    const r = result.routing;
    lines.push(
      `Routing (${r.strategy}, hop limit ${r.hopLimit}): ${r.unroutable} unroutable, ${r.dropped} dropped by the links`,
    );
  }
  if (result.connectedDelivery) {
    const ratios = result.connectedDelivery.windows.map((w) =>
      w.ratio === null ? "—" : `${Math.round(w.ratio * 100)}`,
    );
    lines.push(`Delivery % between connected pairs per ${result.connectedDelivery.windowS} s: ${ratios.join(" ")}`);
  }
  const drops = Object.entries(result.drops).filter(([, v]) => v > 0);
  lines.push(drops.length > 0 ? `Drops: ${drops.map(([k, v]) => `${k} ${v}`).join(", ")}` : "Drops: none");
  lines.push("");
  const limit = options.maxNodes ?? 20;
  const busiest = [...result.nodes].sort((a, b) => b.airtimeMs - a.airtimeMs).slice(0, limit);
  lines.push(
    result.nodes.length > limit ? `Busiest ${limit} of ${result.nodes.length} nodes by airtime:` : "Per node:",
    ...textTable(
      ["node", "airtime s", "duty %", "frames tx", "frames rx", "msgs sent", "msgs recv", "drops"],
      busiest.map((n) => [
        n.id,
        (n.airtimeMs / 1000).toFixed(2),
        n.dutyCyclePercent.toFixed(3),
        String(n.framesSent),
        String(n.framesReceived),
        String(n.messagesSent),
        String(n.messagesDelivered),
        String(Object.values(n.drops).reduce((a, b) => a + b, 0)),
      ]),
    ),
  );
  if (result.notes.length > 0) lines.push("", ...result.notes.map((n) => `Note: ${n}`));
  return lines.join("\n");
}

/**
 * `mesh sim --compare`: one scenario run under several strategies, one row each (routing-metrics.ts),
 * then the per-window delivery between connected pairs when the scenario has events.
 */
export function formatComparison(runs: { strategy: string; result: SimulationResult }[]): string {
  const first = runs[0].result;
  const hopLimit = runs.find((r) => r.result.routing)?.result.routing?.hopLimit;
  const lines = [
    `Simulated ${first.nodeCount} nodes for ${first.durationS} s (${first.radio}, seed ${first.seed}) under ` +
      `${runs.length} strategies${hopLimit === undefined ? "" : `, hop limit ${hopLimit}`}: the same nodes, traffic and events`,
    "",
    ...textTable(
      ["strategy", "sent", ...ROUTING_METRIC_HEADER],
      runs.map(({ strategy, result }) => [
        strategy,
        String(result.messages.sent),
        ...routingMetricCells(routingMetrics(result)),
      ]),
    ),
    "",
    `"busiest share": the busiest node's part of all airtime; "busiest on air": its airtime over the run (its duty ` +
      `cycle); "unroutable": packets a node had no route for (flooded instead, or counted where nothing can be ` +
      `done); "dropped": packets the links gave up on (hop limit spent, full tables, unacknowledged…).`,
  ];
  const windowed = runs.filter((r) => r.result.connectedDelivery);
  if (windowed.length > 0) {
    lines.push(`Delivery % between connected pairs per ${windowed[0].result.connectedDelivery!.windowS} s:`);
    const width = Math.max(...windowed.map((r) => r.strategy.length));
    for (const { strategy, result } of windowed) {
      const ratios = result.connectedDelivery!.windows.map((w) =>
        w.ratio === null ? "—" : `${Math.round(w.ratio * 100)}`,
      );
      lines.push(`  ${strategy.padEnd(width)}  ${ratios.join(" ")}`);
    }
  }
  return lines.join("\n");
}
