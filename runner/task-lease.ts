// A task's lease, seen from the runner: acknowledge it, keep it alive with progress reports, and say when it can
// no longer be trusted to be ours. The endpoint hands a task out again once its reportProgressTimeout has passed
// since the last report it RECEIVED; a report that succeeded was received no earlier than it was sent, so from the
// send time of the last successful report the lease is ours for at least the whole timeout. A runner that has
// heard nothing back for half of it gives up: its command is stopped then and killed by three quarters, before
// anyone else can be given the table. Times are monotonic (performance.now), not wall-clock.
import { ReportTaskProgressCommand } from '@aws-sdk/client-data-pipeline';
import type { DataPipelineClient } from '@aws-sdk/client-data-pipeline';
import { performance } from 'node:perf_hooks';

/** Data Pipeline's rule: a task must be acknowledged within 2 minutes of being handed out. */
export const ACKNOWLEDGE_WINDOW_MS = 2 * 60_000;
/** A report still unanswered after this is abandoned (a busy endpoint may be slow, so not much sooner). */
const REPORT_TIMEOUT_MS = 30_000;

export type LeaseEnd =
  /** The endpoint answered `canceled`: the run was stopped or the state timed out. */
  | { reason: 'CANCELED' }
  /** The endpoint no longer knows the task as ours (expired, finished, taken back). */
  | { reason: 'LOST'; message: string }
  /** No report got through for half the timeout: someone else may soon be given the task. */
  | { reason: 'UNREACHABLE'; message: string };

export interface LeaseOptions {
  /** The task's reportProgressTimeout; the acknowledgement window when the task does not say. */
  timeoutMs: number;
  /** The operator's report cadence; reports are sent at least four times per timeout whatever it says. */
  progressIntervalMs: number;
  warn(message: string, extra?: Record<string, unknown>): void;
}

const describe = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

export class TaskLease {
  /** Send time of the last successful report; until the acknowledgement, the time the task arrived. */
  private heldSince = performance.now();
  private reportTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private released = false;
  private onEnd: (end: LeaseEnd) => void = () => undefined;
  ended?: LeaseEnd;

  readonly reportIntervalMs: number;
  private readonly reportTimeoutMs: number;
  /** From the last successful report, when the command is stopped... */
  readonly giveUpAfterMs: number;
  /** ...and how long it then has before SIGKILL: all of it ends within 3/4 of the timeout. */
  readonly killGraceMs: number;

  constructor(
    private readonly client: DataPipelineClient,
    private readonly taskId: string,
    private readonly options: LeaseOptions,
  ) {
    this.reportIntervalMs = Math.min(options.progressIntervalMs, options.timeoutMs / 4);
    this.giveUpAfterMs = options.timeoutMs / 2;
    this.killGraceMs = options.timeoutMs / 4;
    // Never longer than the lease can wait: the watchdog stops the command at giveUpAfterMs anyway.
    this.reportTimeoutMs = Math.min(this.giveUpAfterMs, Math.max(this.reportIntervalMs, REPORT_TIMEOUT_MS));
  }

  /**
   * The first report, before anything runs: a command starts only under a lease the endpoint confirmed. Retried
   * while the acknowledgement window may still be open; false if the task is not ours to run.
   */
  async acknowledge(): Promise<boolean> {
    const arrivedAt = performance.now();
    for (;;) {
      if (await this.report()) return true;
      if (this.ended || performance.now() - arrivedAt + this.reportIntervalMs > ACKNOWLEDGE_WINDOW_MS) {
        this.ended ??= { reason: 'LOST', message: 'The task could not be acknowledged.' };
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, this.reportIntervalMs));
    }
  }

  /** Keeps reporting while the command runs; `onEnd` is called once if the lease ends first. */
  keep(onEnd: (end: LeaseEnd) => void): void {
    this.onEnd = onEnd;
    this.armWatchdog();
    this.scheduleReport();
  }

  release(): void {
    this.released = true;
    clearTimeout(this.reportTimer);
    clearTimeout(this.watchdog);
  }

  private scheduleReport(): void {
    this.reportTimer = setTimeout(async () => {
      await this.report();
      if (!this.released && !this.ended) this.scheduleReport();
    }, this.reportIntervalMs);
  }

  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    const remaining = this.heldSince + this.giveUpAfterMs - performance.now();
    this.watchdog = setTimeout(
      () =>
        this.end({
          reason: 'UNREACHABLE',
          message: `No progress report reached the endpoint for ${Math.round(this.giveUpAfterMs / 1000)} s (half the task's reportProgressTimeout); the command was stopped before the task could be handed to another runner.`,
        }),
      Math.max(0, remaining),
    );
  }

  /** One ReportTaskProgress; true if the endpoint renewed the lease. */
  private async report(): Promise<boolean> {
    const sentAt = performance.now();
    try {
      const { canceled } = await this.client.send(new ReportTaskProgressCommand({ taskId: this.taskId }), {
        // A report that hangs is as good as a failed one; the next one gets a fresh connection.
        abortSignal: AbortSignal.timeout(this.reportTimeoutMs),
      });
      if (canceled) {
        this.end({ reason: 'CANCELED' });
        return false;
      }
      if (this.released || this.ended) return false;
      this.heldSince = Math.max(this.heldSince, sentAt);
      if (this.watchdog) this.armWatchdog();
      return true;
    } catch (error) {
      if ((error as Error).name === 'TaskNotFoundException') {
        this.end({ reason: 'LOST', message: (error as Error).message });
      } else if (!this.released) {
        this.options.warn('ReportTaskProgress failed', { taskId: this.taskId, error: describe(error) });
      }
      return false;
    }
  }

  private end(end: LeaseEnd): void {
    if (this.released || this.ended) return;
    this.ended = end;
    clearTimeout(this.reportTimer);
    clearTimeout(this.watchdog);
    this.onEnd(end);
  }
}
