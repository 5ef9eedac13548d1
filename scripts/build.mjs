#!/usr/bin/env node
// Builds meshstack: the AssemblyScript stack (release + debug WASM) and the TypeScript host (dist/).
// Usage: node scripts/build.mjs [--wasm-only]
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wasmOnly = process.argv.includes("--wasm-only");

mkdirSync(join(root, "build"), { recursive: true });

for (const target of ["release", "debug"]) {
  const { error, stderr } = await asc.main(["--config", "asconfig.json", "--target", target], {
    stdout: process.stdout,
    stderr: process.stderr,
  });
  if (error) {
    console.error(`asc (${target}) failed: ${error.message}`);
    process.exit(1);
  }
  void stderr;
}

const config = JSON.parse(readFileSync(join(root, "asconfig.json"), "utf8"));
for (const target of ["release", "debug"]) {
  const file = config.targets[target].outFile;
  const bytes = statSync(join(root, file)).size;
  const module = new WebAssembly.Module(readFileSync(join(root, file)));
  const memory = WebAssembly.Module.exports(module).find((e) => e.kind === "memory");
  console.log(
    `${file.padEnd(24)} ${String(bytes).padStart(7)} bytes (${(bytes / 1024).toFixed(1)} KiB)` +
      (memory ? "" : "  [no memory export]"),
  );
}

if (!wasmOnly) {
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
  console.log("host compiled to dist/");
}
