#!/usr/bin/env node
// Builds the native firmware (docs/native.md): build/stack.wasm → wasm2c → C, linked with the
// runtime (firmware/native/runtime), the imports and main loop, and a board's HAL.
//
//   node scripts/build-native.mjs --board qemu-rv32 [--out DIR] [--force] [--speed]
//       firmware.elf, firmware-trap-test.elf and bench.elf for qemu-system-riscv32 -M virt; prints
//       the code and RAM budgets and exits non-zero when either exceeds its target by more than 10 %
//       (--budget-code/--budget-ram BYTES override a target). --speed: the generated stack at -O2.
//   node scripts/build-native.mjs --board host [--out DIR] [--force]
//       the x86-64 harness (gcc -O2) the tests and `npm run bench -- native` run, and the libsodium
//       baseline when libsodium-dev is installed.
//
// Outputs are cached: a stamp of every input (the wasm, the C sources, this script, the flags) is kept
// next to them and nothing is rebuilt while it matches. Requires the Debian packages wabt,
// gcc-riscv64-unknown-elf and picolibc-riscv64-unknown-elf (qemu-rv32), gcc and libsodium-dev (host).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const native = join(root, "firmware/native");
const KIB = 1024;

/** Issue 6's targets for the QEMU firmware; the build fails above target × (1 + BUDGET_SLACK). */
export const BUDGETS = { codeBytes: 256 * KIB, ramBytes: 160 * KIB };
const BUDGET_SLACK = 0.1;
/**
 * Wasm calls deeper than this trap (EXHAUSTION) instead of overflowing the C stack (wasm-rt.h). The
 * deepest path measured (boot, Hello, Ping, an Ed25519 Send) runs within 12; 48 leaves 4× room.
 */
const MAX_CALL_DEPTH = 48;
/** C stack beyond the wasm frames: main loop, HAL and tunnel, imports, the trap report. */
const STACK_RESERVE_BYTES = 2 * KIB;

function fail(message) {
  console.error(`build-native: ${message}`);
  process.exit(1);
}

function parseArguments(argv) {
  const options = { board: undefined, out: undefined, force: false, speed: false, budgets: { ...BUDGETS } };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--board") options.board = argv[++i];
    else if (arg === "--out") options.out = argv[++i];
    else if (arg === "--force") options.force = true;
    // The generated stack at -O2 instead of -Os: about 2.4× fewer instructions for Ed25519, ~90 KiB
    // more code (docs/native.md, "Optimisation").
    else if (arg === "--speed") options.speed = true;
    // Override a target (bytes), e.g. to check that an exceeded budget fails the build.
    else if (arg === "--budget-code") options.budgets.codeBytes = Number(argv[++i]);
    else if (arg === "--budget-ram") options.budgets.ramBytes = Number(argv[++i]);
    else if (arg === "--help" || arg === "-h") {
      console.log(
        "Usage: node scripts/build-native.mjs --board qemu-rv32|host [--out DIR] [--force] [--speed] [--budget-code BYTES] [--budget-ram BYTES]",
      );
      process.exit(0);
    } else fail(`unknown argument '${arg}'`);
  }
  if (options.board !== "qemu-rv32" && options.board !== "host") fail("--board must be qemu-rv32 or host");
  options.out = options.out ? resolve(options.out) : join(root, "build/native", options.board);
  return options;
}

function hasTool(tool) {
  return spawnSync(tool, ["--version"], { stdio: "ignore" }).status === 0;
}

function run(tool, args) {
  const result = spawnSync(tool, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) fail(`${tool}: ${result.error.message}`);
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? "");
    process.stderr.write(result.stderr ?? "");
    fail(`${tool} ${args.slice(-3).join(" ")} failed (exit ${result.status})`);
  }
  return result.stdout;
}

function listSources(directory) {
  const files = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    // The ESP-IDF port is built by idf.py, not here.
    if (entry.isDirectory() && entry.name !== "esp-idf") files.push(...listSources(path));
    else if (entry.isFile() && /\.(c|h|S|ld)$/.test(entry.name)) files.push(path);
  }
  return files.sort();
}

function inputStamp(wasmPath, extra) {
  const hash = createHash("sha256");
  hash.update(readFileSync(wasmPath));
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  for (const file of listSources(native)) {
    hash.update(relative(root, file));
    hash.update(readFileSync(file));
  }
  hash.update(JSON.stringify(extra));
  return hash.digest("hex");
}

/** Initial pages of the module's memory (WebAssembly core spec §5.5.8, memory section). */
function initialMemoryPages(wasmPath) {
  const text = run("wasm-objdump", ["-x", "-j", "Memory", wasmPath]);
  const match = /pages: initial=(\d+)/.exec(text);
  if (!match) fail(`${relative(root, wasmPath)}: no memory section`);
  return Number(match[1]);
}

/**
 * The module's distinct function signatures (its type section's count): the runtime's table of
 * registered types is sized to it, as the arena is to the initial memory, so a stack that grows a
 * signature cannot trap at start-up on a table sized by hand.
 */
function functionTypeCount(wasmPath) {
  const text = run("wasm-objdump", ["-h", wasmPath]);
  const match = /^\s*Type start=.* count: (\d+)$/m.exec(text);
  if (!match) fail(`${relative(root, wasmPath)}: no type section`);
  return Number(match[1]);
}

/** The runtime's sizes both native builds compile with: its tables sized from the module. */
function runtimeDefines(wasmPath, arenaPages) {
  return [
    `-DWASM_RT_ARENA_PAGES=${arenaPages}`,
    `-DWASM_RT_MAX_FUNC_TYPES=${functionTypeCount(wasmPath)}`,
    `-DWASM_RT_MAX_CALL_STACK_DEPTH=${MAX_CALL_DEPTH}`,
  ];
}

function generateC(wasmPath, out) {
  const generated = join(out, "gen");
  mkdirSync(generated, { recursive: true });
  // The module name fixes the exported C names: Z_stackZ_<export>.
  run("wasm2c", [wasmPath, "-n", "stack", "-o", join(generated, "stack.c")]);
  return generated;
}

// ---- qemu-rv32 ---------------------------------------------------------------------------------

const RV32_GCC = "riscv64-unknown-elf-gcc";
const RV32_SIZE = "riscv64-unknown-elf-size";

function buildQemu(options, wasmPath) {
  for (const tool of ["wasm2c", RV32_GCC]) {
    if (!hasTool(tool))
      fail(`${tool} not found: apt-get install wabt gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf`);
  }
  const arenaPages = initialMemoryPages(wasmPath);
  const flags = {
    // Zicsr spelled out for the assembler (binutils ≥ 2.38 follows ISA spec 20191213, where CSR
    // instructions left the base ISA); the link uses plain rv32imac so GCC picks picolibc's
    // rv32imac/ilp32 multilib.
    arch: ["-march=rv32imac_zicsr", "-mabi=ilp32"],
    optimize: "-Os",
    stackOptimize: options.speed ? "-O2" : "-Os",
    arenaPages,
    stackReserve: STACK_RESERVE_BYTES,
    maxCallDepth: MAX_CALL_DEPTH,
  };
  const out = options.out;
  const stampPath = join(out, "build.stamp");
  const stamp = inputStamp(wasmPath, flags);
  const budgetsPath = join(out, "budgets.json");
  if (!options.force && existsSync(stampPath) && readFileSync(stampPath, "utf8") === stamp && existsSync(budgetsPath)) {
    console.log(`build-native: ${relative(root, out)} is up to date`);
    return JSON.parse(readFileSync(budgetsPath, "utf8"));
  }
  mkdirSync(join(out, "obj"), { recursive: true });
  const generated = generateC(wasmPath, out);
  const board = join(native, "boards/qemu-rv32");
  const common = [
    ...flags.arch,
    "--specs=picolibc.specs",
    flags.optimize,
    "-g",
    "-DNDEBUG",
    "-ffunction-sections",
    "-fdata-sections",
    ...runtimeDefines(wasmPath, arenaPages),
    `-I${join(native, "runtime")}`,
    `-I${join(native, "hal")}`,
    `-I${native}`,
    `-I${join(native, "bench")}`,
    `-I${board}`,
    `-I${generated}`,
  ];
  const strict = ["-Wall", "-Wextra", "-Werror"];
  const compile = (source, object, extra = []) => {
    run(RV32_GCC, [...common, ...extra, "-c", source, "-o", join(out, "obj", object)]);
    return join(out, "obj", object);
  };
  // The generated code is wabt's, warnings and all; everything else is held to -Werror.
  const objects = {
    stack: compile(join(generated, "stack.c"), "stack.o", ["-w", "-fstack-usage", flags.stackOptimize]),
    runtime: compile(join(native, "runtime/wasm-rt.c"), "wasm-rt.o", strict),
    imports: compile(join(native, "imports.c"), "imports.o", strict),
    log: compile(join(native, "log.c"), "log.o", strict),
    main: compile(join(native, "main.c"), "main.o", strict),
    mainTrapTest: compile(join(native, "main.c"), "main-trap-test.o", [...strict, "-DNATIVE_TRAP_TEST=1"]),
    cryptoOps: compile(join(native, "bench/crypto-ops.c"), "crypto-ops.o", strict),
    start: compile(join(board, "start.S"), "start.o"),
    board: compile(join(board, "board.c"), "board.o", strict),
    hal: compile(join(board, "hal.c"), "hal.o", strict),
    noWifi: compile(join(native, "hal/no-wifi.c"), "no-wifi.o", strict),
    uart: compile(join(board, "uart.c"), "uart.o", strict),
    clock: compile(join(board, "clock.c"), "clock.o", strict),
    crc: compile(join(board, "crc32c.c"), "crc32c.o", strict),
    tunnel: compile(join(board, "tunnel.c"), "tunnel.o", strict),
    benchMain: compile(join(board, "bench-main.c"), "bench-main.o", strict),
  };
  const stackBytes = stackSize(join(out, "obj", "stack.su"));
  const boardObjects = [
    objects.start,
    objects.board,
    objects.hal,
    objects.noWifi,
    objects.uart,
    objects.clock,
    objects.crc,
    objects.tunnel,
  ];
  const runtimeObjects = [objects.stack, objects.runtime, objects.imports, objects.log];
  const link = (name, extraObjects) => {
    const elf = join(out, name);
    run(RV32_GCC, [
      ...common.filter((flag) => !flag.startsWith("-march=")),
      "-march=rv32imac",
      "-nostartfiles",
      `-T${join(board, "board.ld")}`,
      `-Wl,--defsym=__stack_size=${stackBytes.total}`,
      "-Wl,--gc-sections",
      `-Wl,-Map=${elf}.map`,
      ...boardObjects,
      ...runtimeObjects,
      ...extraObjects,
      "-lm",
      "-o",
      elf,
    ]);
    return elf;
  };
  const firmware = link("firmware.elf", [objects.main]);
  link("firmware-trap-test.elf", [objects.mainTrapTest]);
  link("bench.elf", [objects.benchMain, objects.cryptoOps]);
  const budgets = { ...measureBudgets(firmware, arenaPages), stack: stackBytes, stackOptimize: flags.stackOptimize };
  writeFileSync(budgetsPath, `${JSON.stringify(budgets, null, 2)}\n`);
  writeFileSync(stampPath, stamp);
  return budgets;
}

/**
 * The C stack the firmware needs at most: MAX_CALL_DEPTH wasm frames of the largest frame gcc
 * reports for the generated code (-fstack-usage), plus the reserve, rounded up to 1 KiB.
 */
function stackSize(usageFile) {
  let largestFrame = 0;
  for (const line of readFileSync(usageFile, "utf8").split("\n")) {
    const fields = line.split("\t");
    if (fields.length >= 2) largestFrame = Math.max(largestFrame, Number(fields[1]) || 0);
  }
  const total = Math.ceil((MAX_CALL_DEPTH * largestFrame + STACK_RESERVE_BYTES) / KIB) * KIB;
  return { total, largestFrame, maxCallDepth: MAX_CALL_DEPTH, reserve: STACK_RESERVE_BYTES };
}

/** Section sizes of the ELF (`size -A`), split into what a flash MCU keeps in flash and in RAM. */
function measureBudgets(elf, arenaPages) {
  const sections = new Map();
  for (const line of run(RV32_SIZE, ["-A", elf]).split("\n")) {
    const match = /^(\.\S+)\s+(\d+)\s+\d+/.exec(line);
    if (match) sections.set(match[1], Number(match[2]));
  }
  const size = (name) => sections.get(name) ?? 0;
  const initialisedData = size(".data") + size(".tdata");
  // Flash holds the code, constants and the initial image of .data (copied to RAM at reset).
  const codeBytes = size(".text") + size(".rodata") + initialisedData;
  const arenaBytes = arenaPages * 65536;
  const ramBytes = size(".stack") + initialisedData + size(".tbss") + size(".bss");
  return {
    elf: relative(root, elf),
    codeBytes,
    textBytes: size(".text"),
    rodataBytes: size(".rodata"),
    ramBytes,
    stackBytes: size(".stack"),
    dataBytes: initialisedData,
    bssBytes: size(".tbss") + size(".bss"),
    arenaBytes,
    arenaPages,
    targets: BUDGETS,
  };
}

function kib(bytes) {
  return `${(bytes / KIB).toFixed(1)} KiB`;
}

function reportBudgets(budgets, targets) {
  const lines = [
    [
      "code",
      budgets.codeBytes,
      targets.codeBytes,
      `text ${kib(budgets.textBytes)} + rodata ${kib(budgets.rodataBytes)} + data image ${kib(budgets.dataBytes)}`,
    ],
    [
      "ram",
      budgets.ramBytes,
      targets.ramBytes,
      `wasm arena ${kib(budgets.arenaBytes)} (${budgets.arenaPages} pages) + other bss ${kib(budgets.bssBytes - budgets.arenaBytes)} + data ${kib(budgets.dataBytes)} + stack ${kib(budgets.stackBytes)} (${budgets.stack.maxCallDepth} calls × ${budgets.stack.largestFrame} B largest wasm frame + ${kib(budgets.stack.reserve)})`,
    ],
  ];
  let exceeded = false;
  console.log(`budgets of ${budgets.elf} (generated stack at ${budgets.stackOptimize}):`);
  for (const [name, bytes, target, detail] of lines) {
    const limit = Math.floor(target * (1 + BUDGET_SLACK));
    const verdict = bytes <= target ? "ok" : bytes <= limit ? "over target, within 10 %" : "EXCEEDED by more than 10 %";
    if (bytes > limit) exceeded = true;
    console.log(`budget ${name} ${bytes} bytes (${kib(bytes)}) target ${target} bytes (${kib(target)}): ${verdict}`);
    console.log(`  ${detail}`);
  }
  if (exceeded) fail("a budget is exceeded by more than 10 % (docs/native.md, Budgets)");
}

// ---- host (x86-64) -----------------------------------------------------------------------------

function buildHost(options, wasmPath) {
  for (const tool of ["wasm2c", "gcc"]) if (!hasTool(tool)) fail(`${tool} not found: apt-get install wabt gcc`);
  const sodium = existsSync("/usr/include/sodium.h");
  const flags = { optimize: "-O2", sodium, maxCallDepth: MAX_CALL_DEPTH };
  const out = options.out;
  const stampPath = join(out, "build.stamp");
  const stamp = inputStamp(wasmPath, flags);
  const harness = join(out, "harness");
  if (!options.force && existsSync(stampPath) && readFileSync(stampPath, "utf8") === stamp && existsSync(harness)) {
    console.log(`build-native: ${relative(root, out)} is up to date`);
    return;
  }
  mkdirSync(out, { recursive: true });
  const generated = generateC(wasmPath, out);
  const include = [
    `-I${join(native, "runtime")}`,
    `-I${join(native, "hal")}`,
    `-I${native}`,
    `-I${join(native, "bench")}`,
    `-I${generated}`,
  ];
  const common = [
    flags.optimize,
    "-g",
    "-DNDEBUG",
    ...runtimeDefines(wasmPath, initialMemoryPages(wasmPath)),
    ...include,
  ];
  const stackObject = join(out, "stack.o");
  run("gcc", [...common, "-w", "-c", join(generated, "stack.c"), "-o", stackObject]);
  run("gcc", [
    ...common,
    "-Wall",
    "-Wextra",
    "-Werror",
    join(native, "runtime/wasm-rt.c"),
    join(native, "imports.c"),
    join(native, "log.c"),
    join(native, "bench/crypto-ops.c"),
    join(native, "harness/hal-host.c"),
    join(native, "hal/no-wifi.c"),
    join(native, "harness/harness.c"),
    stackObject,
    "-lm",
    "-o",
    harness,
  ]);
  if (sodium) {
    run("gcc", [
      flags.optimize,
      "-Wall",
      "-Wextra",
      "-Werror",
      ...include,
      join(native, "harness/sodium-bench.c"),
      "-lsodium",
      "-o",
      join(out, "sodium-bench"),
    ]);
  } else {
    console.log("build-native: libsodium-dev not installed; the libsodium baseline is not built");
  }
  writeFileSync(stampPath, stamp);
  console.log(`build-native: built ${relative(root, harness)}${sodium ? " and sodium-bench" : ""}`);
}

// ---- one build at a time per output directory ---------------------------------------------------

/** A lock older than this belongs to a build that died; take it over. */
const STALE_LOCK_MS = 10 * 60 * 1000;

/**
 * Test files run in parallel and each asks for the build: the first builds, the others wait here and
 * then find the stamp up to date.
 */
function withBuildLock(out, build) {
  mkdirSync(out, { recursive: true });
  const lock = join(out, "build.lock");
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      closeSync(openSync(lock, "wx"));
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) unlinkSync(lock);
      } catch {
        // Released meanwhile: try again.
      }
      Atomics.wait(pause, 0, 0, 200);
    }
  }
  try {
    return build();
  } finally {
    unlinkSync(lock);
  }
}

// ---- main --------------------------------------------------------------------------------------

const options = parseArguments(process.argv.slice(2));
const wasmPath = join(root, "build/stack.wasm");
if (!existsSync(wasmPath)) fail("build/stack.wasm is missing: run `npm run build:wasm` first");
if (statSync(wasmPath).size === 0) fail("build/stack.wasm is empty");
if (options.board === "qemu-rv32") {
  reportBudgets(
    withBuildLock(options.out, () => buildQemu(options, wasmPath)),
    options.budgets,
  );
} else withBuildLock(options.out, () => buildHost(options, wasmPath));
