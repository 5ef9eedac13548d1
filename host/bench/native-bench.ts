// `npm run bench -- native`: the stack AOT-compiled to C (wasm2c + firmware/native/runtime, gcc -O2)
// against Debian's libsodium on this x86-64 machine, for Ed25519 sign/verify, X25519, ChaCha20 and
// BLAKE2b. Both are separate processes (build/native/host/harness and sodium-bench, built by
// scripts/build-native.mjs --board host); each round runs one of each, alternating, and the table
// shows the median of the rounds. Issue 6's target: libsodium-time / ours ≥ 0.33 (within 3×).
// Benchmarks print; they never pass or fail on time.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../package-info.js";
import { textTable } from "../text-table.js";

export interface NativeRow {
  operation: string;
  /** Median nanoseconds per operation. */
  oursNs: number;
  sodiumNs: number | undefined;
  /** libsodium time / ours: 1 = as fast as libsodium, 0.33 = three times slower. */
  ratio: number | undefined;
}

/** What the harness and sodium-bench print: one JSON object of nanoseconds per operation. */
type Timings = Record<string, number>;

const TARGET_RATIO = 1 / 3;

function runJson(program: string, args: string[]): Timings {
  const result = spawnSync(program, args, { encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`${program} failed (exit ${result.status}): ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as Timings;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function formatNs(ns: number | undefined): string {
  if (ns === undefined) return "-";
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(1)} µs` : `${ns.toFixed(0)} ns`;
}

export async function runNativeBench(options: { quick?: boolean } = {}): Promise<NativeRow[]> {
  const root = packageRoot();
  const build = spawnSync(process.execPath, [join(root, "scripts/build-native.mjs"), "--board", "host"], {
    cwd: root,
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error("native bench: scripts/build-native.mjs --board host failed");
  const harness = join(root, "build/native/host/harness");
  const sodium = join(root, "build/native/host/sodium-bench");
  const haveSodium = existsSync(sodium);

  const rounds = options.quick ? 3 : 9;
  const iterations = String(options.quick ? 10 : 100);
  const ours: Timings[] = [];
  const theirs: Timings[] = [];
  // Warm-up (page cache, CPU frequency), then alternate so machine noise hits both alike.
  runJson(harness, ["bench", "2"]);
  for (let round = 0; round < rounds; round++) {
    ours.push(runJson(harness, ["bench", iterations]));
    if (haveSodium) theirs.push(runJson(sodium, [iterations]));
  }
  const rows: NativeRow[] = Object.keys(ours[0]).map((operation) => {
    const oursNs = median(ours.map((t) => t[operation]));
    const sodiumNs = haveSodium ? median(theirs.map((t) => t[operation])) : undefined;
    return { operation, oursNs, sodiumNs, ratio: sodiumNs === undefined ? undefined : sodiumNs / oursNs };
  });
  printNativeTable(rows, rounds, haveSodium);
  return rows;
}

export function printNativeTable(rows: NativeRow[], rounds: number, haveSodium: boolean): void {
  const header = ["operation", "ours (wasm2c, gcc -O2)", "libsodium", "libsodium/ours", "target ≥ 0.33"];
  const lines = rows.map((r) => [
    r.operation,
    formatNs(r.oursNs),
    formatNs(r.sodiumNs),
    r.ratio === undefined ? "-" : r.ratio.toFixed(2),
    r.ratio === undefined ? "" : r.ratio >= TARGET_RATIO ? "met" : "not met",
  ]);
  for (const line of textTable(header, lines)) console.log(line);
  console.log(`\nmedian of ${rounds} alternating rounds per column; Ed25519 messages are 64 bytes.`);
  if (!haveSodium)
    console.log("libsodium column empty: install libsodium-dev and rebuild (scripts/build-native.mjs --board host).");
}
