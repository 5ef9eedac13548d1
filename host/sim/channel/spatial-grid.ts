// A uniform grid over node positions, so "which nodes lie within r metres" costs the nodes in nearby
// cells instead of all N. When a query would visit more cells than there are nodes it scans the node
// list instead, so a radius much larger than the cell size degrades to O(N), never worse. Nodes are
// small non-negative integers (RadioPort.nodeIndex), so positions live in arrays indexed by node.

export interface PlanePosition {
  xMetres: number;
  yMetres: number;
}

/** Cell coordinates stay within ±2^20 cells, so a key packs both into one exact double. */
const CELL_COORDINATE_OFFSET = 0x10_0000;
const CELL_COORDINATE_SPAN = 0x20_0000;

export class SpatialGrid {
  private readonly cells = new Map<number, number[]>();
  /** Per node: its cell key, or undefined while unplaced. */
  private readonly cellOfNode: Array<number | undefined> = [];
  private readonly xByNode: number[] = [];
  private readonly yByNode: number[] = [];
  private readonly placedNodes: number[] = [];

  constructor(readonly cellSizeMetres: number) {
    if (!(cellSizeMetres > 0)) throw new RangeError("cell size must be positive");
  }

  get nodeCount(): number {
    return this.placedNodes.length;
  }

  has(node: number): boolean {
    return this.cellOfNode[node] !== undefined;
  }

  x(node: number): number {
    return this.xByNode[node];
  }

  y(node: number): number {
    return this.yByNode[node];
  }

  position(node: number): PlanePosition | undefined {
    return this.has(node) ? { xMetres: this.xByNode[node], yMetres: this.yByNode[node] } : undefined;
  }

  /** Inserts a node or moves it to a new position. */
  place(node: number, xMetres: number, yMetres: number): void {
    if (!Number.isInteger(node) || node < 0) throw new RangeError(`node ${node} is not a non-negative integer`);
    if (!Number.isFinite(xMetres) || !Number.isFinite(yMetres)) throw new RangeError("position must be finite");
    const key = this.cellKey(this.cellIndex(xMetres), this.cellIndex(yMetres));
    const oldKey = this.cellOfNode[node];
    this.xByNode[node] = xMetres;
    this.yByNode[node] = yMetres;
    if (oldKey === key) return;
    if (oldKey === undefined) {
      this.placedNodes.push(node);
    } else {
      const members = this.cells.get(oldKey)!;
      members[members.indexOf(node)] = members[members.length - 1];
      members.pop();
      if (members.length === 0) this.cells.delete(oldKey);
    }
    let members = this.cells.get(key);
    if (members === undefined) {
      members = [];
      this.cells.set(key, members);
    }
    members.push(node);
    this.cellOfNode[node] = key;
  }

  /** Calls `visit(node, distance)` for every node within `radiusMetres` of (x, y), in no particular order. */
  forEachWithin(
    xMetres: number,
    yMetres: number,
    radiusMetres: number,
    visit: (node: number, distanceMetres: number) => void,
  ): void {
    const radiusSquared = radiusMetres * radiusMetres;
    const lowX = this.cellIndex(xMetres - radiusMetres);
    const highX = this.cellIndex(xMetres + radiusMetres);
    const lowY = this.cellIndex(yMetres - radiusMetres);
    const highY = this.cellIndex(yMetres + radiusMetres);
    const cellsInBox = (highX - lowX + 1) * (highY - lowY + 1);
    if (cellsInBox > this.placedNodes.length) {
      this.visitWithin(this.placedNodes, xMetres, yMetres, radiusSquared, visit);
      return;
    }
    for (let cellX = lowX; cellX <= highX; cellX++) {
      for (let cellY = lowY; cellY <= highY; cellY++) {
        const members = this.cells.get(this.cellKey(cellX, cellY));
        if (members !== undefined) this.visitWithin(members, xMetres, yMetres, radiusSquared, visit);
      }
    }
  }

  private visitWithin(
    nodes: readonly number[],
    xMetres: number,
    yMetres: number,
    radiusSquared: number,
    visit: (node: number, distanceMetres: number) => void,
  ): void {
    for (const node of nodes) {
      const dx = this.xByNode[node] - xMetres;
      const dy = this.yByNode[node] - yMetres;
      const squared = dx * dx + dy * dy;
      if (squared <= radiusSquared) visit(node, Math.sqrt(squared));
    }
  }

  private cellIndex(metres: number): number {
    const index = Math.floor(metres / this.cellSizeMetres);
    // Positions beyond ±2^20 cells share the edge cells: still correct (distances are checked), only slower.
    return Math.max(-CELL_COORDINATE_OFFSET, Math.min(CELL_COORDINATE_OFFSET - 1, index));
  }

  private cellKey(cellX: number, cellY: number): number {
    return (cellX + CELL_COORDINATE_OFFSET) * CELL_COORDINATE_SPAN + (cellY + CELL_COORDINATE_OFFSET);
  }
}
