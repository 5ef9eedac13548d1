// Loads build/stack.wasm (or the debug build) and gives typed access to its exports and memory.
// One call = one independent instance: every node in a simulation gets its own.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../package-info.js";

export type StackBuild = "release" | "debug";

/** Raised when the WASM calls `abort` (an assertion or an out-of-memory in the stack). */
export class StackTrap extends Error {
  override name = "StackTrap";
}

/** The raw exports of stack.wasm; each binding narrows this to what it uses. */
export type StackExports = Record<string, unknown> & { memory: WebAssembly.Memory };

export interface StackInstance {
  exports: StackExports;
  memory: WebAssembly.Memory;
  /** A fresh view of linear memory (memory.grow detaches older views). */
  bytes(): Uint8Array;
}

/**
 * Path of the stack WASM to load. `MESHSTACK_WASM` overrides it (a file path), which lets a developer
 * test a partial build of one part of the stack without touching build/.
 */
export function stackWasmPath(build: StackBuild = "release"): string {
  const override = process.env.MESHSTACK_WASM;
  if (override) return override;
  return join(packageRoot(), "build", build === "release" ? "stack.wasm" : "stack.debug.wasm");
}

const compiled = new Map<StackBuild, WebAssembly.Module>();

async function compile(build: StackBuild): Promise<WebAssembly.Module> {
  let module = compiled.get(build);
  if (!module) {
    const path = stackWasmPath(build);
    if (!existsSync(path)) throw new Error(`meshstack: ${path} is missing; run \`npm run build\` first`);
    module = await WebAssembly.compile(readFileSync(path));
    compiled.set(build, module);
  }
  return module;
}

/** Reads an AssemblyScript string (UTF-16, byte length stored just before it) out of memory. */
function readAssemblyScriptString(memory: WebAssembly.Memory, pointer: number): string {
  if (pointer === 0) return "";
  const byteLength = new Uint32Array(memory.buffer, pointer - 4, 1)[0];
  return Buffer.from(memory.buffer, pointer, byteLength).toString("utf16le");
}

export interface StackImports {
  /** Extra import modules (`bus` for radio drivers, …) merged with `env.abort`. */
  [module: string]: Record<string, WebAssembly.ImportValue>;
}

export async function instantiateStack(
  build: StackBuild = "release",
  imports: StackImports = {},
): Promise<StackInstance> {
  return instantiateStackModule(await compile(build), imports);
}

/** Instantiates a stack image given as bytes (a virtual board boots what is in its flash). */
export async function instantiateStackBytes(wasm: Uint8Array, imports: StackImports = {}): Promise<StackInstance> {
  return instantiateStackModule(await WebAssembly.compile(new Uint8Array(wasm)), imports);
}

async function instantiateStackModule(module: WebAssembly.Module, imports: StackImports): Promise<StackInstance> {
  let memory: WebAssembly.Memory | undefined;
  const env = {
    abort(messagePointer: number, filePointer: number, line: number, column: number): never {
      const message = memory ? readAssemblyScriptString(memory, messagePointer) : "";
      const file = memory ? readAssemblyScriptString(memory, filePointer) : "";
      throw new StackTrap(`stack aborted: ${message || "(no message)"} at ${file}:${line}:${column}`);
    },
    ...(imports.env ?? {}),
  };
  // Imports the caller did not connect (a radio bus, ESP-NOW, UDP in an instance that only does crypto)
  // still resolve; calling one is an error that names it.
  const resolved: Record<string, Record<string, WebAssembly.ImportValue>> = { ...imports, env };
  for (const wanted of WebAssembly.Module.imports(module)) {
    if (wanted.kind !== "function") continue;
    resolved[wanted.module] ??= {};
    const group = resolved[wanted.module];
    if (!(wanted.name in group)) {
      group[wanted.name] = () => {
        throw new StackTrap(`${wanted.module}.${wanted.name} is not connected in this stack instance`);
      };
    }
  }
  const instance = await WebAssembly.instantiate(module, resolved);
  const exports = instance.exports as StackExports;
  memory = exports.memory;
  const mem = memory;
  // One view, renewed only when memory.grow has replaced the buffer: bindings call bytes() per chunk.
  let view = new Uint8Array(mem.buffer);
  const bytes = () => {
    if (view.buffer !== mem.buffer) view = new Uint8Array(mem.buffer);
    return view;
  };
  return { exports, memory: mem, bytes };
}
