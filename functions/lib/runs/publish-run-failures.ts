// Tells the stage's alarm topic about a run that ended with failed tables. Hearing about it must never cost the
// run its result: a publish that fails is reported to the caller (which logs it and counts it), never thrown.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { TableRecord } from '../tracking/tracking-records';
import { runTablePages, type TrackingStore } from '../tracking/tracking-store';
import type { CompletedRun } from './complete-run';
import { buildFailureNotification, MAX_LISTED, type NotificationContext } from './failure-notification';

export interface PublishDeps {
  sns: SNSClient;
  store: TrackingStore;
  /** The stage's alarm topic; none (local mode without SNS) publishes nothing. */
  topicArn?: string;
}

export type PublishResult =
  | { published: false; reason: 'no failed tables' | 'no topic' }
  | { published: true; messageId?: string; bytes: number }
  | { published: false; reason: 'publish failed'; error: Error };

/**
 * The run's FAILED records that the message lists (the first MAX_LISTED by table name), read a page at a time:
 * a run of 100,000 failed tables, each cause up to 4,000 characters, would not fit in the function's memory.
 */
async function firstFailures(store: TrackingStore, runId: string): Promise<TableRecord[]> {
  const first: TableRecord[] = [];
  for await (const page of runTablePages(store, runId)) {
    for (const record of page) {
      if (record.status !== 'FAILED') continue;
      // Pages come in key order, close to name order: most records are after the last listed one.
      const last = first[MAX_LISTED - 1];
      if (last && record.table.localeCompare(last.table) >= 0) continue;
      const at = first.findIndex((listed) => record.table.localeCompare(listed.table) < 0);
      if (at >= 0) first.splice(at, 0, record);
      else first.push(record);
      if (first.length > MAX_LISTED) first.pop();
    }
  }
  return first;
}

export async function publishRunFailures(
  run: CompletedRun,
  context: NotificationContext,
  deps: PublishDeps,
): Promise<PublishResult> {
  if (run.failed === 0) return { published: false, reason: 'no failed tables' };
  if (!deps.topicArn) return { published: false, reason: 'no topic' };
  try {
    // Every record, not the summary's first few: the message lists up to its own bound and counts the rest.
    const notification = buildFailureNotification(run, await firstFailures(deps.store, run.run_id), context);
    if (!notification) return { published: false, reason: 'no failed tables' };
    const response = await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.topicArn,
        Subject: notification.subject,
        Message: notification.message,
      }),
    );
    return {
      published: true,
      messageId: response.MessageId,
      bytes: Buffer.byteLength(notification.message),
    };
  } catch (error) {
    return { published: false, reason: 'publish failed', error: error as Error };
  }
}
