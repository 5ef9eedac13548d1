// Multicast and anycast in `mesh sim` scenarios: nodes subscribe to topics and hold services, traffic
// names a topic or a service, and the summary counts one delivery per subscriber (multicast) or one
// by any holder (anycast).
import { describe, expect, it } from "vitest";
import { parseScenario, ScenarioError } from "../../host/sim/scenario.js";
import { runSimulation } from "../../host/sim/simulation.js";
import { lineTopology } from "../../host/sim/topology.js";
import { loadLoRaTables } from "../../host/wasm/lora-tables.js";

async function lineScenario(routing: string, traffic: object[], extra: (nodes: Record<string, unknown>[]) => void) {
  const tables = await loadLoRaTables();
  const line = lineTopology(5, { seed: 3 }, tables);
  const nodes: Record<string, unknown>[] = line.nodes.map((n) => ({ id: n.id, x: n.x, y: n.y }));
  extra(nodes);
  return parseScenario(
    {
      seed: 3,
      durationS: 900,
      routing,
      hopLimit: 7,
      radio: { kind: "lora", preset: "SF7BW125", environment: line.radio.environment, shadowingSigmaDb: 0 },
      nodes,
      traffic,
    },
    tables,
  );
}

describe.each(["nexthop", "electric"])("%s multicast and anycast in mesh sim", (routing) => {
  it("reaches both subscribers of a topic across the line", async () => {
    const scenario = await lineScenario(
      routing,
      [{ from: "n0", topic: "news", everyS: 60, bytes: 40, integrity: "blake2b", startS: 200 }],
      (nodes) => {
        nodes[2].subscribe = ["news"];
        nodes[4].subscribe = ["news"];
      },
    );
    const result = await runSimulation(scenario);
    // One record per subscriber: 12 messages × 2 subscribers.
    expect(result.messages.sent).toBe(24);
    expect(result.messages.deliveryRatio).toBeGreaterThanOrEqual(0.9);
    expect(result.messages.hops?.max).toBe(4);
  });

  it("delivers a service's traffic to the nearest holder", async () => {
    const scenario = await lineScenario(
      routing,
      [{ from: "n0", service: "printer", everyS: 60, bytes: 40, integrity: "blake2b", startS: 200 }],
      (nodes) => {
        nodes[1].services = ["printer"];
        nodes[4].services = ["printer"];
      },
    );
    const result = await runSimulation(scenario);
    expect(result.messages.deliveryRatio).toBeGreaterThanOrEqual(0.9);
    // Node 1 is one hop away, node 4 four: every delivery took one hop.
    expect(result.messages.hops?.max).toBe(1);
    expect(result.nodes[1].messagesDelivered).toBeGreaterThanOrEqual(11);
    expect(result.nodes[4].messagesDelivered).toBe(0);
  });
});

describe("scenario fields for groups", () => {
  it("names the field when a flow is malformed", async () => {
    const bad = async (traffic: object, nodes: (n: Record<string, unknown>[]) => void = () => {}) => {
      const error = await lineScenario("electric", [traffic], nodes).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScenarioError);
      return (error as Error).message;
    };
    expect(await bad({ from: "n0", topic: "nobody", everyS: 60, bytes: 40 })).toMatch(
      /topic: no node subscribes to 'nobody'/,
    );
    expect(await bad({ from: "n0", service: "none", everyS: 60, bytes: 40 })).toMatch(/service: no node offers 'none'/);
    expect(await bad({ from: "n0", to: "n1", topic: "x", everyS: 60, bytes: 40 })).toMatch(
      /exactly one of 'to', 'topic' and 'service'/,
    );
    expect(
      await bad({ from: "n0", to: "n1", everyS: 60, bytes: 40 }, (nodes) => {
        nodes[1].subscribe = ["a", "b", "c", "d", "e"];
      }),
    ).toMatch(/nodes\[1\]\.subscribe: expected at most 4/);
  });
});
