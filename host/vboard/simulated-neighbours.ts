// Simulated nodes that share the air with virtual boards: each is a stack.wasm instance with an
// SX1262 model, like a `mesh sim` node, but living in wall-clock time next to the boards, so a board
// on a serial port hears (and is heard by) a mesh around it.
import { blake2b } from "@noble/hashes/blake2.js";
import { Sx1262Model } from "../sim/chips/sx1262-model.js";
import { SimNode } from "../sim/sim-node.js";
import { loadLoRaTables } from "../wasm/lora-tables.js";
import { IntegrityLevel, RadioKind, type Received, Stack } from "../wasm/stack.js";
import { VIRTUAL_BOARD_ROUTING } from "./board-runtime.js";
import type { SharedAir } from "./shared-air.js";

/** Heltec V3-like radio, as the simulator's SX1262 nodes. */
const TCXO_MILLIVOLTS = 1800;

export interface SimulatedNeighbourOptions {
  count: number;
  /** Where the first node stands and how far apart they are, metres (a line along y = 50). */
  startXMetres: number;
  spacingMetres: number;
  /** Each node broadcasts a signed hello this often; 0 for silent nodes. */
  everySeconds: number;
  preset?: string;
  region?: string;
  onReceive?: (node: SimNode, received: Received) => void;
}

export async function addSimulatedNeighbours(air: SharedAir, options: SimulatedNeighbourOptions): Promise<SimNode[]> {
  const tables = await loadLoRaTables();
  const presetIndex = Math.max(
    0,
    tables.presets.findIndex((p) => p.name === (options.preset ?? "SF7BW125")),
  );
  const regionIndex = Math.max(
    0,
    tables.regions.findIndex((r) => r.name === (options.region ?? "EU868")),
  );
  const nodes: SimNode[] = [];
  for (let i = 0; i < options.count; i++) {
    const nodeIndex = air.allocateNode();
    const id = `sim-${i + 1}`;
    const chip = new Sx1262Model(air.channel, { nodeIndex, boardTcxoMillivolts: TCXO_MILLIVOLTS });
    air.channel.attach(chip, { xMetres: options.startXMetres + i * options.spacingMetres, yMetres: 50 });
    const stack = await Stack.load({ busDevices: new Map([[0, chip]]) });
    const handles = stack.createNode({
      radio: RadioKind.Sx1262,
      identitySeed: blake2b(new TextEncoder().encode(`meshstack neighbour ${id} ${Date.now()}`), { dkLen: 32 }),
      presetIndex,
      regionIndex,
      tcxoMillivolts: TCXO_MILLIVOLTS,
      dio2AsRfSwitch: true,
      seed: nodeIndex + 1,
      routing: VIRTUAL_BOARD_ROUTING,
    });
    const node = new SimNode(
      nodeIndex,
      id,
      stack,
      handles,
      handles.publicKey,
      air.engine,
      (n, r) => options.onReceive?.(n, r),
      handles.availability,
    );
    chip.onInterrupt = () => node.requestWake();
    node.requestWake();
    if (options.everySeconds > 0) {
      let sequence = 0;
      const hello = () => {
        sequence++;
        const payload = new TextEncoder().encode(`hello from ${id} #${sequence}`);
        // A plain push on the Availability link is a broadcast: every node in the mesh hears it.
        stack.push(handles.availability, handles.pool, payload, { level: IntegrityLevel.Ed25519 });
        node.requestWake();
        air.engine.schedule(air.engine.now() + options.everySeconds * 1e6, hello);
      };
      // Staggered so the neighbours do not all start talking at once.
      air.engine.schedule(air.engine.now() + (i + 1) * 250_000, hello);
    }
    nodes.push(node);
  }
  return nodes;
}
