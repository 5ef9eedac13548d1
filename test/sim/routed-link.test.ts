import { afterEach, describe, expect, it, vi } from "vitest";
import { StrategyNotBuiltError } from "../../host/sim/routed-link.js";
import { parseScenario } from "../../host/sim/scenario.js";
import { runSimulation } from "../../host/sim/simulation.js";
import { Availability } from "../../host/wasm/availability.js";
import { loadLoRaTables } from "../../host/wasm/lora-tables.js";

async function twoNodes(routing: string) {
  return parseScenario(
    {
      durationS: 30,
      routing,
      radio: { kind: "lora" },
      nodes: [
        { id: "a", x: 0, y: 0 },
        { id: "b", x: 500, y: 0 },
      ],
      traffic: [{ from: "a", to: "b", everyS: 10, bytes: 30, integrity: "crc32c" }],
    },
    await loadLoRaTables(),
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a routed node's link", () => {
  it("is created with the strategy, the hop limit and the node's identity", async () => {
    const createLink = vi.spyOn(Availability.prototype, "createLink");
    const scenario = await twoNodes("flooding");
    await runSimulation({ ...scenario, hopLimit: 6 });
    expect(createLink).toHaveBeenCalledTimes(2);
    const options = createLink.mock.calls[0][3]!;
    expect(options).toMatchObject({ strategy: "flooding", hopLimit: 6 });
    expect(options.identity).toBeTypeOf("number");
  });

  it("says a strategy is not built when the stack refuses it, instead of running another", async () => {
    vi.spyOn(Availability.prototype, "createLink").mockImplementation(() => {
      throw new RangeError("strategy: not in this build");
    });
    await expect(runSimulation(await twoNodes("electric"))).rejects.toThrow(StrategyNotBuiltError);
    await expect(runSimulation(await twoNodes("electric"))).rejects.toThrow(/^electric routing: strategy: not in/);
  });
});
