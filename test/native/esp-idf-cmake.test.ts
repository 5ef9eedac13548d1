// The ESP-IDF component sizes the runtime from build/stack.wasm as scripts/build-native.mjs does for
// QEMU: the arena from the initial memory, the table of function signatures from the type section.
// ESP-IDF is not installed here, so the component's own reading function is cut out of its
// CMakeLists and run by `cmake -P` against the module, and compared with the module's sections as
// read here from the bytes (WebAssembly core spec §5.5: type section id 1, memory section id 5).
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findExecutable } from "../../host/native/qemu-process.js";
import { packageRoot } from "../../host/package-info.js";
import { stackWasmPath } from "../../host/wasm/load-stack.js";
import { temporaryDirectory } from "../support/temporary-directory.js";

/** Reads an unsigned LEB128 at `at`; returns the value and the offset after it. */
function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

/** The type count and the first memory's initial pages of a WebAssembly module. */
function sectionFacts(module: Uint8Array): { types: number; initialPages: number } {
  let types = -1;
  let initialPages = -1;
  for (let at = 8; at < module.length; ) {
    const id = module[at];
    const [size, body] = leb(module, at + 1);
    if (id === 1) types = leb(module, body)[0];
    if (id === 5) {
      const [, limits] = leb(module, body); // count
      initialPages = leb(module, limits + 1)[0]; // after the limits' flags byte
    }
    at = body + size;
  }
  return { types, initialPages };
}

/** Runs the CMakeLists' stack_wasm_fact calls under `cmake -P` against `wasmPath`; prints what they read. */
function readWithCMake(wasmPath: string) {
  const cmakeLists = readFileSync(join(packageRoot(), "firmware/native/esp-idf/main/CMakeLists.txt"), "utf8");
  const from = cmakeLists.indexOf("  function(stack_wasm_fact");
  const to = cmakeLists.indexOf("\n", cmakeLists.indexOf("  stack_wasm_fact(function_types"));
  if (from < 0 || to < from) throw new Error("CMakeLists.txt no longer defines and calls stack_wasm_fact");
  const script = join(temporaryDirectory("meshstack-cmake-"), "facts.cmake");
  writeFileSync(
    script,
    [
      `set(WASM_OBJDUMP "${findExecutable("wasm-objdump")}")`,
      `set(MESH_STACK_WASM "${wasmPath}")`,
      cmakeLists.slice(from, to),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CMake variable references
      'message("arena ${arena_pages} types ${function_types}")',
    ].join("\n"),
  );
  return spawnSync("cmake", ["-P", script], { encoding: "utf8" });
}

const missing = ["cmake", "wasm-objdump"].filter((tool) => !findExecutable(tool));

describe.skipIf(missing.length > 0)(
  `the ESP-IDF component's reading of build/stack.wasm${missing.length > 0 ? ` (skipped: ${missing.join(", ")} not installed; apt-get install cmake wabt)` : ""}`,
  () => {
    it("finds the module's initial memory and type count, as build-native does", () => {
      const run = readWithCMake(stackWasmPath());
      expect(run.status, run.stderr).toBe(0);
      const facts = sectionFacts(new Uint8Array(readFileSync(stackWasmPath())));
      expect(facts.types).toBeGreaterThan(0);
      expect(run.stderr.trim()).toBe(`arena ${facts.initialPages} types ${facts.types}`);
    });

    it("stops the build naming what it could not read when the module is not one", () => {
      const notWasm = join(temporaryDirectory("meshstack-cmake-"), "stack.wasm");
      writeFileSync(notWasm, "not a module");
      const run = readWithCMake(notWasm);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain(`cannot read the initial memory of ${notWasm}`);
    });
  },
);
