// `mesh hil`: the hardware-in-the-loop suite on attached boards, or on virtual boards when none are.
import { parseArgs } from "node:util";
import { findBoard } from "../../boards/index.js";
import { type HilResult, type HilTarget, runHilSuite } from "../hil/suite.js";
import { startVirtualBench, type VirtualBench } from "../hil/virtual-bench.js";
import type { Command } from "./command.js";
import { UsageError } from "./errors.js";

const usage = `Usage: mesh hil [--port P --port Q …] [--board NAME] [--no-flash] [--baud N] [--json]

Runs the hardware-in-the-loop suite: flash build/stack.wasm with esptool-js, boot banner, identity,
ping over serial, two boards exchanging messages over the radio at each integrity level (each
sent up to three times: a frame lost on shared air is the radio's, nothing arriving is a failure),
and statistics consistent with what was sent and arrived. One report line per test; exit code 1 if any failed.

Ports come from --port (repeatable) or MESH_HIL_PORTS (comma-separated). With none, two virtual
boards are started on pseudo-terminals and the same suite runs against them.

Options:
  --port P       a board's serial port (give two for the radio tests)
  --board NAME   board definition of the attached boards (default heltec-wifi-lora-32-v3)
  --no-flash     test what the boards already run
  --baud N       flashing baud rate (default 460800)
  --json         one JSON object per test instead of the report`;

async function runHil(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string", multiple: true },
      board: { type: "string", default: "heltec-wifi-lora-32-v3" },
      "no-flash": { type: "boolean", default: false },
      baud: { type: "string", default: "460800" },
      json: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const baud = Number(values.baud);
  if (!Number.isInteger(baud) || baud < 9600 || baud > 5_000_000) {
    throw new UsageError(`--baud: expected an integer from 9600 to 5000000, got '${values.baud}'`);
  }
  const fromEnvironment = (process.env.MESH_HIL_PORTS ?? "").split(/[,\s]+/).filter(Boolean);
  const ports = values.port && values.port.length > 0 ? values.port : fromEnvironment;
  let bench: VirtualBench | undefined;
  let targets: HilTarget[];
  if (ports.length === 0) {
    if (!values.json) console.log("No ports given: starting two virtual boards on pseudo-terminals.");
    bench = await startVirtualBench(2);
    targets = bench.targets;
  } else {
    const board = findBoard(values.board);
    if (!board) throw new UsageError(`--board: no board '${values.board}' (see \`mesh boards\`)`);
    targets = ports.map((port) => ({ port, board, virtual: false }));
  }
  const print = (result: HilResult) => {
    if (values.json) console.log(JSON.stringify(result));
    else
      console.log(
        `${result.ok ? "PASS" : "FAIL"}  ${result.name}  (${result.milliseconds.toFixed(0)} ms)  ${result.detail}`,
      );
  };
  let results: HilResult[];
  try {
    results = await runHilSuite(targets, { flash: !values["no-flash"], baud, onResult: print });
  } finally {
    await bench?.close();
  }
  const failed = results.filter((r) => !r.ok).length;
  if (!values.json) console.log(`\n${results.length - failed} passed, ${failed} failed`);
  return failed === 0 && results.length > 0 ? 0 : 1;
}

export const hilCommand: Command = {
  name: "hil",
  summary: "hardware-in-the-loop tests on attached boards, or on virtual boards when none are",
  usage,
  run: runHil,
};
