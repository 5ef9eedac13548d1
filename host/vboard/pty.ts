// A pair of connected pseudo-terminals made by socat: whatever is written to one end comes out of the
// other, and both ends are real tty devices, so a virtual board can sit on `boardPath` while any
// serial tool (esptool, `mesh flash`, a terminal) opens `hostPath` as if a board were plugged in.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PtyPair {
  /** The end a host tool opens, like /dev/ttyUSB0. */
  hostPath: string;
  /** The end the virtual board serves. */
  boardPath: string;
  /** Stops socat (both ends hang up) and removes the links. */
  close(): Promise<void>;
}

export class PtyError extends Error {
  override name = "PtyError";
}

/** How long socat gets to create both pseudo-terminals before we give up. */
const START_TIMEOUT_MS = 5000;

/**
 * socat processes still running. A child outlives a Node process that exits without closing it (a
 * crashed test run, Ctrl-C), so one process-wide exit hook stops them all; this is the one piece of
 * module state here, because the process itself is what it guards.
 */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(socat: ChildProcess): void {
  running.add(socat);
  socat.once("close", () => running.delete(socat));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of running) child.kill("SIGTERM");
  });
}

export async function openPtyPair(options: { directory?: string } = {}): Promise<PtyPair> {
  const directory = mkdtempSync(join(options.directory ?? tmpdir(), "meshstack-pty-"));
  const hostPath = join(directory, "host");
  const boardPath = join(directory, "board");
  // raw,echo=0: bytes pass untouched in both directions, as over a USB-UART bridge.
  const socat = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${boardPath}`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  track(socat);
  let log = "";
  socat.stderr?.setEncoding("utf8");
  socat.stderr?.on("data", (text: string) => {
    // socat -d -d logs each pty and the transfer loop; keep only enough to explain a failure.
    if (log.length < 4096) log += text;
  });
  const exited = new Promise<void>((resolve) => socat.once("close", () => resolve()));

  try {
    await waitForLinks(socat, [hostPath, boardPath], () => log);
  } catch (error) {
    socat.kill();
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }

  let closing: Promise<void> | null = null;
  return {
    hostPath,
    boardPath,
    close() {
      closing ??= (async () => {
        if (socat.exitCode === null && socat.signalCode === null) socat.kill("SIGTERM");
        await exited;
        rmSync(directory, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

/** Resolves once socat has made both links (it logs "starting data transfer loop" right after). */
function waitForLinks(socat: ChildProcess, links: string[], log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(
      () => finish(new PtyError(`socat did not create the pseudo-terminals: ${log().trim()}`)),
      START_TIMEOUT_MS,
    );
    const finish = (error?: Error) => {
      clearTimeout(deadline);
      clearInterval(poll);
      socat.off("error", onError);
      socat.off("exit", onExit);
      if (error) reject(error);
      else resolve();
    };
    const onError = (error: NodeJS.ErrnoException) =>
      finish(
        error.code === "ENOENT"
          ? new PtyError("socat not found: apt-get install socat")
          : new PtyError(`cannot start socat: ${error.message}`),
      );
    const onExit = (code: number | null) =>
      finish(new PtyError(`socat exited (${code}) before the pseudo-terminals were ready: ${log().trim()}`));
    socat.once("error", onError);
    socat.once("exit", onExit);
    // The links appear within milliseconds; socat has no readiness signal but its log.
    const poll = setInterval(() => {
      if (links.every((link) => existsSync(link)) && log().includes("starting data transfer loop")) finish();
    }, 5);
  });
}
