import { describe, expect, it } from "vitest";
import { parseScenario, ROUTED_MTU, randomScenario, ScenarioError } from "../../host/sim/scenario.js";
import { loadLoRaTables } from "../../host/wasm/lora-tables.js";

const example = {
  seed: 7,
  durationS: 600,
  radio: { kind: "lora", preset: "SF7BW125", region: "EU868" },
  nodes: [
    { id: "a", x: 0, y: 0 },
    { id: "b", x: 800, y: 0 },
  ],
  traffic: [{ from: "a", to: "b", everyS: 30, bytes: 100, integrity: "ed25519" }],
};

function withChange(change: (s: Record<string, any>) => void): unknown {
  const copy = structuredClone(example);
  change(copy);
  return copy;
}

describe("the LoRa tables compiled into the stack", () => {
  it("list the presets the issue names and both regions", async () => {
    const tables = await loadLoRaTables();
    const names = tables.presets.map((p) => p.name);
    for (const name of ["SF7BW125", "SF8BW125", "SF9BW125", "SF10BW125", "SF11BW125", "SF12BW125", "SF11BW250"]) {
      expect(names).toContain(name);
    }
    expect(tables.presets.find((p) => p.name === "SF11BW250")).toMatchObject({
      spreadingFactor: 11,
      bandwidthHz: 250_000,
    });
    const eu = tables.regions.find((r) => r.name === "EU868")!;
    expect(eu.dutyCyclePermille(868_100_000)).toBe(10);
    expect(eu.dutyCyclePermille(869_525_000)).toBe(100);
    expect(eu.dutyCyclePermille(869_300_000)).toBeUndefined();
    expect(tables.regions.find((r) => r.name === "US915")!.dutyCyclePermille(915_000_000)).toBe(1000);
  });
});

describe("parseScenario", () => {
  it("accepts the issue's example and fills in defaults", async () => {
    const s = parseScenario(example, await loadLoRaTables());
    expect(s.nodes.map((n) => n.chip)).toEqual(["sx1262", "sx1262"]);
    expect(s.radio).toMatchObject({ kind: "lora", txPowerDbm: 14, environment: "suburban" });
    expect(s.traffic[0].integrity).toBe("ed25519");
  });

  const bad: [string, (s: Record<string, any>) => void, RegExp][] = [
    ["a missing duration", (s) => delete s.durationS, /^durationS: expected a number$/],
    ["an unknown preset", (s) => (s.radio.preset = "SF13"), /^radio\.preset: expected one of .*got 'SF13'$/],
    ["an unknown region", (s) => (s.radio.region = "XX"), /^radio\.region:/],
    ["a frequency outside the region", (s) => (s.radio.frequencyHz = 915_000_000), /^radio\.frequencyHz: .*outside/],
    ["a node without x", (s) => delete s.nodes[1].x, /^nodes\[1\]\.x: expected a number$/],
    ["a duplicate node id", (s) => (s.nodes[1].id = "a"), /^nodes\[1\]\.id: duplicate id 'a'$/],
    ["traffic to an unknown node", (s) => (s.traffic[0].to = "z"), /^traffic\[0\]\.to: no node 'z'$/],
    [
      "an unknown integrity level",
      (s) => (s.traffic[0].integrity = "md5"),
      /^traffic\[0\]\.integrity: expected one of/,
    ],
    ["a message too large", (s) => (s.traffic[0].bytes = 5000), /^traffic\[0\]\.bytes: expected 12 to 1183/],
    ["an unknown field", (s) => (s.radio.power = 3), /^radio\.power: unknown field/],
    ["nodes that are not an array", (s) => (s.nodes = {}), /^nodes: expected an array$/],
    [
      "an unknown routing strategy",
      (s) => (s.routing = "ospf"),
      /^routing: expected one of none, flooding, nexthop, electric, got 'ospf'$/,
    ],
    [
      "a message too large for flooding",
      (s) => {
        s.routing = "flooding";
        s.traffic[0].bytes = ROUTED_MTU + 1;
      },
      new RegExp(`^traffic\\[0\\]\\.bytes: expected 12 to ${ROUTED_MTU} with flooding$`),
    ],
    ["traffic to a reserved node id", (s) => (s.nodes[1].id = "random"), /^nodes\[1\]\.id: 'random' is reserved/],
    [
      "siphash to a random destination",
      (s) => {
        s.traffic[0].to = "random";
        s.traffic[0].integrity = "siphash";
      },
      /^traffic\[0\]\.integrity: siphash needs a fixed 'to'/,
    ],
    ["events that are not an array", (s) => (s.events = {}), /^events: expected an array$/],
    [
      "an event with two kinds",
      (s) => (s.events = [{ atS: 5, fail: "a", join: "a" }]),
      /^events\[0\]: expected exactly one of fail, join, move/,
    ],
    ["an event without a kind", (s) => (s.events = [{ atS: 5 }]), /^events\[0\]: expected exactly one of/],
    ["an event for an unknown node", (s) => (s.events = [{ atS: 5, fail: "z" }]), /^events\[0\]\.fail: no node 'z'$/],
    [
      "an event after the end",
      (s) => (s.events = [{ atS: 601, fail: "a" }]),
      /^events\[0\]\.atS: expected 0 to 600, got 601$/,
    ],
    ["a move without y", (s) => (s.events = [{ atS: 5, move: "a", x: 3 }]), /^events\[0\]\.y: expected a number$/],
    [
      "an unknown event field",
      (s) => (s.events = [{ atS: 5, fail: "a", x: 3 }]),
      /^events\[0\]\.x: unknown field \(expected atS, fail\)$/,
    ],
    [
      "a second failure of a node",
      (s) =>
        (s.events = [
          { atS: 5, fail: "a" },
          { atS: 9, fail: "a" },
        ]),
      /^events\[1\]\.fail: node 'a' already has a fail event$/,
    ],
    [
      "a node that fails before it joins",
      (s) =>
        (s.events = [
          { atS: 50, join: "a" },
          { atS: 9, fail: "a" },
        ]),
      /^events\[0\]\.atS: node 'a' must join before it fails \(at 9 s\)$/,
    ],
    [
      "events on an ESP-NOW radio",
      (s) => {
        s.radio = { kind: "espnow" };
        s.events = [{ atS: 5, fail: "a" }];
      },
      /^events: node events need radio.kind 'lora'$/,
    ],
    ["a negative shadowing", (s) => (s.radio.shadowingSigmaDb = -1), /^radio\.shadowingSigmaDb: expected 0 to 20/],
  ];
  for (const [what, change, message] of bad) {
    it(`names the field for ${what}`, async () => {
      const tables = await loadLoRaTables();
      expect(() => parseScenario(withChange(change), tables)).toThrow(ScenarioError);
      expect(() => parseScenario(withChange(change), tables)).toThrow(message);
    });
  }

  it("never throws anything but a ScenarioError on random JSON", async () => {
    const tables = await loadLoRaTables();
    const samples: unknown[] = [null, 1, "x", [], {}, { durationS: "10" }, { durationS: 10, radio: [] }];
    for (let i = 0; i < 200; i++) {
      const copy: any = structuredClone(example);
      const paths = [copy, copy.radio, copy.nodes[0], copy.traffic[0]];
      const target = paths[i % paths.length];
      const keys = Object.keys(target);
      target[keys[i % keys.length]] = samples[i % samples.length];
      samples.push(copy);
    }
    for (const sample of samples) {
      try {
        parseScenario(sample, tables);
      } catch (error) {
        expect(error).toBeInstanceOf(ScenarioError);
      }
    }
  });
});

describe("parseScenario with routing and events", () => {
  it("accepts every strategy, random destinations and events, and sorts the events by time", async () => {
    const tables = await loadLoRaTables();
    for (const routing of ["none", "flooding", "nexthop", "electric"]) {
      expect(
        parseScenario(
          withChange((s) => (s.routing = routing)),
          tables,
        ).routing,
      ).toBe(routing);
    }
    const scenario = parseScenario(
      withChange((s) => {
        s.traffic[0].to = "random";
        s.durationS = 3600;
        s.events = [
          { atS: 1800, fail: "b" },
          { atS: 60, join: "b" },
          { atS: 900, move: "a", x: 100, y: 200 },
        ];
      }),
      tables,
    );
    expect(scenario.traffic[0].to).toBe("random");
    expect(scenario.events).toEqual([
      { atS: 60, kind: "join", node: "b" },
      { atS: 900, kind: "move", node: "a", x: 100, y: 200 },
      { atS: 1800, kind: "fail", node: "b" },
    ]);
    expect(parseScenario(example, tables).events).toEqual([]);
  });
});

describe("randomScenario", () => {
  it("is the same for a seed and different for another", () => {
    const a = randomScenario({ nodes: 20, seed: 5, durationS: 60 });
    expect(randomScenario({ nodes: 20, seed: 5, durationS: 60 })).toEqual(a);
    expect(randomScenario({ nodes: 20, seed: 6, durationS: 60 })).not.toEqual(a);
    expect(a.traffic).toHaveLength(20);
    expect(a.traffic.every((t) => t.from !== t.to)).toBe(true);
  });
});
