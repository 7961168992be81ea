// What Handle Extract Job Run Status counts for one table, as plain values (the handler hands them to Powertools
// Metrics): one of TablesSucceeded, TablesFailed, TablesSkipped (or TablesCancelled), the job's duration where the service reported
// when it started, a runner table's wait in the task queue, a watermark table's success that did not move its
// watermark, and a config validation error for a table the config refused.
import type { JobOutcome } from './job-outcome';

export interface MetricValue {
  name: string;
  unit: 'Count' | 'Seconds';
  value: number;
}

const STATUS_METRIC = {
  SUCCEEDED: 'TablesSucceeded',
  FAILED: 'TablesFailed',
  SKIPPED: 'TablesSkipped',
  CANCELLED: 'TablesCancelled',
} as const;

/** The per-job-type metrics of a recorded outcome (dimension JobType). */
export function outcomeMetrics(outcome: JobOutcome, now: Date): MetricValue[] {
  const values: MetricValue[] = [{ name: STATUS_METRIC[outcome.status], unit: 'Count', value: 1 }];
  const started = outcome.started_at ? Date.parse(outcome.started_at) : NaN;
  if (Number.isFinite(started) && now.getTime() >= started)
    values.push({ name: 'JobDuration', unit: 'Seconds', value: (now.getTime() - started) / 1000 });
  // A runner table's wait for a runner to take it (the task queue's own measure of too few runners).
  if (outcome.queue_wait_seconds !== undefined)
    values.push({ name: 'QueueWait', unit: 'Seconds', value: outcome.queue_wait_seconds });
  // Its next run reads again from the old mark: worth an alarm when a job stops reporting.
  if (outcome.watermark_warning) values.push({ name: 'WatermarksNotMoved', unit: 'Count', value: 1 });
  return values;
}

/** A table refused by the config's schema counts as a config validation error too (no JobType: it may have none). */
export function isConfigValidationFailure(outcome: JobOutcome): boolean {
  return outcome.status === 'FAILED' && outcome.error === 'ConfigValidationError';
}
