import { describe, expect, it } from "vitest";
import { LoRaChannel } from "../../host/sim/channel/lora-channel.js";
import {
  audibleLinkLossDb,
  isConnected,
  linkGraph,
  reliableLinkLossDb,
  scenarioLinkBudget,
} from "../../host/sim/connectivity.js";
import { gridTopology, lineTopology, randomGeometricTopology, type Topology } from "../../host/sim/topology.js";
import { loadLoRaTables } from "../../host/wasm/lora-tables.js";

/** The topology's graph at a given margin, recomputed from a fresh channel as the simulation builds it. */
async function graphAt(topology: Topology, seed: number, which: "reliable" | "audible"): Promise<number[][]> {
  const tables = await loadLoRaTables();
  const radio = topology.radio;
  const channel = new LoRaChannel({ environment: radio.environment, seed, shadowingSigmaDb: radio.shadowingSigmaDb });
  topology.nodes.forEach((n, i) => {
    channel.placeNode(i, { xMetres: n.x, yMetres: n.y });
  });
  const budget = scenarioLinkBudget(radio, tables);
  const loss = which === "reliable" ? reliableLinkLossDb(channel, budget) : audibleLinkLossDb(channel, budget);
  return linkGraph(channel, topology.nodes.length, loss);
}

describe("a line topology", () => {
  it("links each node reliably to its neighbours only, and the second neighbour is not heard at all", async () => {
    const line = lineTopology(10, { seed: 4 }, await loadLoRaTables());
    const expected = Array.from({ length: 10 }, (_, i) => [i - 1, i + 1].filter((j) => j >= 0 && j < 10));
    expect(line.reliableNeighbours).toEqual(expected);
    expect(await graphAt(line, 4, "audible")).toEqual(expected);
    expect(line.diameterHops).toBe(9);
    expect(line.radio).toMatchObject({ preset: "SF7BW125", shadowingSigmaDb: 0, environment: "suburban" });
  });
});

describe("a grid topology", () => {
  it("reaches the four neighbours reliably and no diagonal", async () => {
    const grid = gridTopology(7, 7, { seed: 4 }, await loadLoRaTables());
    expect(grid.nodes).toHaveLength(49);
    for (const [index, neighbours] of grid.reliableNeighbours.entries()) {
      const row = Math.floor(index / 7);
      const column = index % 7;
      const expected = [
        [row - 1, column],
        [row, column - 1],
        [row, column + 1],
        [row + 1, column],
      ]
        .filter(([r, c]) => r >= 0 && r < 7 && c >= 0 && c < 7)
        .map(([r, c]) => r * 7 + c);
      expect(neighbours).toEqual(expected);
    }
    // At suburban n = 3 the diagonal is even below the demodulation threshold.
    expect(await graphAt(grid, 4, "audible")).toEqual(grid.reliableNeighbours);
    expect(grid.diameterHops).toBe(12);
  });
});

describe("a random geometric topology", () => {
  it("is connected over reliable links, with a mean degree near the target", async () => {
    const tables = await loadLoRaTables();
    const graph = randomGeometricTopology(60, { seed: 11 }, tables);
    expect(isConnected(graph.reliableNeighbours)).toBe(true);
    expect(await graphAt(graph, 11, "reliable")).toEqual(graph.reliableNeighbours);
    expect(graph.meanDegree).toBeGreaterThan(6);
    expect(graph.meanDegree).toBeLessThan(10);
    // The environment's shadowing stays: links are not a disc.
    expect(graph.radio.shadowingSigmaDb).toBeUndefined();
  });

  it("is the same for a seed and different for another", async () => {
    const tables = await loadLoRaTables();
    const first = randomGeometricTopology(40, { seed: 5 }, tables);
    expect(randomGeometricTopology(40, { seed: 5 }, tables)).toEqual(first);
    expect(randomGeometricTopology(40, { seed: 6 }, tables).nodes).not.toEqual(first.nodes);
  });
});
