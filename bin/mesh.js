#!/usr/bin/env node
// The `mesh` command: runs the compiled host tool from dist/ (built by `npm run build`, which `npm ci` runs).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const entry = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "host", "cli", "main.js");
if (!existsSync(entry)) {
  console.error("mesh: the host tool is not built (dist/ is missing); run `npm run build`");
  process.exit(1);
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
