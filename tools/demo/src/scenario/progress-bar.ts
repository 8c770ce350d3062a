/**
 * A one-line progress bar on the terminal, hand-written because it is twenty lines: a dependency such as
 * cli-progress would bring more configuration than the demo has output. On a terminal the line is
 * redrawn in place (at most ten times a second); when the output is a file or a pipe, a plain line is
 * written at every tenth of the way instead, so logs of a demo run stay readable.
 */

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** `label [██████░░░░] 123/300  41%  detail`, fitted to `columns`. Pure. */
export function renderProgress(
  label: string,
  done: number,
  total: number,
  detail: string,
  columns: number,
): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const count = `${String(done).padStart(String(total).length)}/${total}`;
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  const fixed = `${label} [] ${count} ${percent}`;
  const room = columns - fixed.length - (detail ? detail.length + 2 : 0);
  const width = Math.max(10, Math.min(40, room));
  const filled = Math.round(ratio * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  return `${label} [${bar}] ${count} ${percent}${detail ? `  ${detail}` : ''}`;
}

export class ProgressBar {
  private done = 0;
  private detail = '';
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lastTenth = -1;
  private lastLine = '';

  constructor(
    private readonly out: ProgressOutput,
    private readonly label: string,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Advances by `n` and redraws if due. */
  tick(n = 1, detail?: string): void {
    this.done += n;
    if (detail !== undefined) this.detail = detail;
    this.draw(false);
  }

  /** Changes the text after the bar without advancing. */
  describe(detail: string): void {
    this.detail = detail;
    this.draw(false);
  }

  /** Draws the final state and ends the line. */
  finish(detail?: string): void {
    if (detail !== undefined) this.detail = detail;
    this.draw(true);
    if (this.out.isTTY) this.out.write('\n');
  }

  private draw(force: boolean): void {
    const line = renderProgress(this.label, this.done, this.total, this.detail, this.out.columns ?? 100);
    if (this.out.isTTY) {
      const now = this.now();
      if (!force && now - this.lastDraw < 100 && this.done < this.total) return;
      this.lastDraw = now;
      this.out.write(`\r${line}\x1b[K`);
      return;
    }
    const tenth = this.total > 0 ? Math.floor((this.done / this.total) * 10) : 10;
    if (tenth > this.lastTenth || (force && line !== this.lastLine)) {
      this.lastTenth = tenth;
      this.lastLine = line;
      this.out.write(`${line}\n`);
    }
  }
}
