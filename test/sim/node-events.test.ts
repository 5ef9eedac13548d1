import { describe, expect, it } from "vitest";
import { parseScenario, type Scenario } from "../../host/sim/scenario.js";
import { runSimulation } from "../../host/sim/simulation.js";
import { loadLoRaTables } from "../../host/wasm/lora-tables.js";

/** Three SX1262 nodes within easy range of each other, each sending to the next every 10 s. */
async function triangle(changes: Record<string, unknown>): Promise<Scenario> {
  return parseScenario(
    {
      seed: 9,
      durationS: 120,
      radio: { kind: "lora", environment: "suburban", shadowingSigmaDb: 0 },
      nodes: [
        { id: "a", x: 0, y: 0 },
        { id: "b", x: 300, y: 0 },
        { id: "c", x: 150, y: 250 },
      ],
      traffic: [
        { from: "a", to: "b", everyS: 10, bytes: 40, integrity: "blake2b", startS: 1 },
        { from: "b", to: "c", everyS: 10, bytes: 40, integrity: "blake2b", startS: 4 },
        { from: "c", to: "a", everyS: 10, bytes: 40, integrity: "blake2b", startS: 7 },
      ],
      ...changes,
    },
    await loadLoRaTables(),
  );
}

const node = (result: Awaited<ReturnType<typeof runSimulation>>, id: string) => result.nodes.find((n) => n.id === id)!;

describe("a node that fails", () => {
  it("stops transmitting and receiving, and messages to it count apart from routing losses", async () => {
    const failing = await runSimulation(await triangle({ events: [{ atS: 60, fail: "b" }] }));
    const healthy = await runSimulation(await triangle({ durationS: 60 }));
    // b sent at 4, 14, …, 54 s, then nothing: its six later messages were never sent.
    expect(node(failing, "b").messagesSent).toBe(6);
    expect(node(failing, "b").framesSent).toBe(node(healthy, "b").framesSent);
    expect(failing.messages.notSentSenderOff).toBe(6);
    // What b heard is what it heard in the first minute.
    expect(node(failing, "b").framesReceived).toBe(node(healthy, "b").framesReceived);
    // a's six messages after the failure went to a powered-off node: not counted against delivery.
    expect(failing.messages.toPoweredOffNode).toBe(6);
    expect(failing.messages.sent).toBe(36 - 6);
    expect(failing.messages.deliveryRatio).toBe(failing.messages.delivered / (failing.messages.sent - 6));
    expect(failing.messages.deliveryRatio).toBeGreaterThan(0.9);
  });
});

describe("a node that joins", () => {
  it("is silent and deaf before its time, then takes part", async () => {
    const before = await runSimulation(await triangle({ durationS: 60, events: [{ atS: 60, join: "b" }] }));
    expect(node(before, "b")).toMatchObject({ framesSent: 0, framesReceived: 0, messagesSent: 0 });
    expect(before.messages.notSentSenderOff).toBe(6);
    expect(before.messages.toPoweredOffNode).toBe(6);
    const after = await runSimulation(await triangle({ events: [{ atS: 60, join: "b" }] }));
    expect(node(after, "b").messagesSent).toBe(6);
    expect(node(after, "b").framesSent).toBeGreaterThanOrEqual(6);
    expect(node(after, "b").messagesDelivered).toBeGreaterThan(4);
  });
});

describe("a node that moves", () => {
  it("loses and gains links, and the connected-pair measure follows it", async () => {
    const scenario = await triangle({
      nodes: [
        { id: "a", x: 0, y: 0 },
        { id: "b", x: 300, y: 0 },
        { id: "c", x: 100_000, y: 0 },
      ],
      traffic: [{ from: "c", to: "a", everyS: 10, bytes: 40, integrity: "blake2b", startS: 5 }],
      events: [{ atS: 60, move: "c", x: 150, y: 250 }],
    });
    const result = await runSimulation(scenario);
    expect(result.messages.sent).toBe(12);
    expect(node(result, "a").messagesDelivered).toBe(6); // only those after the move
    const windows = result.connectedDelivery!.windows;
    expect(windows.map((w) => w.sent)).toEqual([0, 6]); // c and a were not connected in the first minute
    expect(windows[1].ratio).toBe(1);
  });
});

describe("routing over a line with a failure", () => {
  it("relays by flooding and reports hops, airtime per delivery and connected pairs", async () => {
    const result = await runSimulation(
      await triangle({
        routing: "flooding",
        hopLimit: 4,
        nodes: [0, 1, 2, 3].map((i) => ({ id: `n${i}`, x: i * 1000, y: 0 })),
        traffic: [{ from: "n0", to: "n3", everyS: 10, bytes: 60, integrity: "blake2b", startS: 2 }],
        events: [{ atS: 90, fail: "n2" }],
      }),
    );
    expect(result.messages.hops).toEqual({ mean: 3, max: 3 });
    expect(result.messages.delivered).toBeGreaterThanOrEqual(7);
    expect(node(result, "n3").messagesDelivered).toBe(result.messages.delivered);
    expect(result.airtimePerDeliveredMs).toBeCloseTo(result.airtimeMs / result.messages.delivered, 9);
    expect(result.routing).toMatchObject({ strategy: "flooding", hopLimit: 4 });
    // After n2 fails n3 is cut off: those messages are lost, but not between connected pairs.
    const windows = result.connectedDelivery!.windows;
    expect(windows.map((w) => w.sent)).toEqual([6, 3]);
    expect(result.busiestNode!.airtimeShare).toBeGreaterThan(0.25);
  });
});

describe("electric routing after a node moves", () => {
  it("finds it at its new place within five minutes, without anyone being told", async () => {
    // A line a–f, 800 m apart; at 20 min f moves from beside e to beside a, while a–e send to it.
    const line = "abcdef".split("");
    const result = await runSimulation(
      await triangle({
        seed: 3,
        durationS: 3600,
        routing: "electric",
        hopLimit: 7,
        nodes: line.map((id, i) => ({ id, x: i * 800, y: 0 })),
        traffic: line.slice(0, 5).map((from, i) => ({
          from,
          to: "f",
          everyS: 60,
          bytes: 40,
          integrity: "blake2b",
          startS: 600 + i * 10,
        })),
        events: [{ atS: 1200, move: "f", x: -800, y: 0 }],
      }),
    );
    // Per-minute windows of messages between connected pairs; traffic starts at minute 10.
    const ratios = result.connectedDelivery!.windows.map((w) => w.ratio);
    expect(ratios.slice(10, 20).every((r) => r === 1)).toBe(true);
    const repaired = ratios.slice(25).filter((r): r is number => r !== null);
    expect(repaired.length).toBe(35);
    expect(Math.min(...repaired)).toBeGreaterThanOrEqual(0.8);
    expect(repaired.reduce((a, b) => a + b, 0) / repaired.length).toBeGreaterThan(0.95);
  });
});
