// A one-line progress bar on stderr for long runs; silent when stderr is not a terminal unless forced
// (piped to a file or a CI log, every redraw would pile up on one line).

export class ProgressBar {
  private lastDrawn = -1;
  private drawnWidth = 0;

  constructor(
    private readonly label: string,
    private readonly stream: { write(text: string): unknown } = process.stderr,
    private readonly enabled = Boolean(process.stderr.isTTY),
  ) {}

  /** Redraws when the whole percentage changes. */
  update(fraction: number, detail = ""): void {
    if (!this.enabled) return;
    const percent = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
    if (percent === this.lastDrawn) return;
    this.lastDrawn = percent;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    const line = `${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(percent).padStart(3)}% ${detail}`;
    this.drawnWidth = Math.max(this.drawnWidth, line.length);
    this.stream.write(`\r${line}`);
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.enabled && this.lastDrawn >= 0) this.stream.write("\n");
  }

  /** Replaces the bar with "label: result" on a terminal; elsewhere writes that line alone. */
  finish(result: string): void {
    const line = `${this.label}: ${result}`;
    this.stream.write(this.enabled ? `\r${line.padEnd(this.drawnWidth)}\n` : `${line}\n`);
  }
}
