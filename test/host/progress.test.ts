import { describe, expect, it } from "vitest";
import { ProgressBar } from "../../host/cli/progress.js";

function recorder() {
  const written: string[] = [];
  return { written, stream: { write: (text: string) => written.push(text) } };
}

describe("ProgressBar", () => {
  it("redraws in place on a terminal once per whole percent, and finish replaces the bar", () => {
    const { written, stream } = recorder();
    const bar = new ProgressBar("run", stream, true);
    bar.update(0.101);
    bar.update(0.109);
    bar.update(0.5);
    expect(written).toHaveLength(2);
    expect(written.every((text) => text.startsWith("\r"))).toBe(true);
    expect(written[1]).toContain(" 50% ");
    bar.finish("12.3 s");
    const last = written.at(-1) ?? "";
    expect(last.startsWith("\rrun: 12.3 s")).toBe(true);
    expect(last.endsWith("\n")).toBe(true);
    // Padded over the bar it replaces, so no part of the bar is left on the line.
    expect(last.length - 2).toBeGreaterThanOrEqual(written[1].length - 1);
  });

  it("draws nothing when not on a terminal, and finish writes the result alone", () => {
    const { written, stream } = recorder();
    const bar = new ProgressBar("seed 3", stream, false);
    for (let i = 0; i <= 100; i++) bar.update(i / 100);
    bar.done();
    expect(written).toEqual([]);
    bar.finish("not built (no such strategy)");
    expect(written).toEqual(["seed 3: not built (no such strategy)\n"]);
  });
});
