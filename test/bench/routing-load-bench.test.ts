// The light-load routing benchmark's command line and one tiny run (the numbers are the simulator's,
// checked for shape and sense only: the benchmark itself is run by hand, never timed here).
import { describe, expect, it } from "vitest";
import {
  LOAD_BENCH_DEFAULTS,
  parseLoadBenchArgs,
  pooledWindows,
  runRoutingLoadBench,
  windowMarginPoints,
} from "../../host/bench/routing-load-bench.js";

describe("routing-load arguments", () => {
  it("defaults to electric routing on 200 nodes, a message per node per 10 minutes, three seeds", () => {
    expect(parseLoadBenchArgs([])).toEqual(LOAD_BENCH_DEFAULTS);
  });

  it("reads every option", () => {
    const options = parseLoadBenchArgs([
      "--strategy",
      "flooding",
      "--every",
      "3600",
      "--warm",
      "2400",
      "--minutes",
      "240",
      "--seeds",
      "4,5",
      "--nodes",
      "50",
      "--churn",
    ]);
    expect(options).toEqual({
      strategy: "flooding",
      everyS: 3600,
      warmUpS: 2400,
      durationS: 240 * 60,
      seeds: [4, 5],
      nodes: 50,
      churn: true,
    });
  });

  it.each([
    [["--every", "ten"], "--every needs a whole number, got 'ten'"],
    [["--every"], "--every needs a whole number, got ''"],
    [["--every", "0"], "--every must be between 1 and 86400, got 0"],
    [["--strategy", "ospf"], "--strategy must be one of none, flooding, nexthop, electric, got 'ospf'"],
    [["--seeds", "1,,2"], "--seeds needs a list like 1,2,3, got '1,,2'"],
    [["--nodes", "1"], "--nodes must be at least 2"],
    [["--minutes", "100000"], "--minutes must be between 1 and 1440, got 100000"],
    [["--fast"], "unknown option '--fast'"],
  ])("refuses %j with one line naming the argument", (args, message) => {
    expect(() => parseLoadBenchArgs(args)).toThrow(message);
  });
});

describe("routing-load run", () => {
  it("reports delivery per seed and, with --churn, still-connected windows around the failure", async () => {
    const write = process.stderr.write;
    const log = console.log;
    const printed: string[] = [];
    process.stderr.write = (() => true) as typeof process.stderr.write;
    console.log = (line: string) => printed.push(line);
    try {
      const rows = await runRoutingLoadBench({
        ...LOAD_BENCH_DEFAULTS,
        nodes: 12,
        warmUpS: 120,
        durationS: 600,
        seeds: [1],
        churn: true,
      });
      expect(rows).toHaveLength(1);
      const [row] = rows;
      expect(row.sent).toBeGreaterThan(0);
      expect(row.deliveryRatio).toBeGreaterThan(0);
      expect(row.deliveryRatio).toBeLessThanOrEqual(1);
      expect(row.failAtS).toBe(120 + 300);
      expect(row.connectedWindows?.map((w) => w.startS)).toEqual([120, 420]);
      const windowSent = row.connectedWindows?.reduce((sum, w) => sum + w.sent, 0) ?? 0;
      expect(windowSent).toBeGreaterThan(0);
      expect(windowSent).toBeLessThanOrEqual(row.sent);
      expect(printed.at(-2)).toMatch(/^mean of 1 seeds: delivered \d+\.\d %/);
      expect(printed.at(-1)).toMatch(
        /^ {2}all seeds pooled, still-connected pairs per 5 min: \d+ \| \d+ \(\d+–\d+ messages per window; 95 % interval up to ±\d+\.\d points\)$/,
      );
    } finally {
      process.stderr.write = write;
      console.log = log;
    }
  });
});

describe("routing-load pooled windows", () => {
  it("sums the seeds' windows position by position", () => {
    const rows = [
      {
        seed: 1,
        sent: 0,
        deliveryRatio: 0,
        airtimePerDeliveredMs: null,
        latencyMedianMs: null,
        connectedWindows: [
          { startS: 600, sent: 10, delivered: 9 },
          { startS: 900, sent: 8, delivered: 4 },
        ],
      },
      {
        seed: 2,
        sent: 0,
        deliveryRatio: 0,
        airtimePerDeliveredMs: null,
        latencyMedianMs: null,
        connectedWindows: [
          { startS: 600, sent: 6, delivered: 6 },
          { startS: 900, sent: 2, delivered: 1 },
        ],
      },
    ];
    expect(pooledWindows(rows)).toEqual([
      { startS: 600, sent: 16, delivered: 15 },
      { startS: 900, sent: 10, delivered: 5 },
    ]);
    expect(pooledWindows([{ ...rows[0], connectedWindows: undefined }])).toEqual([]);
  });

  it("gives the widest 95 % Wilson interval of the windows, in points", () => {
    // n = 100 at 90 %: 1.96·√(0.09/100 + 1.96²/40000) / (1 + 1.96²/100) = 5.96 points.
    expect(windowMarginPoints([{ sent: 100, delivered: 90 }])).toBeCloseTo(5.96, 2);
    // The widest window decides (n = 10 at 50 %: 26.3 points); an empty window has no ratio.
    const windows = [
      { sent: 100, delivered: 90 },
      { sent: 10, delivered: 5 },
      { sent: 0, delivered: 0 },
    ];
    expect(windowMarginPoints(windows)).toBeCloseTo(26.34, 1);
    // All delivered still leaves room below (where a normal approximation would claim ±0).
    expect(windowMarginPoints([{ sent: 50, delivered: 50 }])).toBeCloseTo(3.57, 1);
    expect(windowMarginPoints([])).toBe(0);
  });
});
