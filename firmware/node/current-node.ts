// The node this WASM instance runs (one per instance, as on a board), for the host API that acts on
// "the" node rather than on handles: the serial console. Set once by nodeCreate.
import { MeshNode } from "./mesh-node";
import { NodeSettings } from "./node-settings";

let node: MeshNode | null = null;
let nodeSettings: NodeSettings | null = null;

/** Records the instance's node and the settings it was built from (they are not changed after). */
export function setCurrentNode(created: MeshNode, settings: NodeSettings): void {
  node = created;
  nodeSettings = settings;
}

export function currentNode(): MeshNode | null {
  return node;
}

export function currentNodeSettings(): NodeSettings | null {
  return nodeSettings;
}
