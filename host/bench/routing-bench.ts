// `npm run bench -- routing`: the routing strategies side by side on seeded topologies (issue 5) — a
// 10-node line, a 7×7 grid and connected random geometric graphs of 50, 200 and 500 nodes at SF7BW125,
// every node sending a 100-byte unicast to a random other node once a minute for a simulated hour, plus
// a churn run (200 nodes, 10 % fail at 30 min). Messages are protected at Integrity level blake2b:
// Ed25519 on every hop would dominate the simulation's own time, not the routing's. A strategy the
// stack does not build is printed as "not built"; nothing is estimated. `--quick` runs small versions.
// The table is also written to build/bench/routing.json.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ProgressBar } from "../cli/progress.js";
import { presetTimeOnAirMicroseconds } from "../sim/channel/airtime.js";
import { recoveredFromS } from "../sim/metrics.js";
import { DeterministicRandom } from "../sim/random.js";
import type { SimulationResult } from "../sim/result.js";
import { StrategyNotBuiltError } from "../sim/routed-link.js";
import {
  percentCell,
  ROUTING_METRIC_HEADER,
  type RoutingMetrics,
  routingMetricCells,
  routingMetrics,
} from "../sim/routing-metrics.js";
import type { RoutingStrategy, Scenario, ScenarioEvent } from "../sim/scenario.js";
import { runSimulation } from "../sim/simulation.js";
import {
  audibleGraph,
  audibleHopDistances,
  gridTopology,
  lineTopology,
  randomGeometricTopology,
  type Topology,
} from "../sim/topology.js";
import { textTable } from "../text-table.js";
import { type LoRaTables, loadLoRaTables } from "../wasm/lora-tables.js";
import { type ChannelLoad, shortestPathChannelLoad } from "./channel-load.js";

const SEED = 1;
/** The largest hop limit the routed header allows: lines, grids and large random graphs need it. */
const HOP_LIMIT = 15;
/** Every strategy the benchmarks know, in table order (also routing-load-bench.ts and scripts/bench.mjs). */
export const ROUTING_STRATEGIES: readonly RoutingStrategy[] = ["none", "flooding", "nexthop", "electric"];
const RECOVERY_THRESHOLD = 0.95;
const CHURN_FAILING_SHARE = 0.1;
export const MESSAGE_BYTES = 100;
const MESSAGE_INTERVAL_S = 60;
/** A routed message on the air: payload, routed header (55), BLAKE2b Integrity (17), Data Link (1). */
const ROUTED_FRAME_BYTES = MESSAGE_BYTES + 55 + 17 + 1;

interface Cell {
  topology: string;
  nodes: number;
  /** Mean reliable neighbours and hop diameter of the topology. */
  meanDegree: number;
  diameterHops: number;
  /** Share of ordered pairs farther than the hop limit even over links audible at all. */
  pairsBeyondHopLimit: number;
  /** The traffic's load on the channel along shortest paths, before any overhead (channel-load.ts). */
  shortestPathLoad: ChannelLoad;
  strategy: RoutingStrategy;
  simulatedS: number;
  built: boolean;
  notBuiltReason?: string;
  /** Built cells: what the run measured (routing-metrics.ts). */
  metrics?: RoutingMetrics;
  /** Churn run only. */
  churn?: {
    failAtS: number;
    failed: number;
    /** Delivery between still-connected pairs per minute from the failure on. */
    perMinuteAfter: Array<number | null>;
    /** Minutes after the failure from which every minute delivers ≥ 95 %; null: never. */
    recoveredAfterMin: number | null;
  };
}

interface BenchPlan {
  /**
   * Boot time before the measured traffic: the routed strategies announce themselves (spread over up
   * to ten minutes) and exchange their first beacons. Flooding needs none; all airtime, the warm-up's
   * included, counts in "airtime per delivered message".
   */
  warmUpS: number;
  durationS: number;
  topologies: Array<() => Topology>;
  churn: { topology: () => Topology; durationS: number; failAtS: number };
}

function plan(quick: boolean, tables: LoRaTables): BenchPlan {
  const options = { seed: SEED };
  if (quick) {
    return {
      warmUpS: 120,
      durationS: 600,
      topologies: [
        () => lineTopology(10, options, tables),
        () => gridTopology(4, 4, options, tables),
        () => randomGeometricTopology(30, options, tables),
      ],
      churn: { topology: () => randomGeometricTopology(30, options, tables), durationS: 600, failAtS: 240 },
    };
  }
  return {
    warmUpS: 600,
    durationS: 3600,
    topologies: [
      () => lineTopology(10, options, tables),
      () => gridTopology(7, 7, options, tables),
      () => randomGeometricTopology(50, options, tables),
      () => randomGeometricTopology(200, options, tables),
      () => randomGeometricTopology(500, options, tables),
    ],
    churn: { topology: () => randomGeometricTopology(200, options, tables), durationS: 3600, failAtS: 1800 },
  };
}

/**
 * The benchmarks' traffic on `topology`: every node sends a MESSAGE_BYTES unicast at BLAKE2b to a random
 * other node every `everyS` seconds after the warm-up, the nodes' first messages spread evenly over one
 * interval (also routing-load-bench.ts).
 */
export function routingScenario(
  topology: Topology,
  options: {
    strategy: RoutingStrategy;
    durationS: number;
    warmUpS: number;
    events?: ScenarioEvent[];
    seed?: number;
    everyS?: number;
  },
): Scenario {
  const everyS = options.everyS ?? MESSAGE_INTERVAL_S;
  return {
    seed: options.seed ?? SEED,
    durationS: options.warmUpS + options.durationS,
    routing: options.strategy,
    hopLimit: HOP_LIMIT,
    radio: topology.radio,
    nodes: topology.nodes,
    traffic: topology.nodes.map((node, index) => ({
      from: node.id,
      to: "random",
      everyS,
      bytes: MESSAGE_BYTES,
      integrity: "blake2b",
      startS: options.warmUpS + (index * everyS) / topology.nodes.length,
    })),
    events: options.events ?? [],
  };
}

function pairsBeyondHopLimit(topology: Topology, tables: LoRaTables): number {
  const distances = audibleHopDistances(topology, SEED, tables);
  let beyond = 0;
  let pairs = 0;
  for (const [source, row] of distances.entries()) {
    for (const [target, hops] of row.entries()) {
      if (source === target) continue;
      pairs++;
      if (hops < 0 || hops > HOP_LIMIT) beyond++;
    }
  }
  return pairs > 0 ? beyond / pairs : 0;
}

/** Runs one cell; a strategy whose link the stack cannot create is "not built". */
async function runCell(scenario: Scenario, label: string): Promise<SimulationResult | { notBuilt: string }> {
  const progress = new ProgressBar(label);
  try {
    const result = await runSimulation(scenario, { onProgress: (fraction) => progress.update(fraction) });
    progress.finish(`${result.wallSeconds.toFixed(1)} s`);
    return result;
  } catch (error) {
    if (!(error instanceof StrategyNotBuiltError)) throw error;
    progress.finish(`not built (${error.message})`);
    return { notBuilt: error.message };
  }
}

function cellFrom(
  base: Omit<Cell, "built" | "strategy" | "simulatedS">,
  scenario: Scenario,
  outcome: SimulationResult | { notBuilt: string },
): Cell {
  const cell: Cell = { ...base, strategy: scenario.routing, simulatedS: scenario.durationS, built: false };
  if ("notBuilt" in outcome) return { ...cell, notBuiltReason: outcome.notBuilt };
  return { ...cell, built: true, metrics: routingMetrics(outcome) };
}

function channelLoad(topology: Topology, tables: LoRaTables): ChannelLoad {
  const preset = tables.presets.find((p) => p.name === topology.radio.preset);
  if (!preset) throw new Error(`routing bench: no preset ${topology.radio.preset}`);
  const frameUs = presetTimeOnAirMicroseconds(preset, ROUTED_FRAME_BYTES);
  return shortestPathChannelLoad(
    topology.reliableNeighbours,
    audibleGraph(topology, SEED, tables),
    1 / MESSAGE_INTERVAL_S,
    frameUs / 1e6,
  );
}

function topologyFacts(topology: Topology, tables: LoRaTables, name = topology.name) {
  return {
    topology: name,
    nodes: topology.nodes.length,
    meanDegree: topology.meanDegree,
    diameterHops: topology.diameterHops,
    pairsBeyondHopLimit: pairsBeyondHopLimit(topology, tables),
    shortestPathLoad: channelLoad(topology, tables),
  };
}

/** The nodes that fail in a churn run: a seeded 10 % of them (also routing-load-bench.ts). */
export function failingNodes(topology: Topology, seed = SEED): string[] {
  const random = new DeterministicRandom(seed ^ 0xc4_0e);
  const ids = topology.nodes.map((n) => n.id);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = random.integerBelow(i + 1);
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return ids.slice(0, Math.round(topology.nodes.length * CHURN_FAILING_SHARE));
}

export async function runRoutingBench(
  options: { quick?: boolean; only?: string[]; strategies?: RoutingStrategy[] } = {},
): Promise<Cell[]> {
  const tables = await loadLoRaTables();
  const benchPlan = plan(options.quick ?? false, tables);
  // Whole names: "random-50" must not select "random 500".
  const wanted = (name: string) => !options.only || options.only.some((part) => part.replace(/-/g, " ") === name);
  const strategies = ROUTING_STRATEGIES.filter((s) => !options.strategies || options.strategies.includes(s));
  const cells: Cell[] = [];
  for (const makeTopology of benchPlan.topologies) {
    const topology = makeTopology();
    if (!wanted(topology.name)) continue;
    const base = topologyFacts(topology, tables);
    for (const strategy of strategies) {
      const scenario = routingScenario(topology, {
        strategy,
        durationS: benchPlan.durationS,
        warmUpS: benchPlan.warmUpS,
      });
      const outcome = await runCell(scenario, `${strategy} on ${topology.name}`);
      const cell = cellFrom(base, scenario, outcome);
      cells.push(cell);
      // Each row as soon as it is measured: a long run interrupted still leaves its numbers.
      if (!options.quick) printTable([cell]);
    }
  }
  const churn = benchPlan.churn;
  if (!wanted("churn")) return finishBench(cells, options.quick ?? false);
  const topology = churn.topology();
  const failAtS = benchPlan.warmUpS + churn.failAtS;
  const failing = failingNodes(topology);
  const events: ScenarioEvent[] = failing.map((node) => ({ atS: failAtS, kind: "fail", node }));
  const base = topologyFacts(topology, tables, `${topology.name}, churn`);
  for (const strategy of strategies.filter((s) => s !== "none")) {
    const scenario = routingScenario(topology, {
      strategy,
      durationS: churn.durationS,
      warmUpS: benchPlan.warmUpS,
      events,
    });
    const outcome = await runCell(scenario, `${strategy} on ${base.topology}`);
    const cell = cellFrom(base, scenario, outcome);
    if (!("notBuilt" in outcome) && outcome.connectedDelivery) {
      const windows = outcome.connectedDelivery.windows;
      const recovered = recoveredFromS(windows, failAtS, RECOVERY_THRESHOLD);
      cell.churn = {
        failAtS,
        failed: failing.length,
        perMinuteAfter: windows.filter((w) => w.startS >= failAtS).map((w) => w.ratio),
        recoveredAfterMin: recovered === null ? null : (recovered - failAtS) / 60,
      };
    }
    cells.push(cell);
  }
  return finishBench(cells, options.quick ?? false);
}

function finishBench(cells: Cell[], quick: boolean): Cell[] {
  printTable(cells);
  printChurn(cells);
  writeJson(cells, quick);
  return cells;
}

/** Offered load as a share of time; above 100 % the channel cannot carry it at all. */
const erlang = (value: number) => `${(value * 100).toFixed(0)} %`;

function printTable(cells: Cell[]): void {
  const header = ["strategy", "topology", "sim", ...ROUTING_METRIC_HEADER];
  const rows = cells.map((c) => {
    const sim = `${c.simulatedS / 60} min`;
    if (!c.metrics) return [c.strategy, c.topology, sim, "not built", ...ROUTING_METRIC_HEADER.slice(1).map(() => "")];
    return [c.strategy, c.topology, sim, ...routingMetricCells(c.metrics)];
  });
  for (const line of textTable(header, rows, 2)) console.log(line);
  console.log("");
  const topologies = new Map(cells.map((c) => [c.topology, c]));
  for (const c of topologies.values()) {
    console.log(
      `${c.topology}: ${c.nodes} nodes, mean degree ${c.meanDegree.toFixed(1)} and diameter ${c.diameterHops} hops over reliable links; ` +
        `${percentCell(c.pairsBeyondHopLimit)} of pairs are more than ${HOP_LIMIT} hops apart even over every audible link. ` +
        `Along shortest paths (${c.shortestPathLoad.meanHops.toFixed(1)} hops on average) the traffic alone, before ` +
        `any overhead or collision, would keep the busiest node's channel busy ${erlang(c.shortestPathLoad.busiestErlang)} ` +
        `(median node ${erlang(c.shortestPathLoad.medianErlang)}) and its busiest relay on air ` +
        `${percentCell(c.shortestPathLoad.busiestTransmitShare)} of the time.`,
    );
  }
  console.log(
    `Each node sends ${MESSAGE_BYTES} bytes (Integrity level blake2b) to a random other node once a minute; SF7BW125, EU868 ` +
      `869.525 MHz, 14 dBm; hop limit ${HOP_LIMIT}; airtime includes relays and control traffic. "busiest share": ` +
      `the busiest node's part of all airtime; "busiest on air": its airtime over the run (duty cycle, limit 10 %).`,
  );
}

function printChurn(cells: Cell[]): void {
  for (const c of cells) {
    if (c.churn === undefined) continue;
    const minutes = c.churn.perMinuteAfter.map((r) => (r === null ? "—" : `${Math.round(r * 100)}`)).join(" ");
    const recovered =
      c.churn.recoveredAfterMin === null
        ? `never back to ≥ ${RECOVERY_THRESHOLD * 100} % for good`
        : `≥ ${RECOVERY_THRESHOLD * 100} % from minute ${c.churn.recoveredAfterMin} after the failure on`;
    console.log(
      `churn, ${c.strategy}: ${c.churn.failed} nodes fail at ${c.churn.failAtS / 60} min; delivery % between still-connected pairs per minute after: ${minutes}; ${recovered}`,
    );
  }
}

/** The directory of package.json above this file (dist/host/bench when built, host/bench in tests). */
function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, "package.json"))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error("routing bench: no package.json above this file");
    directory = parent;
  }
  return directory;
}

function writeJson(cells: Cell[], quick: boolean): void {
  const path = join(packageRoot(), "build", "bench", "routing.json");
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `${JSON.stringify({ quick, seed: SEED, hopLimit: HOP_LIMIT, integrity: "blake2b", cells }, null, 2)}\n`,
  );
  console.log(`Written to ${path}`);
}
