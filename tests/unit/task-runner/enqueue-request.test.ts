import {
  InvalidRunnerTaskError,
  parseEnqueueRequest,
} from '../../../functions/lib/task-runner/enqueue-request';

const valid = {
  task_token: 'token',
  run_id: 'run-1',
  table: 'orders',
  attempt: 1,
  worker_group: 'wg',
  command: 'extract.sh',
  fields: { '--table': 'orders' },
};

describe('the enqueue request from the state machine', () => {
  it('applies the Data Pipeline defaults for progress timeout and attempts', () => {
    expect(parseEnqueueRequest(valid)).toMatchObject({
      taskToken: 'token',
      workerGroup: 'wg',
      reportProgressTimeoutSeconds: 900,
      attemptLimit: 3,
      fields: { '--table': 'orders' },
    });
  });

  it.each([
    ['task_token', { task_token: '' }],
    ['worker_group', { worker_group: undefined }],
    ['attempt', { attempt: 0 }],
    ['report_progress_timeout_seconds', { report_progress_timeout_seconds: 30 }],
    ['attempt_limit', { attempt_limit: 11 }],
    ['fields.@status', { fields: { '@status': 'x' } }],
    ['command', { command: 'x'.repeat(10241) }],
  ])('names %s when it is invalid', (field, override) => {
    expect(() => parseEnqueueRequest({ ...valid, ...override })).toThrow(InvalidRunnerTaskError);
    expect(() => parseEnqueueRequest({ ...valid, ...override })).toThrow(`'${field}'`);
  });
});
