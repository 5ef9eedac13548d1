#!/usr/bin/env node
// `npm run bench -- <name> [--quick]`: runs a benchmark from the compiled host (dist/).
// Benchmarks compare against baselines in the same run and print ratios; they never fail on time.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const benches = {
  crypto: async (quick) => {
    const { runCryptoBench, printCryptoTable } = await import(
      pathToFileURL(join(root, "dist/host/bench/crypto-bench.js")).href
    );
    printCryptoTable(await runCryptoBench({ quick }));
  },
  sim: async (quick) => {
    const { runSimBench } = await import(pathToFileURL(join(root, "dist/host/bench/sim-bench.js")).href);
    await runSimBench({ quick });
  },
  routing: async (quick) => {
    const { runRoutingBench, ROUTING_STRATEGIES } = await import(
      pathToFileURL(join(root, "dist/host/bench/routing-bench.js")).href
    );
    // `--only a,b`: just these topologies, named with dashes for spaces (e.g. random-200,grid-7×7,churn).
    const at = process.argv.indexOf("--only");
    const only = at > 0 ? process.argv[at + 1]?.split(",") : undefined;
    // `--strategy a,b`: just these strategies (none, flooding, nexthop, electric).
    const strategyAt = process.argv.indexOf("--strategy");
    const strategies = strategyAt > 0 ? process.argv[strategyAt + 1]?.split(",") : undefined;
    const known = ROUTING_STRATEGIES;
    const unknown = strategies?.find((s) => !known.includes(s));
    if (strategies && (strategies.length === 0 || unknown !== undefined)) {
      console.error(
        `bench routing: --strategy takes a list of ${known.join(", ")}; got '${process.argv[strategyAt + 1] ?? ""}'`,
      );
      process.exit(2);
    }
    await runRoutingBench({ quick, only, strategies });
  },
  // `routing-load [--strategy S] [--every S] [--warm S] [--minutes M] [--seeds 1,2,3] [--nodes N] [--churn]`.
  "routing-load": async () => {
    const { parseLoadBenchArgs, runRoutingLoadBench } = await import(
      pathToFileURL(join(root, "dist/host/bench/routing-load-bench.js")).href
    );
    let options;
    try {
      options = parseLoadBenchArgs(process.argv.slice(process.argv.indexOf("routing-load") + 1));
    } catch (error) {
      console.error(`bench routing-load: ${error.message}`);
      process.exit(2);
    }
    await runRoutingLoadBench(options);
  },
  native: async (quick) => {
    const { runNativeBench } = await import(pathToFileURL(join(root, "dist/host/bench/native-bench.js")).href);
    await runNativeBench({ quick });
  },
};

const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith("-"));
if (!name || args.includes("--help") || args.includes("-h")) {
  console.log(
    [
      "Usage: npm run bench -- <name> [--quick]",
      "       npm run bench -- routing [--quick] [--only random-200,churn] [--strategy electric,flooding]",
      "       npm run bench -- routing-load [--quick] [--strategy electric] [--every 600] [--warm 600]",
      "                                     [--minutes 60] [--seeds 1,2,3] [--nodes 200] [--churn]",
      "",
      `Benchmarks: ${Object.keys(benches).join(", ")}`,
    ].join("\n"),
  );
  process.exit(name ? 0 : 2);
}
if (!(name in benches)) {
  console.error(`bench: unknown benchmark '${name}' (have: ${Object.keys(benches).join(", ")})`);
  process.exit(2);
}
if (!existsSync(join(root, "dist/host/bench"))) {
  console.error("bench: dist/ is missing; run `npm run build` first");
  process.exit(1);
}
await benches[name](args.includes("--quick"));
