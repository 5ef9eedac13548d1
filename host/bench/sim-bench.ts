// `npm run bench -- sim`: simulated node-seconds per wall second for 100 and 1,000 nodes, each sending
// one 100-byte message a minute, for a simulated hour (`--quick`: ten minutes). The baseline in the
// same run is real time (how many times faster than the air the simulator runs) and the smaller mesh
// (how the cost grows with size). Target (issue #3): the 1,000-node hour in under 2 minutes.
import { ProgressBar } from "../cli/progress.js";
import { randomScenario } from "../sim/scenario.js";
import { runSimulation } from "../sim/simulation.js";
import { textTable } from "../text-table.js";

export async function runSimBench(options: { quick?: boolean } = {}): Promise<void> {
  const durationS = options.quick ? 600 : 3600;
  const rows: string[][] = [];
  let smallRate = 0;
  for (const nodes of [100, 1000]) {
    const scenario = randomScenario({ nodes, seed: 1, durationS, everyS: 60, bytes: 100, integrity: "blake2b" });
    const started = performance.now();
    const progress = new ProgressBar(`${nodes} nodes`);
    const result = await runSimulation(scenario, { onProgress: (fraction) => progress.update(fraction) });
    const wall = (performance.now() - started) / 1000;
    progress.finish(`${wall.toFixed(1)} s`);
    const nodeSecondsPerSecond = (nodes * durationS) / wall;
    if (nodes === 100) smallRate = nodeSecondsPerSecond;
    rows.push([
      String(nodes),
      String(durationS),
      wall.toFixed(1),
      Math.round(nodeSecondsPerSecond).toString(),
      `${(durationS / wall).toFixed(1)}×`,
      nodes === 100 ? "1.00×" : `${(nodeSecondsPerSecond / smallRate).toFixed(2)}×`,
      `${result.messages.delivered}/${result.messages.sent}`,
      nodes === 1000 && durationS === 3600 ? (wall < 120 ? "yes (< 120 s)" : "NO (≥ 120 s)") : "",
    ]);
  }
  const header = ["nodes", "sim s", "wall s", "node-s per s", "vs real time", "vs 100 nodes", "delivered", "target"];
  for (const line of textTable(header, rows, 0)) console.log(line);
}
