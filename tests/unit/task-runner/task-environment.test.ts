import {
  environmentVariableFor,
  parsePeriodMs,
  summarizeTask,
  taskEnvironment,
} from '../../../runner/task-environment';
import { runnerFailureReason } from '../../../functions/lib/task-runner/set-task-status';
import { failureCause } from '../../../functions/lib/task-runner/task-outcome';
import { toTaskObject } from '../../../functions/lib/task-runner/task-object';
import type { TaskItem } from '../../../functions/lib/task-runner/task-item';

const task: TaskItem = {
  taskId: 'task-1',
  taskToken: 'token',
  runId: 'run-9',
  table: 'orders',
  attempt: 1,
  leaseAttempt: 1,
  attemptLimit: 3,
  workerGroup: 'wg',
  command: 'extract.sh',
  fields: { '--table': 'orders', '--target-path': 's3://lake/orders/', '--s3.bucket': 'lake' },
  reportProgressTimeoutSeconds: 900,
  status: 'LEASED',
  queuedAt: '2026-11-25T10:00:00.000Z',
  scheduledStartTime: '2026-11-25T10:00:00.000Z',
};

describe('task fields as environment variables', () => {
  it('maps job arguments to EXTRACT_* names', () => {
    expect(environmentVariableFor('--table')).toBe('EXTRACT_TABLE');
    expect(environmentVariableFor('--target-path')).toBe('EXTRACT_TARGET_PATH');
    expect(environmentVariableFor('--s3.bucket')).toBe('EXTRACT_S3_BUCKET');
  });

  it('passes job arguments and task identity, not Data Pipeline bookkeeping fields', () => {
    const env = taskEnvironment(summarizeTask(toTaskObject(task)));
    expect(env).toEqual({
      EXTRACT_TABLE: 'orders',
      EXTRACT_TARGET_PATH: 's3://lake/orders/',
      EXTRACT_S3_BUCKET: 'lake',
      EXTRACT_TASK_ID: 'task-1',
      EXTRACT_ATTEMPT_ID: '@orders_run-9_Attempt=1',
      EXTRACT_RUN_ID: 'run-9',
      EXTRACT_WORKER_GROUP: 'wg',
    });
  });
});

describe("the task's reportProgressTimeout", () => {
  it('is read from the task in milliseconds, in any Data Pipeline period unit', () => {
    expect(summarizeTask(toTaskObject(task)).reportProgressTimeoutMs).toBe(900_000);
    expect(parsePeriodMs('15 minutes')).toBe(900_000);
    expect(parsePeriodMs('1 hour')).toBe(3_600_000);
    expect(parsePeriodMs('soon')).toBeUndefined();
    expect(parsePeriodMs('0 seconds')).toBeUndefined();
  });
});

describe('the failure cause sent to Step Functions', () => {
  it('joins the message and the stack trace', () => {
    expect(runnerFailureReason('boom', 'at line 1')).toBe('boom\nat line 1');
  });

  it('is JSON the tracking record reads, within 32768 characters, keeping the end of the reason', () => {
    const cause = failureCause(task, `${'"m'.repeat(40_000)}the end`);
    expect(cause.length).toBeLessThanOrEqual(32768);
    expect(cause.length).toBeGreaterThan(32000);
    expect(JSON.parse(cause)).toMatchObject({
      taskId: 'task-1',
      attemptId: '@orders_run-9_Attempt=1',
      attempt: 1,
      reason: expect.stringMatching(/the end$/),
    });
  });
});
