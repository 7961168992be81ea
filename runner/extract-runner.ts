// The runner loop: poll the task-runner endpoint for one worker group, run each task's approved command, keep its
// lease alive with progress reports, and report how it ended. It talks only through an injected Data Pipeline
// client, so tests drive it against the local endpoint without spawning the CLI.
import {
  PollForTaskCommand,
  ReportTaskProgressCommand,
  ReportTaskRunnerHeartbeatCommand,
  SetTaskStatusCommand,
} from '@aws-sdk/client-data-pipeline';
import type { DataPipelineClient, TaskObject } from '@aws-sdk/client-data-pipeline';
import { RUNNER_HEARTBEAT_INTERVAL_SECONDS } from '../functions/lib/task-runner/runner-limits';
import { commandEnvironment } from './command-environment';
import type { ApprovedCommands } from './commands-file';
import { DEFAULT_KILL_GRACE_MS, runCommand } from './run-command';
import type { CommandResult, CommandSpec, RunningCommand } from './run-command';
import { summarizeTask, taskEnvironment } from './task-environment';
import type { TaskSummary } from './task-environment';
import { ACKNOWLEDGE_WINDOW_MS, TaskLease } from './task-lease';
import type { LeaseEnd } from './task-lease';
import { createWatermarkFile, type WatermarkFile } from './watermark-file';

export interface RunnerLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

export interface RunnerOptions {
  workerGroup: string;
  concurrency: number;
  hostname: string;
  taskrunnerId: string;
  /** Data Pipeline asks runners to report every 60 s; the first report (the acknowledgement) is sent at once. */
  progressIntervalMs: number;
  /** ReportTaskRunnerHeartbeat cadence: `status --runners` counts a runner live from it (runner-limits.ts). */
  heartbeatIntervalMs: number;
  /** After SIGTERM, how long running tasks may take before they are stopped and reported FAILED. */
  shutdownGraceMs: number;
  pollErrorBackoffMs: number;
  /** Between SIGTERM and SIGKILL when a command is stopped (capped by a quarter of the task's timeout). */
  killGraceMs: number;
  /** The operator's approved commands: the only ones this runner starts (runner/commands-file.ts). */
  commands?: ApprovedCommands;
  /** Data Pipeline's free shell: a command that is not an approved name runs as `bash -c`. Off by default. */
  allowShell: boolean;
  logger: RunnerLogger;
  stdout?: NodeJS.WritableStream;
}

export const DEFAULT_RUNNER_OPTIONS = {
  concurrency: 1,
  progressIntervalMs: 60_000,
  heartbeatIntervalMs: RUNNER_HEARTBEAT_INTERVAL_SECONDS * 1000,
  shutdownGraceMs: 5 * 60_000,
  pollErrorBackoffMs: 5_000,
  killGraceMs: DEFAULT_KILL_GRACE_MS,
  allowShell: false,
} as const;

/** errorId of a task whose command this runner's operator did not approve. */
export const COMMAND_NOT_APPROVED = 'CommandNotApproved';
/** errorId of a task stopped because no progress report got through (it may be handed out again). */
export const PROGRESS_REPORTS_FAILED = 'ProgressReportsFailed';

export type TaskOutcome =
  | { taskId: string; status: 'FINISHED' }
  | { taskId: string; status: 'FAILED'; errorId: string }
  | { taskId: string; status: 'CANCELED' }
  | { taskId: string; status: 'LOST'; error: string };

export const ERROR_MESSAGE_TAIL_CHARS = 4096;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

interface ActiveTask {
  command: RunningCommand;
  stoppedForShutdown: boolean;
}

export class ExtractRunner {
  private stopping = false;
  private readonly stopController = new AbortController();
  private readonly active = new Map<string, ActiveTask>();
  private readonly inFlight = new Set<Promise<TaskOutcome>>();
  readonly outcomes: TaskOutcome[] = [];

  constructor(
    private readonly client: DataPipelineClient,
    private readonly options: RunnerOptions,
  ) {}

  /** Resolves once the runner was stopped and every task it took has ended. */
  async run(): Promise<void> {
    const heartbeats = this.heartbeatLoop();
    while (!this.stopping) {
      // One poll at a time, and only with a free slot, as the Data Pipeline protocol expects of a runner.
      if (this.inFlight.size >= this.options.concurrency) {
        await Promise.race(this.inFlight);
        continue;
      }
      const task = await this.poll();
      if (!task) continue;
      const running = this.runTask(task);
      this.inFlight.add(running);
      void running.then(() => this.inFlight.delete(running));
    }
    await Promise.all(this.inFlight);
    await heartbeats;
  }

  /** A second signal: stop every running command now (SIGTERM, then SIGKILL after the kill grace). */
  stopNow(): void {
    this.stop();
    for (const [taskId, task] of this.active) {
      this.options.logger.warn('Stopping task now', { taskId });
      task.stoppedForShutdown = true;
      task.command.stop();
    }
  }

  /**
   * Stops polling at once (an in-flight poll is abandoned; a task it might have been handed is taken back by the
   * endpoint after the 2-minute acknowledgement window) and lets running tasks finish within the grace period.
   */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopController.abort();
    this.options.logger.info('Stopping: no new tasks', { running: this.active.size });
    const grace = setTimeout(() => {
      for (const [taskId, task] of this.active) {
        this.options.logger.warn('Grace period over; stopping task', { taskId });
        task.stoppedForShutdown = true;
        task.command.stop();
      }
    }, this.options.shutdownGraceMs);
    grace.unref();
  }

  private async poll(): Promise<TaskObject | undefined> {
    try {
      const { taskObject } = await this.client.send(
        new PollForTaskCommand({ workerGroup: this.options.workerGroup, hostname: this.options.hostname }),
        { abortSignal: this.stopController.signal },
      );
      return taskObject?.taskId ? taskObject : undefined;
    } catch (error) {
      if (this.stopping) return undefined;
      this.options.logger.warn('PollForTask failed; backing off', { error: describe(error) });
      await sleep(this.options.pollErrorBackoffMs, this.stopController.signal);
      return undefined;
    }
  }

  private async runTask(taskObject: TaskObject): Promise<TaskOutcome> {
    const outcome = await this.executeTask(taskObject);
    this.outcomes.push(outcome);
    this.options.logger.info('Task ended', { ...outcome });
    return outcome;
  }

  private async executeTask(taskObject: TaskObject): Promise<TaskOutcome> {
    const task = summarizeTask(taskObject);
    const { taskId } = task;
    this.options.logger.info('Task received', { taskId, attemptId: task.attemptId, runId: task.runId });
    if (task.command === undefined) {
      return this.setStatus(taskId, 'FAILED', {
        errorId: 'UnsupportedTask',
        errorMessage: `This runner only runs commands; the task has type ${task.type ?? 'unknown'}.`,
      });
    }
    const approved = this.approve(task.command);
    if ('refused' in approved) {
      this.options.logger.warn('Command refused', { taskId, command: clip(task.command, 200) });
      return this.setStatus(taskId, 'FAILED', {
        errorId: COMMAND_NOT_APPROVED,
        errorMessage: approved.refused,
      });
    }
    const lease = new TaskLease(this.client, taskId, {
      timeoutMs: task.reportProgressTimeoutMs ?? ACKNOWLEDGE_WINDOW_MS,
      progressIntervalMs: this.options.progressIntervalMs,
      warn: this.options.logger.warn,
    });
    if (!(await lease.acknowledge())) return this.leaseOutcome(taskId, lease.ended!);
    const killGraceMs = Math.min(this.options.killGraceMs, lease.killGraceMs);
    const watermarkFile = await createWatermarkFile(task);
    try {
      return await this.runApproved(task, approved, lease, killGraceMs, watermarkFile);
    } finally {
      await watermarkFile?.remove();
    }
  }

  private async runApproved(
    task: TaskSummary,
    approved: { spec: CommandSpec; environment: string[] },
    lease: TaskLease,
    killGraceMs: number,
    watermarkFile: WatermarkFile | undefined,
  ): Promise<TaskOutcome> {
    const { taskId } = task;
    const command = runCommand(approved.spec, {
      env: {
        ...commandEnvironment(approved.environment, taskEnvironment(task)),
        ...(watermarkFile ? { EXTRACT_WATERMARK_FILE: watermarkFile.path } : {}),
      },
      stdout: this.options.stdout,
      killGraceMs,
    });
    const active: ActiveTask = { command, stoppedForShutdown: false };
    this.active.set(taskId, active);
    lease.keep((end) => {
      this.options.logger.warn('Lease ended; stopping the command', { taskId, ...end });
      command.stop(killGraceMs);
    });
    let result: CommandResult;
    try {
      result = await command.result;
    } finally {
      lease.release();
      this.active.delete(taskId);
    }
    // Once the lease ended the task may be someone else's: whatever the exit code, it is never reported done here.
    if (lease.ended) return this.leaseOutcome(taskId, lease.ended, result);
    if (active.stoppedForShutdown) {
      return this.setStatus(taskId, 'FAILED', {
        errorId: 'RunnerShutdown',
        errorMessage: withTail('The runner was shut down before the command finished.', result.stderrTail),
      });
    }
    if (result.exitCode === 0) {
      if (watermarkFile) await this.reportWatermark(taskId, watermarkFile);
      return this.setStatus(taskId, 'FINISHED', {});
    }
    const errorId =
      result.exitCode === null ? `Signal${result.signal ?? 'Unknown'}` : `ExitCode${result.exitCode}`;
    const how =
      result.exitCode === null ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    return this.setStatus(taskId, 'FAILED', {
      errorId,
      errorMessage: withTail(`Command ${how}.`, result.stderrTail),
    });
  }

  /**
   * The high-water mark the command wrote, sent in ReportTaskProgress `fields` before FINISHED (SetTaskStatus has
   * no fields). Nothing written, or a report that fails, still finishes the task: the table succeeds and its
   * watermark stays where it was, with a warning on the table record.
   */
  private async reportWatermark(taskId: string, file: WatermarkFile): Promise<void> {
    const written = await file.read();
    if ('problem' in written) {
      this.options.logger.warn('No watermark to report', { taskId, reason: written.problem });
      return;
    }
    try {
      await this.client.send(
        new ReportTaskProgressCommand({ taskId, fields: [{ key: 'watermark', stringValue: written.value }] }),
      );
    } catch (error) {
      this.options.logger.warn('Reporting the watermark failed', { taskId, error: describe(error) });
    }
  }

  /** The program, arguments and allowed environment for a task's `command`, or why it is refused. */
  private approve(name: string): { spec: CommandSpec; environment: string[] } | { refused: string } {
    const { commands, allowShell } = this.options;
    const shared = commands?.environment ?? [];
    const entry = commands?.commands.get(name);
    if (entry) {
      return { spec: { file: entry.file, args: entry.args }, environment: [...shared, ...entry.environment] };
    }
    if (allowShell) return { spec: { file: 'bash', args: ['-c', name] }, environment: shared };
    const approvedNames = [...(commands?.commands.keys() ?? [])];
    return {
      refused:
        `Command ${JSON.stringify(clip(name, 200))} is not one this runner's operator approved, so it was not run. ` +
        `A runner table's command must name an entry of the runner's commands file` +
        (approvedNames.length ? ` (${clip(approvedNames.join(', '), 1000)}).` : '.'),
    };
  }

  /** A task whose lease ended: a canceled or lost one gets no report; an unreachable one is reported FAILED. */
  private async leaseOutcome(taskId: string, end: LeaseEnd, result?: CommandResult): Promise<TaskOutcome> {
    switch (end.reason) {
      case 'CANCELED':
        return { taskId, status: 'CANCELED' };
      case 'LOST':
        return { taskId, status: 'LOST', error: end.message };
      case 'UNREACHABLE':
        // If the endpoint is back before the lease ran out, this ends the attempt at once instead of at expiry.
        return this.setStatus(taskId, 'FAILED', {
          errorId: PROGRESS_REPORTS_FAILED,
          errorMessage: withTail(end.message, result?.stderrTail ?? ''),
        });
    }
  }

  private async setStatus(
    taskId: string,
    taskStatus: 'FINISHED' | 'FAILED',
    details: { errorId?: string; errorMessage?: string },
  ): Promise<TaskOutcome> {
    try {
      await this.client.send(new SetTaskStatusCommand({ taskId, taskStatus, ...details }));
    } catch (error) {
      return { taskId, status: 'LOST', error: describe(error) };
    }
    return taskStatus === 'FINISHED'
      ? { taskId, status: 'FINISHED' }
      : { taskId, status: 'FAILED', errorId: details.errorId ?? 'TaskFailed' };
  }

  private async heartbeatLoop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.client.send(
          new ReportTaskRunnerHeartbeatCommand({
            taskrunnerId: this.options.taskrunnerId,
            workerGroup: this.options.workerGroup,
            hostname: this.options.hostname,
          }),
          { abortSignal: this.stopController.signal },
        );
      } catch (error) {
        if (!this.stopping) this.options.logger.warn('Runner heartbeat failed', { error: describe(error) });
      }
      await sleep(this.options.heartbeatIntervalMs, this.stopController.signal);
    }
  }
}

/** errorMessage has no length limit in the API, so it carries the stderr tail; errorStackTrace is capped at 1 KB. */
function withTail(message: string, stderrTail: string): string {
  const tail = stderrTail.slice(-ERROR_MESSAGE_TAIL_CHARS);
  return tail ? `${message}\n--- stderr (last ${tail.length} characters) ---\n${tail}` : message;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
