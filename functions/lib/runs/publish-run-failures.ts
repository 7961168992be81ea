// Tells the stage's alarm topic about a run that ended with failed tables. Hearing about it must never cost the
// run its result: a publish that fails is reported to the caller (which logs it and counts it), never thrown.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { listRunTables, type CompletedRun, type TrackingStore } from '../tracking/tracking-store';
import { buildFailureNotification, type NotificationContext } from './failure-notification';

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

export async function publishRunFailures(
  run: CompletedRun,
  context: NotificationContext,
  deps: PublishDeps,
): Promise<PublishResult> {
  if (run.failed === 0) return { published: false, reason: 'no failed tables' };
  if (!deps.topicArn) return { published: false, reason: 'no topic' };
  try {
    // Every record, not the summary's first few: the message lists up to its own bound and counts the rest.
    const records = await listRunTables(deps.store, run.run_id);
    const notification = buildFailureNotification(run, records, context);
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
