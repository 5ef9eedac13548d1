// Per-sender neighbour lists for a shared medium: the nodes a sender's frames can reach, with their link
// loss, sorted loudest first. A list is built on a sender's first transmission from a spatial grid query
// (cost: the nodes within reach, not all N) and kept until a node inside its reach moves, so a frame
// costs O(audible receivers) and a static 1,000-node mesh computes each link loss once.
import { type PlanePosition, SpatialGrid } from "./spatial-grid.js";

export interface LinkLossModel {
  /** Loss from `fromNode` to `toNode`, `distanceMetres` apart, including frozen shadowing, dB. */
  linkLossDb(fromNode: number, toNode: number, distanceMetres: number): number;
  /** The greatest distance at which any link could have a loss of at most `linkLossDb`. */
  reachMetres(linkLossDb: number): number;
}

export interface NeighbourList {
  /** Every node whose link loss from the sender is at most this is listed. */
  readonly coveredLinkLossDb: number;
  readonly reachMetres: number;
  /** Receivers in increasing link loss (ties by node number, so the order is deterministic). */
  readonly nodes: Int32Array;
  readonly linkLossesDb: Float64Array;
}

export class LinkTable {
  private readonly grid: SpatialGrid;
  private readonly lists: Array<NeighbourList | undefined> = [];
  /** Senders that have a list, for the move check. */
  private readonly sendersWithLists = new Set<number>();
  /** The loss each sender's list must cover; survives a move that discards the list itself. */
  private readonly coverageBySender: number[] = [];

  constructor(
    private readonly model: LinkLossModel,
    cellSizeMetres: number,
  ) {
    this.grid = new SpatialGrid(cellSizeMetres);
  }

  has(node: number): boolean {
    return this.grid.has(node);
  }

  position(node: number): PlanePosition | undefined {
    return this.grid.position(node);
  }

  distanceMetres(a: number, b: number): number {
    this.requirePlaced(a);
    this.requirePlaced(b);
    return Math.hypot(this.grid.x(a) - this.grid.x(b), this.grid.y(a) - this.grid.y(b));
  }

  /**
   * Places or moves a node. Lists whose reach covers the node's old or new position are discarded (and
   * rebuilt on demand): other senders' links to it changed, and its own links all changed.
   */
  place(node: number, position: PlanePosition): void {
    const wasPlaced = this.grid.has(node);
    const oldX = wasPlaced ? this.grid.x(node) : 0;
    const oldY = wasPlaced ? this.grid.y(node) : 0;
    this.grid.place(node, position.xMetres, position.yMetres);
    for (const sender of this.sendersWithLists) {
      const list = this.lists[sender]!;
      const reachSquared = list.reachMetres * list.reachMetres;
      const x = this.grid.x(sender);
      const y = this.grid.y(sender);
      const nearNew = (x - position.xMetres) ** 2 + (y - position.yMetres) ** 2 <= reachSquared;
      const nearOld = wasPlaced && (x - oldX) ** 2 + (y - oldY) ** 2 <= reachSquared;
      if (sender === node || nearNew || nearOld) {
        this.lists[sender] = undefined;
        this.sendersWithLists.delete(sender);
      }
    }
  }

  /** The sender's neighbour list, covering at least every link with loss ≤ `linkLossDb`. */
  neighbours(sender: number, linkLossDb: number): NeighbourList {
    const cached = this.lists[sender];
    if (cached !== undefined && cached.coveredLinkLossDb >= linkLossDb) return cached;
    const coverage = Math.max(linkLossDb, this.coverageBySender[sender] ?? Number.NEGATIVE_INFINITY);
    const list = this.build(sender, coverage);
    this.lists[sender] = list;
    this.sendersWithLists.add(sender);
    this.coverageBySender[sender] = coverage;
    return list;
  }

  private build(sender: number, coveredLinkLossDb: number): NeighbourList {
    this.requirePlaced(sender);
    const reachMetres = this.model.reachMetres(coveredLinkLossDb);
    const found: Array<{ node: number; lossDb: number }> = [];
    this.grid.forEachWithin(this.grid.x(sender), this.grid.y(sender), reachMetres, (node, distanceMetres) => {
      if (node === sender) return;
      const lossDb = this.model.linkLossDb(sender, node, distanceMetres);
      if (lossDb <= coveredLinkLossDb) found.push({ node, lossDb });
    });
    found.sort((a, b) => a.lossDb - b.lossDb || a.node - b.node);
    const nodes = new Int32Array(found.length);
    const linkLossesDb = new Float64Array(found.length);
    for (let i = 0; i < found.length; i++) {
      nodes[i] = found[i].node;
      linkLossesDb[i] = found[i].lossDb;
    }
    return { coveredLinkLossDb, reachMetres, nodes, linkLossesDb };
  }

  private requirePlaced(node: number): void {
    if (!this.grid.has(node)) throw new Error(`node ${node} has no position`);
  }
}
