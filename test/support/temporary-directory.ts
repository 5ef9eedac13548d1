// A temporary directory that lives as long as the test that made it: vitest's onTestFinished removes
// it whether the test passed or failed, so test runs leave nothing behind in the system's tmpdir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

/** Makes a fresh directory named `prefix`… under the system's tmpdir; call it inside a test. */
export function temporaryDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}
