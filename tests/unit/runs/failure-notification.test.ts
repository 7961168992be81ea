// The alarm-topic message stays bounded whatever the run: SNS takes at most 256 KB per message.
import {
  buildFailureNotification,
  MAX_CAUSE,
  MAX_LISTED,
} from '../../../functions/lib/runs/failure-notification';

const CONTEXT = {
  stage: 'prod',
  region: 'eu-west-1',
  executionArn: 'arn:aws:states:eu-west-1:1:execution:m:e',
};

function failedRecords(count: number, causeLength: number) {
  return Array.from({ length: count }, (_, i) => ({
    table: `db.t${String(i).padStart(4, '0')}`,
    status: 'FAILED' as const,
    job_type: 'glue',
    error: 'States.TaskFailed',
    cause: 'x'.repeat(causeLength),
  }));
}

describe('failure notification', () => {
  it('lists the first failures with causes cut short, and names the command for the rest', () => {
    // Prepare
    const records = failedRecords(5000, 100_000);
    const run = {
      run_id: 'big',
      status: 'FAILED',
      table_count: 5000,
      succeeded: 0,
      failed: 5000,
      skipped: 0,
    };

    // Act
    const notification = buildFailureNotification(run, records, CONTEXT)!;

    // Assess
    const listed = notification.message.split('\n').filter((line) => line.startsWith('- '));
    expect(listed).toHaveLength(MAX_LISTED);
    expect(notification.message).toContain(`x`.repeat(MAX_CAUSE) + '… (99000 more characters)');
    expect(notification.message).toContain(
      `… and ${5000 - MAX_LISTED} more: npm run status -- --stage prod --run-id big`,
    );
    expect(Buffer.byteLength(notification.message)).toBeLessThan(64 * 1024);
    expect(notification.subject.length).toBeLessThanOrEqual(100);
  });

  it("counts the run's failures when given only the ones it lists", () => {
    const run = {
      run_id: 'huge',
      status: 'FAILED',
      table_count: 100_000,
      succeeded: 0,
      failed: 100_000,
      skipped: 0,
    };

    const notification = buildFailureNotification(run, failedRecords(MAX_LISTED, 10), CONTEXT)!;

    expect(notification.subject).toContain('100000 tables failed');
    expect(notification.message).toContain('100000 of 100000 tables failed');
    expect(notification.message).toContain(`… and ${100_000 - MAX_LISTED} more: npm run status`);
  });

  it('is not built for a run without failed tables', () => {
    const run = { run_id: 'ok', status: 'SUCCEEDED', table_count: 1, succeeded: 1, failed: 0, skipped: 0 };

    expect(
      buildFailureNotification(run, [{ table: 'a', status: 'SUCCEEDED', job_type: 'glue' }], CONTEXT),
    ).toBeUndefined();
  });
});
