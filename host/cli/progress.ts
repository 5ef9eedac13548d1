// A one-line progress bar on stderr for long runs; silent when stderr is not a terminal unless forced.

export class ProgressBar {
  private lastDrawn = -1;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
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
    this.stream.write(
      `\r${this.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(percent).padStart(3)}% ${detail}`,
    );
  }

  done(): void {
    if (this.enabled && this.lastDrawn >= 0) this.stream.write("\n");
  }
}
