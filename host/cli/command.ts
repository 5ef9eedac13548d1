// The shape of a `mesh` subcommand: a name, one line for `mesh --help`, its own usage text, and run().

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>;
}
