// `mesh sim`: runs a simulated mesh — every node its own stack.wasm with a chip model on a shared
// radio channel — and prints what happened.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { formatComparison, formatReport } from "../sim/report.js";
import type { SimulationResult } from "../sim/result.js";
import {
  parseScenario,
  type RoutingStrategy,
  randomScenario,
  routingStrategies,
  type Scenario,
  ScenarioError,
} from "../sim/scenario.js";
import { runSimulation } from "../sim/simulation.js";
import { loadLoRaTables } from "../wasm/lora-tables.js";
import { integrityLevelNames } from "../wasm/stack.js";
import type { Command } from "./command.js";
import { UsageError } from "./errors.js";
import { ProgressBar } from "./progress.js";

/** `mesh sim` with no scenario: a small random mesh, the quickest way to see the stack at work. */
const DEFAULT_NODES = 20;

const usage = `Usage: mesh sim --scenario FILE [--compare LIST] [--json]
       mesh sim [--nodes N] [--seed S] [--duration SECONDS] [--preset NAME] [--integrity LEVEL]
                [--routing none|flooding|nexthop|electric | --compare LIST] [--hop-limit H]
                [--json]

Runs a simulated mesh: each node is its own instance of build/stack.wasm whose radio driver talks to
a chip model (SX1262/SX1276) on a shared LoRa channel (path loss, collisions with capture, half
duplex, time on air), and prints messages sent and delivered, airtime and duty cycle per node,
collisions and drops by reason.

Routing: a scenario's "routing" is "none" (the default: a message reaches its destination only when
the destination is within radio range of the sender), or one of the Availability layer's strategies,
which relay it up to "hopLimit" hops: "flooding" (managed flooding), "nexthop" (learned next-hop
routes) or "electric" (electric routing); random scenarios take --routing. Scenarios may also fail,
join and move nodes at given times ("events"), and send to a "topic" its subscribers receive
(multicast) or to a "service" its nearest holder receives (anycast); see docs/simulator.md.

Options:
  --scenario FILE     scenario JSON (see docs/simulator.md)
  --nodes N           generate a random scenario of N nodes (2..2000, default 20), each sending one
                      message a minute to one of its nearest nodes; this is what runs without
                      --scenario
  --seed S            seed of the random scenario (default 1)
  --duration SECONDS  simulated time of the random scenario (default 600)
  --preset NAME       LoRa preset of the random scenario (default SF7BW125)
  --integrity LEVEL   integrity level of the random scenario's messages: crc32c, blake2b, siphash,
                      ed25519 (default blake2b)
  --routing STRATEGY  routing of the random scenario: none (direct neighbours only, default),
                      flooding, nexthop or electric
  --hop-limit H       hops a routed message of the random scenario may travel, 1..15 (default 3)
  --compare LIST      run the same scenario (nodes, traffic, events, seed) once under each strategy
                      of a comma-separated LIST (e.g. flooding,nexthop,electric; it replaces the
                      scenario's "routing" and --routing) and print one table: delivery ratio,
                      latency median/p95, hops, airtime per delivered message, the busiest node's
                      share of all airtime and its own time on air
  --json              print one JSON object instead of the summary (with --compare: one result per
                      strategy, under "strategies")`;

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name}: expected an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/** The strategies of --compare: known, none twice. */
function compareList(text: string): RoutingStrategy[] {
  const names = text.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!(routingStrategies as readonly string[]).includes(name)) {
      throw new UsageError(`--compare: expected strategies from ${routingStrategies.join(", ")}, got '${name}'`);
    }
  }
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new UsageError(`--compare: '${twice}' is named twice`);
  return names as RoutingStrategy[];
}

/**
 * The scenario as given, or with `routing` replaced; a scenario file is parsed again, because what a
 * strategy accepts differs (routed messages leave room for the Availability header).
 */
async function loadScenario(
  values: Record<string, string | boolean | undefined>,
  routingOverride?: RoutingStrategy,
): Promise<Scenario> {
  const tables = await loadLoRaTables();
  if (typeof values.scenario === "string") {
    for (const flag of ["nodes", "seed", "duration", "preset", "integrity", "routing", "hop-limit"]) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} cannot be combined with --scenario`);
    }
    let text: string;
    try {
      text = readFileSync(values.scenario, "utf8");
    } catch (error) {
      throw new UsageError(
        `--scenario: cannot read '${values.scenario}': ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${values.scenario}: not JSON (${(error as Error).message})`);
    }
    if (routingOverride !== undefined && typeof json === "object" && json !== null && !Array.isArray(json)) {
      json = { ...json, routing: routingOverride };
    }
    try {
      return parseScenario(json, tables);
    } catch (error) {
      if (error instanceof ScenarioError) throw new UsageError(`${values.scenario}: ${error.message}`);
      throw error;
    }
  }
  const preset = typeof values.preset === "string" ? values.preset : "SF7BW125";
  if (!tables.presets.some((p) => p.name === preset)) {
    throw new UsageError(`--preset: expected one of ${tables.presets.map((p) => p.name).join(", ")}, got '${preset}'`);
  }
  const integrity = typeof values.integrity === "string" ? values.integrity : "blake2b";
  if (!(integrity in integrityLevelNames)) {
    throw new UsageError(
      `--integrity: expected one of ${Object.keys(integrityLevelNames).join(", ")}, got '${integrity}'`,
    );
  }
  const routing = routingOverride ?? (typeof values.routing === "string" ? values.routing : "none");
  if (!(routingStrategies as readonly string[]).includes(routing)) {
    throw new UsageError(`--routing: expected one of ${routingStrategies.join(", ")}, got '${routing}'`);
  }
  const scenario = randomScenario({
    nodes: integer("nodes", values.nodes as string | undefined, DEFAULT_NODES, 2, 2000),
    seed: integer("seed", values.seed as string | undefined, 1, 0, 0xffffffff),
    durationS: integer("duration", values.duration as string | undefined, 600, 1, 30 * 24 * 3600),
    preset,
    integrity: integrity as keyof typeof integrityLevelNames,
  });
  const hopLimit = integer("hop-limit", values["hop-limit"] as string | undefined, 3, 1, 15);
  return { ...scenario, routing: routing as RoutingStrategy, hopLimit };
}

async function runSim(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      scenario: { type: "string" },
      nodes: { type: "string" },
      seed: { type: "string" },
      duration: { type: "string" },
      preset: { type: "string" },
      integrity: { type: "string" },
      routing: { type: "string" },
      "hop-limit": { type: "string" },
      compare: { type: "string" },
      json: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.compare !== undefined) {
    if (values.routing !== undefined) throw new UsageError("--routing cannot be combined with --compare");
    const strategies = compareList(values.compare);
    // Every scenario first, so a strategy the scenario does not suit is refused before any runs.
    const scenarios = [];
    for (const strategy of strategies) scenarios.push(await loadScenario(values, strategy));
    const results: { strategy: RoutingStrategy; result: SimulationResult }[] = [];
    for (const scenario of scenarios) results.push({ strategy: scenario.routing, result: await simulate(scenario) });
    console.log(
      values.json
        ? JSON.stringify({ strategies: Object.fromEntries(results.map((r) => [r.strategy, r.result])) }, null, 2)
        : formatComparison(results),
    );
    return 0;
  }
  const scenario = await loadScenario(values);
  const result = await simulate(scenario);
  console.log(values.json ? JSON.stringify(result, null, 2) : formatReport(result));
  return 0;
}

async function simulate(scenario: Scenario): Promise<SimulationResult> {
  const label = scenario.routing === "none" ? "simulating" : `simulating ${scenario.routing}`;
  const progress = new ProgressBar(label);
  const result = await runSimulation(scenario, {
    onProgress: (fraction, simulatedS) => progress.update(fraction, `${simulatedS.toFixed(0)}/${scenario.durationS} s`),
  });
  progress.done();
  return result;
}

export const simCommand: Command = {
  name: "sim",
  summary: "run a simulated mesh of stack.wasm nodes on a LoRa channel and summarise it",
  usage,
  run: runSim,
};
