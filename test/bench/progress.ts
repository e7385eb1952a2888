/** A one-line progress bar on stderr (redrawn in place on a TTY, one line per 10 % otherwise). */
export class ProgressBar {
  private lastDecile = -1;
  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(fraction: number, detail = ''): void {
    const f = Math.max(0, Math.min(1, fraction));
    const width = 30;
    const filled = Math.round(f * width);
    const text = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(f * 100).toFixed(0).padStart(3)}% ${detail}`;
    if (this.stream.isTTY) {
      this.stream.write(
        `\r${text.slice(0, (this.stream.columns ?? 120) - 1).padEnd((this.stream.columns ?? 120) - 1)}`,
      );
    } else {
      const decile = Math.floor(f * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        this.stream.write(`${text}\n`);
      }
    }
  }

  done(detail = ''): void {
    this.update(1, detail);
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
