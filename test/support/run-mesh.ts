// Runs the `mesh` CLI in-process and captures what it prints, for tests of commands and their errors.
import { vi } from "vitest";
import { main } from "../../host/cli/main.js";

export interface MeshRun {
  code: number;
  out: string;
  err: string;
  /** What went to stderr, one entry per console.error call. */
  errLines: string[];
}

export async function runMesh(...args: string[]): Promise<MeshRun> {
  const out: string[] = [];
  const errLines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errLines.push(a.join(" ")));
  try {
    const code = await main(args);
    return { code, out: out.join("\n"), err: errLines.join("\n"), errLines };
  } finally {
    vi.restoreAllMocks();
  }
}
