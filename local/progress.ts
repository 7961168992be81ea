// The live progress line on stderr while a run goes on (stdout stays free for `--json`). On a terminal the
// line is redrawn in place; in a log or a pipe a new line is written when the counts change, at most once a
// second, so a CI log shows the run's course without thousands of lines.
import { describeWaitingGroups, type WaitingGroup } from './waiting-tables';

export interface ProgressCounts {
  /** Unknown until the config manager has listed the tables. */
  total?: number;
  succeeded: number;
  failed: number;
  running: number;
  /** Runner tables waiting in a worker group's queue (known when the run is followed through its records). */
  waiting?: WaitingGroup[];
}

export function formatProgress(counts: ProgressCounts, elapsedMs: number, nowMs = Date.now()): string {
  const done = counts.succeeded + counts.failed;
  const total = counts.total === undefined ? '?' : String(counts.total);
  return (
    `[${(elapsedMs / 1000).toFixed(0).padStart(3)}s] ${done}/${total} tables done` +
    ` (${counts.succeeded} succeeded, ${counts.failed} failed), ${counts.running} running` +
    (counts.waiting?.length ? `; ${describeWaitingGroups(counts.waiting, nowMs)}` : '')
  );
}

export class ProgressLine {
  private readonly started = Date.now();
  private last = '';
  private lastWrittenAt = 0;
  private pending?: ProgressCounts;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr,
    private readonly interactive = Boolean(stream.isTTY),
  ) {}

  update(counts: ProgressCounts): void {
    this.pending = counts;
    if (this.interactive || Date.now() - this.lastWrittenAt >= 1000) this.flush();
  }

  private flush(): void {
    if (!this.pending) return;
    const line = formatProgress(this.pending, Date.now() - this.started);
    this.pending = undefined;
    // The elapsed time alone changing is not news in a log.
    if (!this.interactive && line.slice(7) === this.last.slice(7)) return;
    this.last = line;
    this.lastWrittenAt = Date.now();
    this.stream.write(this.interactive ? `\r\x1b[K${line}` : `${line}\n`);
  }

  /** Writes the final counts and leaves the cursor on a fresh line. */
  finish(counts?: ProgressCounts): void {
    if (counts) this.pending = counts;
    this.lastWrittenAt = 0;
    this.flush();
    if (this.interactive && this.last) this.stream.write('\n');
  }
}
