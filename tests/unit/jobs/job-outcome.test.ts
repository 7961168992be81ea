// Reading a table's outcome out of what its job state produced: the .sync result, or the Catch's Error/Cause.
import { JOB_TYPES } from '../../../functions/lib/config/extract-config';
import { describeJobOutcome } from '../../../functions/lib/jobs/job-outcome';

const STARTED_ISO = '2023-11-14T22:13:20.000Z';
const STARTED_MS = Date.parse(STARTED_ISO);

describe('job outcome: Glue', () => {
  it('reads the run id, start time and attempts of a succeeded run', () => {
    const result = { Id: 'jr_ok', Attempt: 0, JobRunState: 'SUCCEEDED', StartedOn: STARTED_MS };

    expect(describeJobOutcome('glue', result, undefined)).toEqual({
      status: 'SUCCEEDED',
      job_run_id: 'jr_ok',
      started_at: STARTED_ISO,
      attempts: 1,
    });
  });

  it("reads a failed run out of the Cause: Glue's Attempt 1 is the second attempt, ErrorMessage the cause", () => {
    // Prepare
    const error = {
      Error: 'States.TaskFailed',
      Cause: '{"Id":"jr_1","Attempt":1,"ErrorMessage":"boom","StartedOn":1700000000000}',
    };

    // Act
    const outcome = describeJobOutcome('glue', undefined, error);

    // Assess
    expect(outcome).toEqual({
      status: 'FAILED',
      job_run_id: 'jr_1',
      started_at: STARTED_ISO,
      attempts: 2,
      error: 'States.TaskFailed',
      cause: 'boom',
    });
  });

  it('keeps the whole Cause when the JSON has no ErrorMessage', () => {
    const cause = '{"Id":"jr_2","Attempt":0,"JobRunState":"TIMEOUT"}';

    const outcome = describeJobOutcome('glue', undefined, { Error: 'States.TaskFailed', Cause: cause });

    expect(outcome).toMatchObject({ job_run_id: 'jr_2', attempts: 1, cause });
  });

  it('keeps a Cause that is not JSON as it is', () => {
    const error = {
      Error: 'Glue.ConcurrentRunsExceededException',
      Cause: 'Concurrent runs exceeded for extract-dev (Service: Glue; Status Code: 400)',
    };

    expect(describeJobOutcome('glue', undefined, error)).toEqual({
      status: 'FAILED',
      job_run_id: undefined,
      started_at: undefined,
      attempts: 1,
      error: 'Glue.ConcurrentRunsExceededException',
      cause: 'Concurrent runs exceeded for extract-dev (Service: Glue; Status Code: 400)',
    });
  });
});

describe('job outcome: EMR Serverless', () => {
  it('reads the run id and creation time of a succeeded run (epoch seconds)', () => {
    const result = { JobRun: { JobRunId: '00f1abc', CreatedAt: STARTED_MS / 1000, State: 'SUCCESS' } };

    expect(describeJobOutcome('emr', result, undefined)).toEqual({
      status: 'SUCCEEDED',
      job_run_id: '00f1abc',
      started_at: STARTED_ISO,
      attempts: 1,
    });
  });

  it('reads a failed run out of a camel-case Cause, StateDetails as the cause', () => {
    const cause = JSON.stringify({
      jobRun: {
        jobRunId: '00f2def',
        createdAt: STARTED_ISO,
        state: 'FAILED',
        stateDetails: 'Spark driver OOM',
      },
    });

    const outcome = describeJobOutcome('emr', undefined, { Error: 'States.TaskFailed', Cause: cause });

    expect(outcome).toEqual({
      status: 'FAILED',
      job_run_id: '00f2def',
      started_at: STARTED_ISO,
      attempts: 1,
      error: 'States.TaskFailed',
      cause: 'Spark driver OOM',
    });
  });

  it('reads a Cause that is the job run itself, without a JobRun wrapper', () => {
    const cause = JSON.stringify({ JobRunId: '00f3', StateDetails: 'Job run timed out' });

    const outcome = describeJobOutcome('emr', undefined, { Error: 'States.Timeout', Cause: cause });

    expect(outcome).toMatchObject({
      job_run_id: '00f3',
      cause: 'Job run timed out',
      error: 'States.Timeout',
    });
  });
});

describe('job outcome: ECS', () => {
  const taskArn = 'arn:aws:ecs:eu-west-1:123456789012:task/extract/0123456789abcdef';

  it('reads the task ARN and start time of a succeeded task', () => {
    const result = {
      TaskArn: taskArn,
      LastStatus: 'STOPPED',
      StartedAt: STARTED_MS,
      Containers: [{ ExitCode: 0 }],
    };

    expect(describeJobOutcome('ecs', result, undefined)).toEqual({
      status: 'SUCCEEDED',
      job_run_id: taskArn,
      started_at: STARTED_ISO,
      attempts: 1,
    });
  });

  it("joins the stopped reason, the container's reason and its exit code into the cause", () => {
    // Prepare
    const cause = JSON.stringify({
      TaskArn: taskArn,
      CreatedAt: STARTED_MS,
      StoppedReason: 'Essential container in task exited',
      Containers: [{ Name: 'extract', ExitCode: 2, Reason: 'OutOfMemoryError: Container killed' }],
    });

    // Act
    const outcome = describeJobOutcome('ecs', undefined, { Error: 'States.TaskFailed', Cause: cause });

    // Assess
    expect(outcome).toEqual({
      status: 'FAILED',
      job_run_id: taskArn,
      started_at: STARTED_ISO,
      attempts: 1,
      error: 'States.TaskFailed',
      cause: 'Essential container in task exited; OutOfMemoryError: Container killed; exit code 2',
    });
  });

  it('keeps the whole Cause when the task description has no reason at all', () => {
    const cause = JSON.stringify({ TaskArn: taskArn, Containers: [] });

    expect(describeJobOutcome('ecs', undefined, { Error: 'States.TaskFailed', Cause: cause }).cause).toBe(
      cause,
    );
  });
});

describe('job outcome: any job type', () => {
  it('truncates a long cause to 4000 characters and marks the cut', () => {
    const cause = `${'x'.repeat(4000)}${'y'.repeat(1000)}`;

    const outcome = describeJobOutcome('glue', undefined, { Error: 'States.TaskFailed', Cause: cause });

    expect(outcome.cause).toHaveLength(4001);
    expect(outcome.cause).toBe(`${'x'.repeat(4000)}…`);
  });

  it('truncates a long error message read out of a JSON Cause too', () => {
    const cause = JSON.stringify({ Id: 'jr_3', ErrorMessage: 'e'.repeat(6000) });

    const outcome = describeJobOutcome('glue', undefined, { Error: 'States.TaskFailed', Cause: cause });

    expect(outcome.cause).toBe(`${'e'.repeat(4000)}…`);
  });

  it('keeps a cause of exactly 4000 characters whole', () => {
    const cause = 'z'.repeat(4000);

    expect(describeJobOutcome('glue', undefined, { Error: 'E', Cause: cause }).cause).toBe(cause);
  });

  it('names an empty error UnknownError', () => {
    expect(describeJobOutcome('glue', undefined, { Error: '', Cause: 'x' }).error).toBe('UnknownError');
  });

  it("records an item the config manager refused with the item's own error and cause", () => {
    const error = {
      Error: 'TableNotInConfigError',
      Cause: 'hr.salaries: tables_to_extract names a table that is not in the extract config',
    };

    expect(describeJobOutcome('unknown', undefined, error)).toMatchObject({
      status: 'FAILED',
      error: 'TableNotInConfigError',
      cause: 'hr.salaries: tables_to_extract names a table that is not in the extract config',
    });
  });

  it('fails an unknown job type that produced neither a result nor an error, naming the value', () => {
    expect(describeJobOutcome('dms', undefined, undefined)).toEqual({
      status: 'FAILED',
      attempts: 0,
      error: 'UnknownJobTypeError',
      cause: `job_type 'dms' is not supported (expected one of ${JOB_TYPES.join(', ')})`,
    });
  });

  it('treats a null result like no result', () => {
    expect(describeJobOutcome('glue', null, undefined)).toMatchObject({
      status: 'FAILED',
      error: 'UnknownJobTypeError',
    });
  });

  it('ignores a start time it cannot read', () => {
    const result = { Id: 'jr_4', StartedOn: 'not a date' };

    expect(describeJobOutcome('glue', result, undefined).started_at).toBeUndefined();
  });
});

describe('an ECS task that .sync reports as a success', () => {
  // Step Functions developer guide, "Run Amazon ECS or Fargate tasks": "Run a Job or Task Token: If a non-empty
  // Failures field is encountered, the task is failed with an AmazonECS.Unknown error." Nothing there fails the
  // state on a container's exit code, so the status handler reads it.
  it('is FAILED with the exit code when its container exited non-zero', () => {
    const result = {
      TaskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/extract/abc',
      StoppedReason: 'Essential container in task exited',
      Containers: [{ Name: 'extract', ExitCode: 3 }],
    };

    expect(describeJobOutcome('ecs', result, undefined)).toMatchObject({
      status: 'FAILED',
      job_run_id: result.TaskArn,
      error: 'NonZeroExitCode',
      cause: 'container extract exited with code 3: Essential container in task exited',
    });
  });

  it('is SUCCEEDED when every container exited 0', () => {
    const result = { TaskArn: 'arn:task', Containers: [{ Name: 'extract', ExitCode: 0 }] };
    expect(describeJobOutcome('ecs', result, undefined).status).toBe('SUCCEEDED');
  });
});
