import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runMesh } from "../support/run-mesh.js";
import { temporaryDirectory } from "../support/temporary-directory.js";

const mesh = runMesh;

afterEach(() => vi.restoreAllMocks());

describe("mesh --help", () => {
  it("lists the commands that exist and exits 0", async () => {
    const { code, out } = await mesh("--help");
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: mesh <command>/m);
    expect(out).toMatch(/^ {2}demo /m);
    expect(out).toMatch(/^ {2}sim /m);
  });

  it("shows a command's own usage", async () => {
    const { code, out } = await mesh("demo", "--help");
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: mesh demo/);
  });
});

describe("bad arguments", () => {
  it("an unknown command gets one line naming it and exit 2", async () => {
    const { code, err } = await mesh("frobnicate");
    expect(code).toBe(2);
    expect(err.split("\n")).toHaveLength(1);
    expect(err).toContain("frobnicate");
  });

  it("an unknown option gets one line naming it and exit 2", async () => {
    const { code, err } = await mesh("demo", "--colour", "red");
    expect(code).toBe(2);
    expect(err.split("\n")).toHaveLength(1);
    expect(err).toContain("--colour");
  });

  it("a bad option value gets one line naming the option and exit 2", async () => {
    const { code, err } = await mesh("demo", "--seed", "minus-one");
    expect(code).toBe(2);
    expect(err).toBe("mesh demo: --seed: expected a non-negative integer, got 'minus-one'");
  });
});

describe("mesh demo", () => {
  it("delivers a message at every level and catches the tampered and the replayed frame", async () => {
    const { code, out } = await mesh("demo", "--seed", "3", "--message", "hi there");
    expect(code).toBe(0);
    for (const level of ["crc32c", "blake2b", "siphash", "ed25519"]) expect(out).toContain(`[${level}] "hi there"`);
    expect(out.match(/bob accepted 8 B \(intact\)/g)?.length).toBe(5);
    expect(out).toContain("alice tries entry 0 again: KeySpent");
    expect(out).toMatch(/rejectedEd25519 +1/);
    expect(out).toMatch(/spentKey +1/);
    expect(out).toContain("Both attacks were caught and counted.");
  });
});

describe("mesh sim", () => {
  const scenarioFile = (content: string) => {
    const dir = temporaryDirectory("mesh-sim-");
    const file = join(dir, "scenario.json");
    writeFileSync(file, content);
    return file;
  };

  it("prints the JSON summary with the fields tools read", async () => {
    const { code, out } = await mesh("sim", "--scenario", "examples/two-nodes.json", "--json");
    expect(code).toBe(0);
    const result = JSON.parse(out);
    expect(result.messages).toMatchObject({ sent: 20, delivered: 20 });
    expect(result.airtimeMs).toBeGreaterThan(0);
    expect(result.frames).toHaveProperty("sent");
    expect(result.frames).toHaveProperty("collided");
    expect(result.nodes.map((n: { id: string }) => n.id)).toEqual(["a", "b"]);
  });

  it("prints a readable summary that says there is no routing yet", async () => {
    const { code, out } = await mesh("sim", "--nodes", "5", "--duration", "120", "--seed", "2");
    expect(code).toBe(0);
    expect(out).toMatch(/^Simulated 5 nodes for 120 s/);
    expect(out).toMatch(/no routing/);
  });

  it("--compare runs one scenario under each strategy and prints a row for each", async () => {
    const line = {
      seed: 4,
      durationS: 300,
      radio: { kind: "lora", environment: "suburban", shadowingSigmaDb: 0 },
      nodes: [0, 1, 2, 3].map((i) => ({ id: `n${i}`, x: i * 800, y: 0 })),
      traffic: [{ from: "n0", to: "n3", everyS: 30, bytes: 40, integrity: "blake2b", startS: 60 }],
      events: [{ atS: 200, fail: "n1" }],
      routing: "none",
      hopLimit: 5,
    };
    const file = scenarioFile(JSON.stringify(line));
    const text = await mesh("sim", "--scenario", file, "--compare", "flooding,electric");
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^Simulated 4 nodes for 300 s .* under 2 strategies, hop limit 5/);
    const rows = text.out.split("\n").filter((l) => /^(flooding|electric) +\d/.test(l));
    expect(rows.map((r) => r.split(/ +/)[0])).toEqual(["flooding", "electric"]);
    // The same traffic under both: the "sent" column agrees.
    expect(new Set(rows.map((r) => r.split(/ +/)[1])).size).toBe(1);
    expect(text.out).toMatch(/^ {2}electric +[\d—]/m); // its per-minute delivery between connected pairs
    const json = await mesh("sim", "--scenario", file, "--compare", "nexthop,electric", "--json");
    expect(json.code).toBe(0);
    const { strategies } = JSON.parse(json.out);
    expect(Object.keys(strategies)).toEqual(["nexthop", "electric"]);
    expect(strategies.nexthop.routing.strategy).toBe("nexthop");
    expect(strategies.electric.routing.strategy).toBe("electric");
    expect(strategies.nexthop.messages.sent).toBe(strategies.electric.messages.sent);
    // Messages that need hops: with routing they arrive, without it they cannot.
    expect(strategies.electric.messages.delivered).toBeGreaterThan(0);
  });

  const badRuns: [string, string[], RegExp][] = [
    ["a malformed field", ["--scenario", 'FILE:{"durationS": -1}'], /durationS: expected 1 to/],
    ["a file that is not JSON", ["--scenario", "FILE:{nope"], /not JSON/],
    ["a missing file", ["--scenario", "/nonexistent/x.json"], /cannot read '\/nonexistent\/x.json': ENOENT/],
    ["a bad node count", ["--nodes", "many"], /^mesh sim: --nodes: expected an integer from 2 to 2000, got 'many'$/],
    ["an unknown preset", ["--nodes", "3", "--preset", "SF99"], /--preset: expected one of/],
    [
      "an unknown routing strategy",
      ["--nodes", "3", "--routing", "ospf"],
      /--routing: expected one of none, flooding, nexthop, electric/,
    ],
    [
      "an unknown strategy to compare",
      ["--nodes", "3", "--compare", "electric,ospf"],
      /^mesh sim: --compare: expected strategies from none, flooding, nexthop, electric, got 'ospf'$/,
    ],
    ["a strategy compared twice", ["--nodes", "3", "--compare", "electric,electric"], /'electric' is named twice/],
    ["--routing with --compare", ["--nodes", "3", "--routing", "electric", "--compare", "none"], /--routing cannot/],
    [
      "a message too big for a compared routing strategy",
      [
        "--scenario",
        `FILE:${JSON.stringify({ ...JSON.parse(readFileSync("examples/two-nodes.json", "utf8")), traffic: [{ from: "a", to: "b", everyS: 30, bytes: 1180 }] })}`,
        "--compare",
        "none,electric",
      ],
      /traffic\[0\]\.bytes: expected 12 to 1128 with electric/,
    ],
    [
      "both --scenario and --nodes",
      ["--scenario", "x.json", "--nodes", "3"],
      /--nodes cannot be combined with --scenario/,
    ],
  ];
  for (const [what, args, message] of badRuns) {
    it(`answers ${what} with one line naming it and exit 2`, async () => {
      const resolved = args.map((a) => (a.startsWith("FILE:") ? scenarioFile(a.slice(5)) : a));
      const { code, err } = await mesh("sim", ...resolved);
      expect(code).toBe(2);
      expect(err.split("\n")).toHaveLength(1);
      expect(err).toMatch(message);
    });
  }
});

describe("the installed bin", () => {
  const built = existsSync(new URL("../../dist/host/cli/main.js", import.meta.url));
  it.runIf(built)("runs the compiled tool: `mesh --help` exits 0", () => {
    const out = execFileSync(process.execPath, ["bin/mesh.js", "--help"], { encoding: "utf8" });
    expect(out).toMatch(/^ {2}demo /m);
    const bad = spawnSync(process.execPath, ["bin/mesh.js", "nope"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
  });
});
