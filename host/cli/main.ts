// `mesh`: the meshstack host tool. Dispatches to subcommands; bad arguments give one line and exit 2.

import { packageVersion } from "../package-info.js";
import { boardsCommand } from "./boards.js";
import { buildCommand } from "./build.js";
import type { Command } from "./command.js";
import { demoCommand } from "./demo.js";
import { UsageError } from "./errors.js";
import { flashCommand } from "./flash.js";
import { hilCommand } from "./hil.js";
import { monitorCommand } from "./monitor.js";
import { portsCommand } from "./ports.js";
import { simCommand } from "./sim.js";
import { vboardCommand } from "./vboard.js";

const commands: Command[] = [
  simCommand,
  demoCommand,
  boardsCommand,
  portsCommand,
  monitorCommand,
  flashCommand,
  buildCommand,
  vboardCommand,
  hilCommand,
];

function version(): string {
  return packageVersion();
}

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "mesh — the meshstack host tool",
    "",
    "Usage: mesh <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Options:",
    "  -h, --help     show this help, or a command's help with `mesh <command> --help`",
    "  -V, --version  print the version",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    const command = commands.find((c) => c.name === topic);
    console.log(command ? command.usage : help());
    return 0;
  }
  if (name === "-V" || name === "--version") {
    console.log(version());
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`mesh: unknown command '${name}' (try \`mesh --help\`)`);
    return 2;
  }
  if (rest.includes("-h") || rest.includes("--help")) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
    ) {
      console.error(`mesh ${name}: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}
