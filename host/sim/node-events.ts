// A scenario's node events — fail, join, move — applied at their times, and which pairs of nodes can
// still reach each other over reliable links (connectivity.ts) after each change.
import type { LoRaChannel } from "./channel/lora-channel.js";
import { components, type LinkBudget, linkGraph, reliableLinkLossDb } from "./connectivity.js";
import type { SimulationEngine } from "./engine.js";
import type { ScenarioEvent } from "./scenario.js";
import type { SimNode } from "./sim-node.js";

export class NodeEvents {
  private component: Int32Array | undefined;

  constructor(
    private readonly events: readonly ScenarioEvent[],
    private readonly nodes: readonly SimNode[],
    private readonly channel: LoRaChannel | undefined,
    /** Given when connectivity is to be tracked (LoRa runs with events). */
    private readonly budget: LinkBudget | undefined,
  ) {}

  /** Switches joining nodes off until their time and books every event. Call before the run starts. */
  start(engine: SimulationEngine): void {
    const indexOf = new Map(this.nodes.map((n) => [n.id, n.index]));
    for (const event of this.events) {
      if (event.kind === "join") this.setPowered(indexOf.get(event.node)!, false);
    }
    this.recomputeConnectivity();
    for (const event of this.events) {
      const node = indexOf.get(event.node)!;
      engine.schedule(event.atS * 1e6, () => {
        this.apply(event, node);
        this.recomputeConnectivity();
      });
    }
  }

  isPowered(node: number): boolean {
    return this.nodes[node].isPowered;
  }

  /** Both powered and joined by a path of reliable links now; undefined when connectivity is not tracked. */
  connected(a: number, b: number): boolean | undefined {
    if (this.component === undefined) return undefined;
    return this.isPowered(a) && this.isPowered(b) && this.component[a] === this.component[b];
  }

  private apply(event: ScenarioEvent, node: number): void {
    if (event.kind === "fail") this.setPowered(node, false);
    else if (event.kind === "join") this.setPowered(node, true);
    // The channel drops every cached link budget the move touches; shadowing stays keyed by the node
    // numbers and the seed, so the moved node's links are as deterministic as before.
    else this.channel?.placeNode(node, { xMetres: event.x, yMetres: event.y });
  }

  private setPowered(node: number, powered: boolean): void {
    // Radio first, so a node switched on polls with its radio already on the air.
    this.channel?.setPowered(node, powered);
    this.nodes[node].setPowered(powered);
  }

  private recomputeConnectivity(): void {
    if (this.channel === undefined || this.budget === undefined) return;
    const graph = linkGraph(this.channel, this.nodes.length, reliableLinkLossDb(this.channel, this.budget), (n) =>
      this.isPowered(n),
    );
    this.component = components(graph);
  }
}
