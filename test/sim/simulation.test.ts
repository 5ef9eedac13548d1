import { describe, expect, it } from "vitest";
import { parseScenario, type Scenario } from "../../host/sim/scenario.js";
import { runSimulation } from "../../host/sim/simulation.js";
import { loadLoRaTables } from "../../host/wasm/lora-tables.js";

async function threeNodes(seed: number, overrides: Partial<Record<string, unknown>> = {}): Promise<Scenario> {
  return parseScenario(
    {
      seed,
      durationS: 300,
      radio: { kind: "lora", preset: "SF7BW125", region: "EU868", environment: "suburban" },
      nodes: [
        { id: "a", x: 0, y: 0 },
        { id: "b", x: 600, y: 0, chip: "sx1276" },
        { id: "c", x: 300, y: 400 },
      ],
      traffic: [
        { from: "a", to: "b", everyS: 20, bytes: 100, integrity: "ed25519" },
        { from: "b", to: "c", everyS: 25, bytes: 400, integrity: "siphash" },
        { from: "c", to: "a", everyS: 15, bytes: 40, integrity: "crc32c" },
      ],
      ...overrides,
    },
    await loadLoRaTables(),
  );
}

function withoutWallTime<T extends { wallSeconds: number }>(result: T): Omit<T, "wallSeconds"> {
  const { wallSeconds: _, ...rest } = result;
  return rest;
}

describe("a 3-node mesh of SX1262 and SX1276 boards", () => {
  it("delivers messages at every level between neighbours, through the real drivers and chip models", async () => {
    const result = await runSimulation(await threeNodes(42));
    expect(result.messages.sent).toBeGreaterThan(40);
    expect(result.messages.deliveryRatio).toBeGreaterThan(0.9);
    // A 400-byte message needs two LoRa frames: fragmentation works over the air.
    expect(result.frames.sent).toBeGreaterThan(result.messages.sent);
    for (const node of result.nodes) expect(node.messagesDelivered).toBeGreaterThan(0);
    expect(result.notes.join(" ")).toMatch(/no routing/);
  });

  it("gives identical results for a seed and different ones for another", async () => {
    const first = withoutWallTime(await runSimulation(await threeNodes(42)));
    const again = withoutWallTime(await runSimulation(await threeNodes(42)));
    expect(again).toEqual(first);
    const other = withoutWallTime(await runSimulation(await threeNodes(43)));
    expect(other).not.toEqual(first);
  });

  it("delivers nothing to a node out of range, and says why", async () => {
    const scenario = await threeNodes(1, {
      nodes: [
        { id: "a", x: 0, y: 0 },
        { id: "b", x: 200_000, y: 0 },
        { id: "c", x: 0, y: 300 },
      ],
      traffic: [{ from: "a", to: "b", everyS: 30, bytes: 50, integrity: "blake2b" }],
    });
    const result = await runSimulation(scenario);
    expect(result.messages.sent).toBe(10);
    expect(result.messages.delivered).toBe(0);
    expect(result.nodes.find((n) => n.id === "c")!.framesReceived).toBe(10);
  });

  it("keeps every node within the EU868 duty cycle of its sub-band", async () => {
    // 868.1 MHz is a 1 % sub-band: a node offered far more traffic must wait, not break the law.
    const scenario = await threeNodes(5, {
      durationS: 600,
      radio: { kind: "lora", preset: "SF9BW125", region: "EU868", frequencyHz: 868_100_000 },
      traffic: [{ from: "a", to: "b", everyS: 2, bytes: 200, integrity: "blake2b" }],
    });
    const result = await runSimulation(scenario);
    const a = result.nodes.find((n) => n.id === "a")!;
    // The budget starts full (one hour's 36 s), so over 600 s at most 36 s + 600 s × 1 %.
    expect(a.airtimeMs).toBeLessThanOrEqual(36_000 + 6_000 + 1);
    expect(a.dutyCycleWaits).toBeGreaterThan(0);
    expect(result.messages.sent).toBe(300);
  });

  it("listens before talking: senders that start together back off instead of colliding", async () => {
    const scenario = await threeNodes(11, {
      traffic: [
        { from: "a", to: "b", everyS: 10, bytes: 200, integrity: "blake2b", startS: 1 },
        { from: "c", to: "b", everyS: 10, bytes: 200, integrity: "blake2b", startS: 1 },
      ],
    });
    const result = await runSimulation(scenario);
    const busy = result.nodes.reduce((sum, n) => sum + n.channelBusy, 0);
    expect(busy).toBeGreaterThan(0);
    expect(result.messages.deliveryRatio).toBeGreaterThan(0.9);
  });

  it("does not lose a frame being received to its own listen-before-talk", async () => {
    // Both chips leave receive for a CAD: a node with a frame to send while one arrives must wait,
    // not check the channel (docs/datalink.md). Busy traffic in all directions, both chip types.
    for (const seed of [5, 6, 7]) {
      const result = await runSimulation(
        await threeNodes(seed, {
          traffic: [
            { from: "a", to: "b", everyS: 4, bytes: 200, integrity: "blake2b" },
            { from: "b", to: "c", everyS: 5, bytes: 200, integrity: "blake2b" },
            { from: "c", to: "a", everyS: 3, bytes: 200, integrity: "blake2b" },
          ],
        }),
      );
      // A CAD can still begin in the two symbols before a preamble is detected; nothing later.
      expect(result.frames.stoppedListening).toBeLessThanOrEqual(2);
      expect(result.messages.deliveryRatio).toBeGreaterThan(0.9);
    }
  });

  it("relays messages over several hops with managed flooding, where direct delivery reaches nobody", async () => {
    const line = (routing: string) =>
      threeNodes(5, {
        routing,
        hopLimit: 4,
        radio: { kind: "lora", preset: "SF7BW125", region: "EU868", environment: "rural" },
        nodes: ["a", "b", "c", "d", "e"].map((id, i) => ({ id, x: i * 3000, y: 0 })),
        traffic: [
          { from: "a", to: "e", everyS: 30, bytes: 60, integrity: "blake2b" },
          { from: "e", to: "a", everyS: 30, bytes: 60, integrity: "ed25519" },
        ],
      });
    const direct = await runSimulation(await line("none"));
    expect(direct.messages.delivered).toBe(0);
    const flooded = await runSimulation(await line("flooding"));
    expect(flooded.messages.deliveryRatio).toBeGreaterThan(0.9);
    expect(flooded.notes.join(" ")).toMatch(/managed flooding/);
    const relays = flooded.nodes.reduce((sum, n) => sum + (n.relays?.sent ?? 0), 0);
    expect(relays).toBeGreaterThanOrEqual(flooded.messages.delivered * 3); // 12 km over 3 km hops
  });

  it("runs an ESP-NOW v2 mesh, where 1280 bytes fit one 1470-byte frame", async () => {
    const scenario = await threeNodes(9, {
      radio: { kind: "espnow", version: 2 },
      nodes: [
        { id: "a", x: 0, y: 0 },
        { id: "b", x: 50, y: 0 },
      ],
      traffic: [{ from: "a", to: "b", everyS: 10, bytes: 1100, integrity: "ed25519" }],
    });
    const result = await runSimulation(scenario);
    expect(result.messages.delivered).toBe(result.messages.sent);
    expect(result.frames.sent).toBe(result.messages.sent);
  });

  it("runs an ESP-NOW mesh with 250-byte frames", async () => {
    const scenario = await threeNodes(9, {
      radio: { kind: "espnow", version: 1 },
      nodes: [
        { id: "a", x: 0, y: 0 },
        { id: "b", x: 50, y: 0 },
        { id: "c", x: 0, y: 60 },
      ],
    });
    const result = await runSimulation(scenario);
    expect(result.radio).toBe("ESP-NOW v1");
    expect(result.messages.deliveryRatio).toBeGreaterThan(0.9);
  });
});
