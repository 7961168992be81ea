// The message Complete Extract Run publishes to the stage's alarm topic when a run ends with failed tables: what
// an operator needs to act (run, counts, each failure's error and cause, the execution in the console). SNS takes
// at most 256 KB, so the list is bounded: the first MAX_LISTED failures, each cause cut to MAX_CAUSE characters,
// and the command that lists the rest from the tracking table. That keeps it under about 60 KB whatever the run.
import type { TableRecord } from '../tracking/tracking-records';

export const MAX_LISTED = 50;
export const MAX_CAUSE = 1000;
/** SNS's Subject limit: 100 printable ASCII characters. */
const MAX_SUBJECT = 100;

export interface RunCounts {
  run_id: string;
  status: string;
  table_count: number;
  succeeded: number;
  failed: number;
  skipped: number;
}

export interface NotificationContext {
  stage: string;
  region: string;
  /** The execution's ARN (`$$.Execution.Id`). */
  executionArn?: string;
}

export interface FailureNotification {
  subject: string;
  message: string;
}

/** The Step Functions console page of one execution. */
export function executionConsoleUrl(region: string, executionArn: string): string {
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

function cut(text: string | undefined, limit: number): string {
  if (!text) return '';
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length - limit} more characters)` : text;
}

/**
 * The notification for a completed run, or undefined when no table failed (nothing to hear about). `records` may
 * be all of the run's or only the failures to list: the count of failures is the run's when it says more.
 */
export function buildFailureNotification(
  run: RunCounts,
  records: Pick<TableRecord, 'table' | 'status' | 'job_type' | 'error' | 'cause'>[],
  context: NotificationContext,
): FailureNotification | undefined {
  const failed = records
    .filter((record) => record.status === 'FAILED')
    .sort((a, b) => a.table.localeCompare(b.table));
  if (failed.length === 0) return undefined;
  const failedCount = Math.max(failed.length, run.failed);

  const lines = [
    `Extract run ${run.run_id} on stage ${context.stage} ended ${run.status}: ${failedCount} of ${run.table_count} tables failed.`,
    `Succeeded ${run.succeeded}, failed ${run.failed}, skipped ${run.skipped}.`,
  ];
  if (context.executionArn)
    lines.push(`Execution: ${executionConsoleUrl(context.region, context.executionArn)}`);
  lines.push('', 'Failed tables:');
  for (const record of failed.slice(0, MAX_LISTED)) {
    lines.push(`- ${record.table} (${record.job_type}): ${record.error ?? 'no error recorded'}`);
    const cause = cut(record.cause, MAX_CAUSE);
    if (cause) lines.push(`  ${cause.replace(/\n/g, '\n  ')}`);
  }
  const status = `npm run status -- --stage ${context.stage} --run-id ${run.run_id}`;
  if (failedCount > MAX_LISTED) lines.push(`… and ${failedCount - MAX_LISTED} more: ${status}`);
  else lines.push('', `Every record: ${status}`);
  // What the operator does next, once the cause is fixed: extract again only what did not succeed.
  lines.push(
    '',
    `Re-run the tables that did not succeed: npx sls invoke stepf --stage ${context.stage} --name extractPipeline --data '{"rerun_of":"${run.run_id}"}'`,
  );

  const subject = `[${context.stage}] extract run ${run.run_id}: ${failedCount} tables failed`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, MAX_SUBJECT);
  return { subject, message: `${lines.join('\n')}\n` };
}
