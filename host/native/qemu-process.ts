// Runs the native firmware under `qemu-system-riscv32 -M virt -bios none`, its one UART (the ns16550
// console) on QEMU's stdin/stdout pipes: binary-safe, no terminal in between, and no monitor
// multiplexed in (with plain -nographic, Ctrl-A in the data would reach QEMU's monitor instead).
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";

export const QEMU_BINARY = "qemu-system-riscv32";

/** Starting QEMU cannot work; `message` is one line that says what to do. */
export class NativeBoardError extends Error {
  override name = "NativeBoardError";
}

export interface QemuProcessOptions {
  /** The firmware ELF QEMU loads with -kernel. */
  elfPath: string;
  /** What the UART wrote. */
  onOutput: (bytes: Uint8Array) => void;
  /** QEMU exited on its own (not through stop()): the guest powered off, or QEMU failed. */
  onExit?: (code: number | null, signal: NodeJS.Signals | null, stderr: string) => void;
  /** Default: qemu-system-riscv32 from PATH. */
  qemuBinary?: string;
  /**
   * Run with -icount (instructions at a fixed virtual rate instead of as fast as the host allows):
   * the value is QEMU's shift, 2^shift ns per instruction. Default off: the board's clock then runs
   * with the wall clock, like the shared air.
   */
  icountShift?: number;
}

/** An executable named `name` on PATH (or the path itself when it contains a slash), or undefined. */
export function findExecutable(name: string, path = process.env.PATH ?? ""): string | undefined {
  const candidates = name.includes("/")
    ? [name]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

/** Throws a NativeBoardError when QEMU or the firmware is missing. */
export function checkQemuPrerequisites(elfPath: string, qemuBinary = QEMU_BINARY): string {
  const qemu = findExecutable(qemuBinary);
  if (!qemu) {
    throw new NativeBoardError(`${qemuBinary} not found: apt-get install qemu-system-misc`);
  }
  if (!existsSync(elfPath)) {
    throw new NativeBoardError(`no firmware at ${elfPath}: run \`mesh build --board qemu-rv32\``);
  }
  return qemu;
}

export function qemuArguments(elfPath: string, icountShift?: number): string[] {
  return [
    "-M",
    "virt",
    "-bios",
    "none",
    "-nographic",
    "-monitor",
    "none",
    // signal=off: a 0x03 byte in a frame is data, not Ctrl-C for QEMU.
    "-chardev",
    "stdio,id=uart,signal=off",
    "-serial",
    "chardev:uart",
    ...(icountShift === undefined ? [] : ["-icount", `shift=${icountShift}`]),
    "-kernel",
    elfPath,
  ];
}

/**
 * QEMU processes still running. A child outlives a Node process that exits without stopping it (a
 * crashed test, Ctrl-C), so one process-wide exit hook kills them, as host/vboard/pty.ts does for
 * socat; this set is the one piece of module state, because the process itself is what it guards.
 */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const each of running) each.kill("SIGKILL");
  });
}

/** How long QEMU gets to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 2000;

export class QemuProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private stderr = "";

  constructor(private readonly options: QemuProcessOptions) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts QEMU; rejects with a NativeBoardError when it cannot. */
  async start(): Promise<void> {
    if (this.child) return;
    const qemu = checkQemuPrerequisites(this.options.elfPath, this.options.qemuBinary);
    this.stopping = false;
    this.stderr = "";
    const child = spawn(qemu, qemuArguments(this.options.elfPath, this.options.icountShift), {
      stdio: ["pipe", "pipe", "pipe"],
    });
    track(child);
    this.child = child;
    child.stdout?.on("data", (chunk: Buffer) => this.options.onOutput(new Uint8Array(chunk)));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (text: string) => {
      if (this.stderr.length < 4096) this.stderr += text;
    });
    // Writing to a QEMU that just died raises EPIPE on stdin; the exit handler reports the death.
    child.stdin?.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", () => resolve());
      child.once("error", (error) => {
        this.child = undefined;
        reject(new NativeBoardError(`cannot start ${qemu}: ${error.message}`));
      });
    });
    child.once("exit", (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (!this.stopping) this.options.onExit?.(code, signal, this.stderr.trim());
    });
  }

  /** Bytes for the UART's receive side. Dropped when QEMU is not running (as on a board held in reset). */
  write(bytes: Uint8Array): void {
    const stdin = this.child?.stdin;
    if (stdin && !stdin.destroyed) stdin.write(bytes);
  }

  /** Stops QEMU and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    child.kill("SIGTERM");
    const forced = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(forced);
    this.child = undefined;
  }

  /** Power-cycles the board: a new QEMU process from the same ELF. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
