// Seeded topologies for routing experiments: a line, a grid and a connected random geometric graph,
// laid out so that their reliable links (connectivity.ts, judged by the LoRa channel's own link budgets)
// are the ones the name promises.
//
// Lines and grids are lattices: their radio sets the environment's shadowing to 0, so every link sits at
// its median loss and the spacing alone decides who hears whom (with σ = 6 dB no single spacing could
// keep every neighbour and drop every second neighbour). Random graphs keep the environment's frozen
// shadowing: links are as irregular as the channel makes them.
import type { LoRaTables } from "../wasm/lora-tables.js";
import { LoRaChannel } from "./channel/lora-channel.js";
import { distanceForMedianPathLossMetres, ENVIRONMENTS } from "./channel/propagation.js";
import {
  audibleLinkLossDb,
  hopDistances,
  isConnected,
  linkGraph,
  meanDegree,
  RELIABLE_LINK_MARGIN_DB,
  reliableLinkLossDb,
  scenarioLinkBudget,
} from "./connectivity.js";
import { DeterministicRandom } from "./random.js";
import type { Environment, LoRaRadio, ScenarioNode } from "./scenario.js";

export interface TopologyOptions {
  /** The scenario seed: it fixes the channel's shadowing, so the topology is only valid for it. */
  seed: number;
  environment?: Environment;
  preset?: string;
  region?: string;
  txPowerDbm?: number;
}

export interface Topology {
  name: string;
  radio: LoRaRadio;
  nodes: ScenarioNode[];
  /** The reliable-link graph the generator checked (node indices, sorted). */
  reliableNeighbours: number[][];
  meanDegree: number;
  /** Largest hop distance over reliable links. */
  diameterHops: number;
  /** Random graphs: positions drawn until the graph was connected. */
  attempts: number;
}

function radioFor(options: TopologyOptions, shadowingSigmaDb?: number): LoRaRadio {
  return {
    kind: "lora",
    preset: options.preset ?? "SF7BW125",
    region: options.region ?? "EU868",
    txPowerDbm: options.txPowerDbm ?? 14,
    environment: options.environment ?? "suburban",
    ...(shadowingSigmaDb === undefined ? {} : { shadowingSigmaDb }),
  };
}

/** A channel with the nodes placed (no radios attached): the link budgets the simulation will use. */
function channelFor(radio: LoRaRadio, seed: number, nodes: readonly ScenarioNode[]): LoRaChannel {
  const channel = new LoRaChannel({ environment: radio.environment, seed, shadowingSigmaDb: radio.shadowingSigmaDb });
  nodes.forEach((node, index) => {
    channel.placeNode(index, { xMetres: node.x, yMetres: node.y });
  });
  return channel;
}

function reliableGraph(radio: LoRaRadio, seed: number, nodes: readonly ScenarioNode[], tables: LoRaTables) {
  const channel = channelFor(radio, seed, nodes);
  return linkGraph(channel, nodes.length, reliableLinkLossDb(channel, scenarioLinkBudget(radio, tables)));
}

/** The graph of links audible at all (margin ≥ 0, both ways): who can hear — and collide with — whom. */
export function audibleGraph(topology: Topology, seed: number, tables: LoRaTables): number[][] {
  const channel = channelFor(topology.radio, seed, topology.nodes);
  return linkGraph(
    channel,
    topology.nodes.length,
    audibleLinkLossDb(channel, scenarioLinkBudget(topology.radio, tables)),
  );
}

/** Nodes' hop distances over links audible at all (margin ≥ 0): no route can be shorter. */
export function audibleHopDistances(topology: Topology, seed: number, tables: LoRaTables): Int32Array[] {
  const graph = audibleGraph(topology, seed, tables);
  return graph.map((_, source) => hopDistances(graph, source));
}

function diameter(neighbours: number[][]): number {
  let longest = 0;
  for (let source = 0; source < neighbours.length; source++) {
    for (const hops of hopDistances(neighbours, source)) longest = Math.max(longest, hops);
  }
  return longest;
}

/** Distance at which a lattice link arrives `marginDb` above the demodulation threshold. */
function spacingForMarginMetres(radio: LoRaRadio, tables: LoRaTables, marginDb: number): number {
  const channel = new LoRaChannel({ environment: radio.environment, seed: 0, shadowingSigmaDb: 0 });
  const lossDb = audibleLinkLossDb(channel, scenarioLinkBudget(radio, tables)) - marginDb;
  return distanceForMedianPathLossMetres(ENVIRONMENTS[radio.environment], lossDb);
}

/** Extra median loss of a link `ratio` times longer (log-distance slope of the environment). */
function extraLossDb(radio: LoRaRadio, ratio: number): number {
  return 10 * ENVIRONMENTS[radio.environment].pathLossExponent * Math.log10(ratio);
}

function finish(name: string, radio: LoRaRadio, nodes: ScenarioNode[], graph: number[][], attempts = 1): Topology {
  return {
    name,
    radio,
    nodes,
    reliableNeighbours: graph,
    meanDegree: meanDegree(graph),
    diameterHops: diameter(graph),
    attempts,
  };
}

/**
 * N nodes on a line. Neighbours are spaced so that a link to a neighbour has its margin halfway between
 * the reliable threshold and the point where the second neighbour (twice as far) falls below the
 * demodulation threshold: at suburban n = 3, 6 dB to a neighbour and −3 dB to the one after.
 */
export function lineTopology(count: number, options: TopologyOptions, tables: LoRaTables): Topology {
  const radio = radioFor(options, 0);
  const twiceAsFarDb = extraLossDb(radio, 2);
  const marginDb = (RELIABLE_LINK_MARGIN_DB + twiceAsFarDb) / 2;
  const spacing = Math.round(spacingForMarginMetres(radio, tables, marginDb));
  const nodes = Array.from(
    { length: count },
    (_, i): ScenarioNode => ({ id: `n${i}`, x: i * spacing, y: 0, chip: "sx1262" }),
  );
  return finish(`line ${count}`, radio, nodes, reliableGraph(radio, options.seed, nodes, tables));
}

/**
 * A width × height grid with 4-neighbour reach: the diagonal (√2 farther) must not be reliable, and is
 * kept below the demodulation threshold too where the slope allows (suburban: 3.8 dB to a neighbour,
 * −0.8 dB diagonally).
 */
export function gridTopology(width: number, height: number, options: TopologyOptions, tables: LoRaTables): Topology {
  const radio = radioFor(options, 0);
  const diagonalDb = extraLossDb(radio, Math.SQRT2);
  const upperDb = diagonalDb > RELIABLE_LINK_MARGIN_DB ? diagonalDb : RELIABLE_LINK_MARGIN_DB + diagonalDb;
  const marginDb = (RELIABLE_LINK_MARGIN_DB + upperDb) / 2;
  const spacing = Math.round(spacingForMarginMetres(radio, tables, marginDb));
  const nodes: ScenarioNode[] = [];
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      nodes.push({ id: `n${row * width + column}`, x: column * spacing, y: row * spacing, chip: "sx1262" });
    }
  }
  return finish(`grid ${width}×${height}`, radio, nodes, reliableGraph(radio, options.seed, nodes, tables));
}

export interface RandomGeometricOptions extends TopologyOptions {
  /** Mean number of reliable neighbours to size the area for (default 8). */
  targetMeanDegree?: number;
  /** Give up after this many draws that are not connected (default 5,000). */
  maximumAttempts?: number;
}

/**
 * N nodes uniform in a square whose side is chosen for the target mean degree of the reliable-link
 * graph (measured on draws, since shadowing and the square's edges make a formula only a start), then
 * drawn again and again until that graph is connected. Node ids n0…; positions in whole metres.
 */
export function randomGeometricTopology(count: number, options: RandomGeometricOptions, tables: LoRaTables): Topology {
  const radio = radioFor(options);
  const target = options.targetMeanDegree ?? 8;
  const maximumAttempts = options.maximumAttempts ?? 5000;
  const random = new DeterministicRandom(options.seed ^ 0x7090_1065);
  const draw = (side: number): ScenarioNode[] =>
    Array.from({ length: count }, (_, i) => ({
      id: `n${i}`,
      x: Math.round(random.uniform() * side),
      y: Math.round(random.uniform() * side),
      chip: "sx1262",
    }));
  // Start from a disc of the median reliable range per neighbour, then correct on measured draws.
  const reach = spacingForMarginMetres(radio, tables, RELIABLE_LINK_MARGIN_DB);
  let side = Math.sqrt((count * Math.PI * reach * reach) / target);
  for (let round = 0; round < 6; round++) {
    let measured = 0;
    const samples = Math.max(1, Math.ceil(2000 / count));
    for (let s = 0; s < samples; s++) measured += meanDegree(reliableGraph(radio, options.seed, draw(side), tables));
    measured /= samples;
    if (measured === 0) side /= 2;
    else side *= Math.sqrt(measured / target);
  }
  for (let attempt = 1; attempt <= maximumAttempts; attempt++) {
    const nodes = draw(side);
    const graph = reliableGraph(radio, options.seed, nodes, tables);
    if (isConnected(graph)) return finish(`random ${count}`, radio, nodes, graph, attempt);
  }
  throw new Error(`no connected ${count}-node random graph in ${maximumAttempts} draws (mean degree ${target})`);
}
