/** A progress bar on stderr for long runs — only when stderr is a terminal, so pipes and logs stay clean. */
import type { CommandIo } from './command.ts';

const WIDTH = 30;
const MIN_INTERVAL_MS = 200;

export class ProgressBar {
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly io: CommandIo,
    private readonly label: string,
  ) {
    this.enabled = (io.stderr as { isTTY?: boolean }).isTTY === true;
  }

  /** Redraws at most five times a second. `fraction` in 0..1. */
  update(fraction: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.lastDraw < MIN_INTERVAL_MS) return;
    this.lastDraw = now;
    const filled = Math.round(Math.max(0, Math.min(1, fraction)) * WIDTH);
    this.io.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${Math.floor(fraction * 100)}%`);
  }

  done(): void {
    if (this.enabled && this.lastDraw > 0) this.io.stderr.write(`\r${' '.repeat(this.label.length + WIDTH + 8)}\r`);
  }
}
