// Benchmark timing: each candidate runs in interleaved rounds (so machine noise hits all alike), and
// the median of the rounds is reported. Benchmarks print; they never pass or fail on time.

export interface Candidate {
  name: string;
  run: () => unknown;
}

export interface Measurement {
  name: string;
  /** Median operations per second over the rounds. */
  opsPerSecond: number;
}

/** Calls `run` until about `targetMs` has passed; returns operations per second. */
function timeBatch(run: () => unknown, targetMs: number): number {
  let iterations = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  const targetNs = BigInt(Math.round(targetMs * 1e6));
  while (elapsedNs < targetNs) {
    for (let i = 0; i < 4; i++) run();
    iterations += 4;
    elapsedNs = process.hrtime.bigint() - start;
  }
  return iterations / (Number(elapsedNs) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function measure(candidates: Candidate[], options: { rounds?: number; roundMs?: number } = {}): Measurement[] {
  const rounds = options.rounds ?? 5;
  const roundMs = options.roundMs ?? 150;
  for (const c of candidates) timeBatch(c.run, roundMs / 2); // warm up the JIT
  const samples = candidates.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, c] of candidates.entries()) samples[i].push(timeBatch(c.run, roundMs));
  }
  return candidates.map((c, i) => ({ name: c.name, opsPerSecond: median(samples[i]) }));
}
