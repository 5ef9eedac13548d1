// A plain-text table: a header, a rule of dashes and the rows, columns two spaces apart.

/** Rows under a header; the first `leftAligned` columns (names) pad right, the rest (numbers) left. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], leftAligned = 1): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const render = (cells: readonly string[]) =>
    cells.map((c, i) => (i < leftAligned ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [render(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(render)];
}
