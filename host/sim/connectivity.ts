// Which nodes can reach which over links the LoRa channel delivers reliably. One test serves the
// topology generators (lines, grids, connected random graphs) and the churn metric (which pairs are
// still connected after nodes fail or move), so both agree with what the channel does.

import type { LoRaTables } from "../wasm/lora-tables.js";
import type { LoRaChannel } from "./channel/lora-channel.js";
import { demodulationThresholdDbm } from "./channel/lora-receiver.js";
import type { LoRaRadio } from "./scenario.js";

/**
 * A link counts as reliable when, in both directions, the frame arrives at least this far above the
 * weakest power the receiver can demodulate (sensitivity and SNR floor, lora-receiver.ts). Without
 * per-frame fading any positive margin decodes in silence; 3 dB (half the 6 dB capture threshold) keeps
 * links off that knife edge, so a weak interferer below the interference floor cannot break them, while
 * a lattice spaced for it still hears no diagonal (a √2 longer link has 4.5 dB more loss at n = 3).
 * Both directions, because every routing strategy needs the reverse path: acknowledgements, next-hop
 * replies and the neighbour potentials of electric routing travel back over the same link.
 */
export const RELIABLE_LINK_MARGIN_DB = 3;

/** What decides whether a link closes: the modulation and power every node uses. */
export interface LinkBudget {
  spreadingFactor: number;
  bandwidthHz: number;
  txPowerDbm: number;
  frequencyHz: number;
}

/** Largest link loss (median + frozen shadowing) a reliable link may have. */
export function reliableLinkLossDb(channel: LoRaChannel, budget: LinkBudget): number {
  return (
    budget.txPowerDbm -
    channel.frequencyCorrectionDb(budget.frequencyHz) -
    demodulationThresholdDbm(budget.spreadingFactor, budget.bandwidthHz) -
    RELIABLE_LINK_MARGIN_DB
  );
}

/** Largest link loss at which a frame is still decodable in silence (margin 0). */
export function audibleLinkLossDb(channel: LoRaChannel, budget: LinkBudget): number {
  return reliableLinkLossDb(channel, budget) + RELIABLE_LINK_MARGIN_DB;
}

/**
 * The undirected graph of links whose loss is at most `maximumLinkLossDb` both ways, among the nodes
 * `included` says are there (all by default). neighbours[i] is sorted by node number.
 */
export function linkGraph(
  channel: LoRaChannel,
  nodeCount: number,
  maximumLinkLossDb: number,
  included: (node: number) => boolean = () => true,
): number[][] {
  const neighbours: number[][] = Array.from({ length: nodeCount }, () => []);
  for (let a = 0; a < nodeCount; a++) {
    if (!included(a)) continue;
    for (const b of channel.nodesWithinLinkLoss(a, maximumLinkLossDb)) {
      // Each pair once (from its lower-numbered end), and only when the reverse direction closes too.
      if (b <= a || b >= nodeCount || !included(b)) continue;
      if (channel.linkLossDb(b, a) > maximumLinkLossDb) continue;
      neighbours[a].push(b);
      neighbours[b].push(a);
    }
  }
  for (const list of neighbours) list.sort((x, y) => x - y);
  return neighbours;
}

/** Component number of every node (isolated and excluded nodes get their own). */
export function components(neighbours: number[][]): Int32Array {
  const component = new Int32Array(neighbours.length).fill(-1);
  let next = 0;
  const stack: number[] = [];
  for (let start = 0; start < neighbours.length; start++) {
    if (component[start] >= 0) continue;
    component[start] = next;
    stack.push(start);
    while (stack.length > 0) {
      const node = stack.pop()!;
      for (const other of neighbours[node]) {
        if (component[other] < 0) {
          component[other] = next;
          stack.push(other);
        }
      }
    }
    next++;
  }
  return component;
}

export function isConnected(neighbours: number[][]): boolean {
  const component = components(neighbours);
  return component.every((c) => c === 0);
}

/** Hop distances from `source` (−1 where unreachable), by breadth-first search. */
export function hopDistances(neighbours: number[][], source: number): Int32Array {
  const distance = new Int32Array(neighbours.length).fill(-1);
  distance[source] = 0;
  const queue = [source];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    for (const other of neighbours[node]) {
      if (distance[other] < 0) {
        distance[other] = distance[node] + 1;
        queue.push(other);
      }
    }
  }
  return distance;
}

export function meanDegree(neighbours: number[][]): number {
  if (neighbours.length === 0) return 0;
  return neighbours.reduce((sum, list) => sum + list.length, 0) / neighbours.length;
}

/** The link budget of a scenario's LoRa radio (the frequency defaults to the region's). */
export function scenarioLinkBudget(radio: LoRaRadio, tables: LoRaTables): LinkBudget {
  const preset = tables.presets.find((p) => p.name === radio.preset);
  const region = tables.regions.find((r) => r.name === radio.region);
  if (preset === undefined || region === undefined)
    throw new RangeError(`unknown preset or region in ${radio.preset}/${radio.region}`);
  return {
    spreadingFactor: preset.spreadingFactor,
    bandwidthHz: preset.bandwidthHz,
    // The requested power: the scenarios' 14 dBm is below every EU868 and US915 limit, so no clamp applies.
    txPowerDbm: radio.txPowerDbm,
    frequencyHz: radio.frequencyHz ?? region.defaultFrequencyHz,
  };
}
