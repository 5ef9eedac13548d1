// `npm run bench -- routing-load`: one routing strategy on the routing benchmark's 200-node mesh at a
// load the channel can carry (issue 5). The routing benchmark's one message per node per minute is more
// than the channel carries at 200 nodes (routing-bench.ts prints the shortest-path load); lighter loads
// show what routing does when collisions do not decide everything. Several seeds, because a light
// hour holds few messages: per seed and their mean, delivery and airtime per delivered message; with
// `--churn`, 10 % of the nodes fail halfway and delivery between still-connected pairs is printed per
// five minutes before and after. Nothing here is timed: the numbers are the simulation's own.
import { ProgressBar } from "../cli/progress.js";
import type { SimulationResult } from "../sim/result.js";
import { percentCell, secondsCell } from "../sim/routing-metrics.js";
import type { RoutingStrategy, ScenarioEvent } from "../sim/scenario.js";
import { runSimulation } from "../sim/simulation.js";
import { randomGeometricTopology } from "../sim/topology.js";
import { loadLoRaTables } from "../wasm/lora-tables.js";
import { failingNodes, MESSAGE_BYTES, ROUTING_STRATEGIES, routingScenario } from "./routing-bench.js";

export interface LoadBenchOptions {
  strategy: RoutingStrategy;
  /** Seconds between one node's messages. */
  everyS: number;
  warmUpS: number;
  durationS: number;
  seeds: number[];
  nodes: number;
  churn: boolean;
}

export const LOAD_BENCH_DEFAULTS: LoadBenchOptions = {
  strategy: "electric",
  everyS: 600,
  warmUpS: 600,
  durationS: 3600,
  seeds: [1, 2, 3],
  nodes: 200,
  churn: false,
};

/** Messages between still-connected pairs sent in one window, and how many arrived. */
export interface ConnectedWindow {
  startS: number;
  sent: number;
  delivered: number;
}

/** Delivery after a failure is shown per this many seconds (a light minute holds too few messages). */
const CHURN_WINDOW_S = 300;

export interface LoadBenchRow {
  seed: number;
  sent: number;
  deliveryRatio: number;
  airtimePerDeliveredMs: number | null;
  latencyMedianMs: number | null;
  /** --churn: delivery between still-connected pairs per CHURN_WINDOW_S, from the warm-up's end. */
  connectedWindows?: ConnectedWindow[];
  failAtS?: number;
}

/** Sums the simulator's per-minute still-connected windows into CHURN_WINDOW_S windows. */
function coarseWindows(result: SimulationResult, fromS: number): LoadBenchRow["connectedWindows"] {
  const out: ConnectedWindow[] = [];
  for (const window of result.connectedDelivery?.windows ?? []) {
    if (window.startS < fromS) continue;
    const startS = fromS + Math.floor((window.startS - fromS) / CHURN_WINDOW_S) * CHURN_WINDOW_S;
    let last = out[out.length - 1];
    if (last === undefined || last.startS !== startS) {
      last = { startS, sent: 0, delivered: 0 };
      out.push(last);
    }
    last.sent += window.sent;
    last.delivered += window.delivered;
  }
  return out;
}

export async function runRoutingLoadBench(options: LoadBenchOptions): Promise<LoadBenchRow[]> {
  const tables = await loadLoRaTables();
  const rows: LoadBenchRow[] = [];
  console.log(
    `${options.strategy} routing, ${options.nodes} nodes, one ${MESSAGE_BYTES}-byte message per node every ${options.everyS} s, ` +
      `${options.durationS / 60} min after a ${options.warmUpS / 60}-min warm-up${options.churn ? ", 10 % of the nodes fail halfway" : ""}`,
  );
  for (const seed of options.seeds) {
    const topology = randomGeometricTopology(options.nodes, { seed }, tables);
    const failAtS = options.warmUpS + options.durationS / 2;
    const events: ScenarioEvent[] = options.churn
      ? failingNodes(topology, seed).map((node) => ({ atS: failAtS, kind: "fail", node }))
      : [];
    const { strategy, everyS, warmUpS, durationS } = options;
    const scenario = routingScenario(topology, { strategy, durationS, warmUpS, events, seed, everyS });
    const progress = new ProgressBar(`seed ${seed}`);
    const result = await runSimulation(scenario, { onProgress: (fraction) => progress.update(fraction) });
    progress.done();
    const row: LoadBenchRow = {
      seed,
      sent: result.messages.sent,
      deliveryRatio: result.messages.deliveryRatio,
      airtimePerDeliveredMs: result.airtimePerDeliveredMs,
      latencyMedianMs: result.messages.latencyMs.median,
    };
    if (options.churn) {
      row.failAtS = failAtS;
      row.connectedWindows = coarseWindows(result, options.warmUpS);
    }
    rows.push(row);
    printRow(row);
  }
  printMean(rows);
  return rows;
}

function printRow(row: LoadBenchRow): void {
  console.log(
    `seed ${row.seed}: delivered ${percentCell(row.deliveryRatio)} of ${row.sent}, airtime per delivered ${secondsCell(row.airtimePerDeliveredMs)}, latency median ${secondsCell(row.latencyMedianMs)}`,
  );
  if (row.connectedWindows === undefined || row.failAtS === undefined) return;
  console.log(
    `  still-connected pairs, % per ${CHURN_WINDOW_S / 60} min (| = the failure): ${windowCells(row.connectedWindows, row.failAtS)}`,
  );
}

function printMean(rows: LoadBenchRow[]): void {
  if (rows.length === 0) return;
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const airtimes = rows.map((r) => r.airtimePerDeliveredMs).filter((v): v is number => v !== null);
  console.log(
    `mean of ${rows.length} seeds: delivered ${percentCell(mean(rows.map((r) => r.deliveryRatio)))}, airtime per delivered ${secondsCell(airtimes.length ? mean(airtimes) : null)}`,
  );
  const pooled = pooledWindows(rows);
  if (pooled.length > 0) {
    const counts = pooled.map((w) => w.sent);
    console.log(
      `  all seeds pooled, still-connected pairs per ${CHURN_WINDOW_S / 60} min: ${windowCells(pooled, rows[0].failAtS)}` +
        ` (${Math.min(...counts)}–${Math.max(...counts)} messages per window; 95 % interval up to ±${windowMarginPoints(pooled).toFixed(1)} points)`,
    );
  }
}

/**
 * The widest 95 % Wilson score interval half-width among the windows, in percentage points: how far a
 * window's ratio may be from the delivery probability behind it by chance alone (a window of ~110
 * messages near 90 % is good to about ±6 points), so differences smaller than that are not findings.
 */
export function windowMarginPoints(windows: ReadonlyArray<Omit<ConnectedWindow, "startS">>): number {
  const z = 1.96;
  let widest = 0;
  for (const { sent, delivered } of windows) {
    if (sent === 0) continue;
    const p = delivered / sent;
    const half = (z * Math.sqrt((p * (1 - p)) / sent + (z * z) / (4 * sent * sent))) / (1 + (z * z) / sent);
    widest = Math.max(widest, half * 100);
  }
  return widest;
}

/** The seeds' still-connected windows summed window by window (a light window holds few messages). */
export function pooledWindows(rows: readonly LoadBenchRow[]): ConnectedWindow[] {
  const pooled: ConnectedWindow[] = [];
  for (const row of rows) {
    for (const [i, window] of (row.connectedWindows ?? []).entries()) {
      pooled[i] ??= { startS: window.startS, sent: 0, delivered: 0 };
      pooled[i].sent += window.sent;
      pooled[i].delivered += window.delivered;
    }
  }
  return pooled;
}

function windowCells(windows: readonly ConnectedWindow[], failAtS?: number): string {
  return windows
    .map((w) => {
      const ratio = w.sent === 0 ? "—" : `${Math.round((w.delivered / w.sent) * 100)}`;
      return `${w.startS === failAtS ? "| " : ""}${ratio}`;
    })
    .join(" ");
}

function positiveInteger(flag: string, value: string | undefined, max: number): number {
  if (value === undefined || !/^\d+$/.test(value))
    throw new Error(`${flag} needs a whole number, got '${value ?? ""}'`);
  const number = Number(value);
  if (number < 1 || number > max) throw new Error(`${flag} must be between 1 and ${max}, got ${number}`);
  return number;
}

/**
 * Options from the command line after `routing-load`: --strategy NAME, --every S, --warm S, --minutes M,
 * --seeds 1,2,3, --nodes N, --churn, --quick (30 nodes, 10 minutes, one seed). Throws an Error whose
 * message names the bad argument.
 */
export function parseLoadBenchArgs(args: readonly string[]): LoadBenchOptions {
  const options: LoadBenchOptions = { ...LOAD_BENCH_DEFAULTS, seeds: [...LOAD_BENCH_DEFAULTS.seeds] };
  if (args.includes("--quick")) Object.assign(options, { nodes: 30, durationS: 600, warmUpS: 120, seeds: [1] });
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = args[i + 1];
    switch (flag) {
      case "--quick":
      case "--churn":
        if (flag === "--churn") options.churn = true;
        continue;
      case "--strategy":
        if (!ROUTING_STRATEGIES.includes(value as RoutingStrategy)) {
          throw new Error(`--strategy must be one of ${ROUTING_STRATEGIES.join(", ")}, got '${value ?? ""}'`);
        }
        options.strategy = value as RoutingStrategy;
        break;
      case "--every":
        options.everyS = positiveInteger(flag, value, 86_400);
        break;
      case "--warm":
        options.warmUpS = positiveInteger(flag, value, 86_400);
        break;
      case "--minutes":
        options.durationS = positiveInteger(flag, value, 24 * 60) * 60;
        break;
      case "--nodes":
        options.nodes = positiveInteger(flag, value, 1000);
        if (options.nodes < 2) throw new Error("--nodes must be at least 2");
        break;
      case "--seeds":
        if (value === undefined || !/^\d+(,\d+)*$/.test(value))
          throw new Error(`--seeds needs a list like 1,2,3, got '${value ?? ""}'`);
        options.seeds = value.split(",").map(Number);
        break;
      default:
        throw new Error(`unknown option '${flag}'`);
    }
    i++;
  }
  return options;
}
