// Simulation scenarios: the JSON a user writes for `mesh sim --scenario FILE`, validated field by
// field (a bad file gets one error naming the field), and random scenarios for `--nodes N`.
import { ROUTED_HEADER_SIZE } from "../wasm/availability.js";
import type { LoRaTables } from "../wasm/lora-tables.js";
import { integrityLevelNames } from "../wasm/stack.js";

export const environments = ["urban", "suburban", "rural", "line-of-sight"] as const;
export type Environment = (typeof environments)[number];
export const chips = ["sx1262", "sx1276"] as const;
export type Chip = (typeof chips)[number];

export interface ScenarioNode {
  id: string;
  x: number;
  y: number;
  chip: Chip;
  /** Topics (names) the node subscribes to: multicast (docs/routing.md), at most 4. */
  subscribe?: string[];
  /** Services (names) whose key the node holds: anycast, at most 1. */
  services?: string[];
}

/** A traffic entry's `to` that picks a uniformly random other node for every message (seeded). */
export const RANDOM_DESTINATION = "random";

export interface ScenarioTraffic {
  from: string;
  /** A node id, or RANDOM_DESTINATION; "" when the flow names a topic or a service instead. */
  to: string;
  /** Multicast: every subscriber of this topic (name). */
  topic?: string;
  /** Anycast: the nearest holder of this service (name). */
  service?: string;
  everyS: number;
  bytes: number;
  integrity: keyof typeof integrityLevelNames;
  /** First message at this time (default: a random offset within the first period). */
  startS?: number;
}

export interface LoRaRadio {
  kind: "lora";
  preset: string;
  region: string;
  frequencyHz?: number;
  txPowerDbm: number;
  environment: Environment;
  /** Overrides the environment's frozen shadowing σ (0: every link exactly at its median, as in lattices). */
  shadowingSigmaDb?: number;
}

export interface EspNowRadio {
  kind: "espnow";
  version: 1 | 2;
}

/**
 * How messages travel: only to direct neighbours ("none"), or over the Availability layer by managed
 * flooding, learned next-hop routes or electric routing (docs/routing.md).
 */
export const routingStrategies = ["none", "flooding", "nexthop", "electric"] as const;
export type RoutingStrategy = (typeof routingStrategies)[number];

/**
 * Something that happens to a node at a time: it fails (powered off from then on), joins (powered off
 * until then, booting fresh) or moves (new position from then on).
 */
export type ScenarioEvent =
  | { atS: number; kind: "fail"; node: string }
  | { atS: number; kind: "join"; node: string }
  | { atS: number; kind: "move"; node: string; x: number; y: number };

export interface Scenario {
  seed: number;
  durationS: number;
  routing: RoutingStrategy;
  /** Hops a flooded message may travel (1..15). */
  hopLimit: number;
  radio: LoRaRadio | EspNowRadio;
  nodes: ScenarioNode[];
  traffic: ScenarioTraffic[];
  /** In time order (ties in file order). */
  events: ScenarioEvent[];
}

/** A scenario that cannot run; the message names the field. */
export class ScenarioError extends Error {
  override name = "ScenarioError";
}

type Json = Record<string, unknown>;

function fail(path: string, message: string): never {
  throw new ScenarioError(`${path}: ${message}`);
}

function object(value: unknown, path: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, "expected an object");
  return value as Json;
}

function number(value: unknown, path: string, min: number, max: number, integer = false): number {
  if (typeof value !== "number" || !Number.isFinite(value)) fail(path, "expected a number");
  if (integer && !Number.isInteger(value)) fail(path, `expected an integer, got ${value}`);
  if (value < min || value > max) fail(path, `expected ${min} to ${max}, got ${value}`);
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== "string" || value.length === 0) fail(path, "expected a non-empty string");
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  const text = string(value, path);
  if (!allowed.includes(text as T)) fail(path, `expected one of ${allowed.join(", ")}, got '${text}'`);
  return text as T;
}

function noUnknownKeys(json: Json, path: string, known: string[]): void {
  for (const key of Object.keys(json)) {
    if (!known.includes(key)) fail(`${path}.${key}`.replace(/^\./, ""), `unknown field (expected ${known.join(", ")})`);
  }
}

const MAX_NODES = 5000;
/** Largest message at Integrity level 4 (ed25519), the most overhead a flow can choose. */
const INTEGRITY_MTU = 1183;
/** What is left of it under the routed header of the Availability layer. */
export const ROUTED_MTU = INTEGRITY_MTU - ROUTED_HEADER_SIZE;

/** Validates parsed JSON into a Scenario, with defaults filled in. */
export function parseScenario(input: unknown, tables: LoRaTables): Scenario {
  const json = object(input, "scenario");
  noUnknownKeys(json, "", [
    "seed",
    "durationS",
    "radio",
    "nodes",
    "traffic",
    "events",
    "description",
    "routing",
    "hopLimit",
  ]);
  const seed = json.seed === undefined ? 1 : number(json.seed, "seed", 0, 0xffffffff, true);
  const durationS = number(json.durationS, "durationS", 1, 30 * 24 * 3600);
  const radio = parseRadio(json.radio, tables);
  if (!Array.isArray(json.nodes)) fail("nodes", "expected an array");
  if (json.nodes.length < 1 || json.nodes.length > MAX_NODES) fail("nodes", `expected 1 to ${MAX_NODES} nodes`);
  const ids = new Set<string>();
  const nodes = json.nodes.map((raw, i): ScenarioNode => {
    const path = `nodes[${i}]`;
    const node = object(raw, path);
    noUnknownKeys(node, path, ["id", "x", "y", "chip", "subscribe", "services"]);
    const id = string(node.id, `${path}.id`);
    if (id === RANDOM_DESTINATION) fail(`${path}.id`, `'${RANDOM_DESTINATION}' is reserved for random destinations`);
    if (ids.has(id)) fail(`${path}.id`, `duplicate id '${id}'`);
    ids.add(id);
    const parsed: ScenarioNode = {
      id,
      x: number(node.x, `${path}.x`, -1e7, 1e7),
      y: number(node.y, `${path}.y`, -1e7, 1e7),
      chip: node.chip === undefined ? "sx1262" : oneOf(node.chip, `${path}.chip`, chips),
    };
    if (node.subscribe !== undefined) parsed.subscribe = names(node.subscribe, `${path}.subscribe`, 4);
    if (node.services !== undefined) parsed.services = names(node.services, `${path}.services`, 1);
    return parsed;
  });
  const topics = new Set(nodes.flatMap((n) => n.subscribe ?? []));
  const services = new Set(nodes.flatMap((n) => n.services ?? []));
  const trafficList = json.traffic === undefined ? [] : json.traffic;
  if (!Array.isArray(trafficList)) fail("traffic", "expected an array");
  const traffic = trafficList.map((raw, i): ScenarioTraffic => {
    const path = `traffic[${i}]`;
    const t = object(raw, path);
    noUnknownKeys(t, path, ["from", "to", "topic", "service", "everyS", "bytes", "integrity", "startS"]);
    const from = string(t.from, `${path}.from`);
    if (!ids.has(from)) fail(`${path}.from`, `no node '${from}'`);
    const named = ["to", "topic", "service"].filter((key) => t[key] !== undefined);
    if (named.length !== 1) fail(path, "expected exactly one of 'to', 'topic' and 'service'");
    const group: Pick<ScenarioTraffic, "topic" | "service"> = {};
    if (t.topic !== undefined) {
      group.topic = string(t.topic, `${path}.topic`);
      if (!topics.has(group.topic)) fail(`${path}.topic`, `no node subscribes to '${group.topic}'`);
    }
    if (t.service !== undefined) {
      group.service = string(t.service, `${path}.service`);
      if (!services.has(group.service)) fail(`${path}.service`, `no node offers '${group.service}'`);
    }
    if (named[0] !== "to" && t.integrity === "siphash") {
      fail(`${path}.integrity`, "siphash needs a fixed 'to': address-book keys are set up per pair");
    }
    const to = named[0] === "to" ? string(t.to, `${path}.to`) : "";
    if (to !== "" && to !== RANDOM_DESTINATION && !ids.has(to)) fail(`${path}.to`, `no node '${to}'`);
    if (from === to) fail(`${path}.to`, "a node cannot send to itself");
    if (to === RANDOM_DESTINATION && ids.size < 2) fail(`${path}.to`, "a random destination needs another node");
    if (to === RANDOM_DESTINATION && t.integrity === "siphash") {
      fail(`${path}.integrity`, "siphash needs a fixed 'to': address-book keys are set up per pair");
    }
    return {
      from,
      to,
      ...group,
      everyS: number(t.everyS, `${path}.everyS`, 0.1, 1e7),
      // Room for the simulator's 12-byte message header, up to the Integrity MTU at level 4 (with routing
      // the Availability header takes more, checked after parsing).
      bytes: number(t.bytes, `${path}.bytes`, 12, INTEGRITY_MTU, true),
      integrity:
        t.integrity === undefined
          ? "ed25519"
          : oneOf(t.integrity, `${path}.integrity`, Object.keys(integrityLevelNames)),
      startS: t.startS === undefined ? undefined : number(t.startS, `${path}.startS`, 0, durationS),
    };
  });
  const routing = json.routing === undefined ? "none" : oneOf(json.routing, "routing", routingStrategies);
  if (routing !== "none") {
    const tooBig = traffic.findIndex((t) => t.bytes > ROUTED_MTU);
    if (tooBig >= 0) fail(`traffic[${tooBig}].bytes`, `expected 12 to ${ROUTED_MTU} with ${routing}`);
  }
  const hopLimit = json.hopLimit === undefined ? 3 : number(json.hopLimit, "hopLimit", 1, 15, true);
  const events = parseEvents(json.events, ids, durationS, radio);
  return { seed, durationS, routing, hopLimit, radio, nodes, traffic, events };
}

/** A list of 1..`max` distinct non-empty names. */
function names(value: unknown, path: string, max: number): string[] {
  if (!Array.isArray(value)) fail(path, "expected an array of names");
  if (value.length > max) fail(path, `expected at most ${max}`);
  const out = value.map((item, i) => string(item, `${path}[${i}]`));
  if (new Set(out).size !== out.length) fail(path, "names repeat");
  return out;
}

function parseEvents(
  raw: unknown,
  ids: Set<string>,
  durationS: number,
  radio: LoRaRadio | EspNowRadio,
): ScenarioEvent[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) fail("events", "expected an array");
  if (raw.length > 0 && radio.kind !== "lora") fail("events", "node events need radio.kind 'lora'");
  const joined = new Map<string, number>();
  const failed = new Map<string, number>();
  const events = raw.map((item, i): ScenarioEvent => {
    const path = `events[${i}]`;
    const event = object(item, path);
    const kinds = (["fail", "join", "move"] as const).filter((k) => event[k] !== undefined);
    if (kinds.length !== 1) fail(path, "expected exactly one of fail, join, move (naming a node)");
    const kind = kinds[0];
    noUnknownKeys(event, path, kind === "move" ? ["atS", "move", "x", "y"] : ["atS", kind]);
    const atS = number(event.atS, `${path}.atS`, 0, durationS);
    const node = string(event[kind], `${path}.${kind}`);
    if (!ids.has(node)) fail(`${path}.${kind}`, `no node '${node}'`);
    if (kind === "move") {
      return {
        atS,
        kind,
        node,
        x: number(event.x, `${path}.x`, -1e7, 1e7),
        y: number(event.y, `${path}.y`, -1e7, 1e7),
      };
    }
    const seen = kind === "join" ? joined : failed;
    if (seen.has(node)) fail(`${path}.${kind}`, `node '${node}' already has a ${kind} event`);
    seen.set(node, atS);
    return { atS, kind, node };
  });
  for (const [node, failAtS] of failed) {
    const joinAtS = joined.get(node);
    if (joinAtS !== undefined && joinAtS >= failAtS) {
      const index = events.findIndex((e) => e.kind === "join" && e.node === node);
      fail(`events[${index}].atS`, `node '${node}' must join before it fails (at ${failAtS} s)`);
    }
  }
  // Stable: events at the same time keep their file order.
  return events
    .map((event, order) => ({ event, order }))
    .sort((a, b) => a.event.atS - b.event.atS || a.order - b.order)
    .map((e) => e.event);
}

function parseRadio(raw: unknown, tables: LoRaTables): LoRaRadio | EspNowRadio {
  const radio = object(raw, "radio");
  const kind = oneOf(radio.kind, "radio.kind", ["lora", "espnow"] as const);
  if (kind === "espnow") {
    noUnknownKeys(radio, "radio", ["kind", "version"]);
    const version = radio.version === undefined ? 1 : number(radio.version, "radio.version", 1, 2, true);
    return { kind, version: version as 1 | 2 };
  }
  noUnknownKeys(radio, "radio", [
    "kind",
    "preset",
    "region",
    "frequencyHz",
    "txPowerDbm",
    "environment",
    "shadowingSigmaDb",
  ]);
  const preset = oneOf(
    radio.preset ?? "SF7BW125",
    "radio.preset",
    tables.presets.map((p) => p.name),
  );
  const regionName = oneOf(
    radio.region ?? "EU868",
    "radio.region",
    tables.regions.map((r) => r.name),
  );
  const region = tables.regions.find((r) => r.name === regionName)!;
  let frequencyHz: number | undefined;
  if (radio.frequencyHz !== undefined) {
    frequencyHz = number(radio.frequencyHz, "radio.frequencyHz", 137e6, 1020e6, true);
    if (region.dutyCyclePermille(frequencyHz) === undefined) {
      fail("radio.frequencyHz", `${frequencyHz} Hz is outside every ${regionName} sub-band`);
    }
  }
  return {
    kind,
    preset,
    region: regionName,
    frequencyHz,
    txPowerDbm: radio.txPowerDbm === undefined ? 14 : number(radio.txPowerDbm, "radio.txPowerDbm", -9, 30, true),
    environment:
      radio.environment === undefined ? "suburban" : oneOf(radio.environment, "radio.environment", environments),
    shadowingSigmaDb:
      radio.shadowingSigmaDb === undefined
        ? undefined
        : number(radio.shadowingSigmaDb, "radio.shadowingSigmaDb", 0, 20),
  };
}

/** Deterministic PRNG for scenario generation (mulberry32). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomScenarioOptions {
  nodes: number;
  seed: number;
  durationS: number;
  /** Mean distance to the nearest neighbours, metres (default suits SF7 suburban). */
  spacingM?: number;
  everyS?: number;
  bytes?: number;
  integrity?: ScenarioTraffic["integrity"];
  preset?: string;
}

/**
 * A random mesh: nodes uniform in a square sized for the given spacing, each sending to one of its
 * nearest nodes (so that, until routing exists, the destination is usually within range).
 */
export function randomScenario(options: RandomScenarioOptions): Scenario {
  const random = generator(options.seed);
  const spacing = options.spacingM ?? 500;
  const side = spacing * Math.sqrt(options.nodes);
  const nodes: ScenarioNode[] = Array.from({ length: options.nodes }, (_, i) => ({
    id: `n${i}`,
    x: Math.round(random() * side),
    y: Math.round(random() * side),
    chip: "sx1262",
  }));
  const everyS = options.everyS ?? 60;
  const traffic: ScenarioTraffic[] = [];
  if (nodes.length > 1) {
    for (const node of nodes) {
      const nearest = nodes
        .filter((other) => other !== node)
        .map((other) => ({ other, d: Math.hypot(other.x - node.x, other.y - node.y) }))
        .sort((a, b) => a.d - b.d)
        .slice(0, 3);
      const to = nearest[Math.floor(random() * nearest.length)].other;
      traffic.push({
        from: node.id,
        to: to.id,
        everyS,
        bytes: options.bytes ?? 100,
        integrity: options.integrity ?? "blake2b",
        startS: random() * everyS,
      });
    }
  }
  return {
    seed: options.seed,
    durationS: options.durationS,
    routing: "none",
    hopLimit: 3,
    radio: {
      kind: "lora",
      preset: options.preset ?? "SF7BW125",
      region: "EU868",
      txPowerDbm: 14,
      environment: "suburban",
    },
    nodes,
    traffic,
    events: [],
  };
}
