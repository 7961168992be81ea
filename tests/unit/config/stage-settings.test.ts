// The stage settings the Lambdas read from their environment (set from config/<stage>.yml).
import { StageSettingsError } from '../../../functions/lib/errors';
import {
  readTrackingSettings,
  readUploadTriggerSettings,
} from '../../../functions/lib/config/stage-environment';
import { readStageSettings } from '../../../functions/lib/config/stage-settings';
import { readTaskRunnerSettings } from '../../../functions/lib/task-runner/task-runner-config';

const REQUIRED = {
  STAGE: 'dev',
  TRACKING_TABLE: 'extract-pipeline-dev-tracking',
  CONFIG_BUCKET: 'extract-pipeline-dev-config',
  DEFAULT_CONFIG_KEY: 'extract-config/extract-config.yml',
};

function rejection(
  env: NodeJS.ProcessEnv,
  read: (env: NodeJS.ProcessEnv) => unknown = readStageSettings,
): string {
  try {
    read(env);
  } catch (error) {
    expect(error).toBeInstanceOf(StageSettingsError);
    return (error as Error).message;
  }
  throw new Error('expected a StageSettingsError');
}

describe('stage settings', () => {
  it('fills every optional setting with its default', () => {
    expect(readStageSettings(REQUIRED)).toEqual({
      stage: 'dev',
      trackingTable: 'extract-pipeline-dev-tracking',
      configBucket: 'extract-pipeline-dev-config',
      defaultConfigKey: 'extract-config/extract-config.yml',
      maxConcurrency: 10,
      maxTablesPerRun: 500,
      // A stack packaged before the quotas existed: every job type at maxConcurrency.
      concurrency: { glue: 10, emr: 10, ecs: 10, runner: 10, workerGroups: {} },
      runItemsPrefix: 'runs/',
      glue: {
        jobName: undefined,
        allowedJobNames: [],
        allowedSpecialArguments: [],
        numberOfWorkers: 2,
        workerType: 'G.1X',
        timeoutMinutes: 120,
      },
      emr: {
        applicationId: undefined,
        executionRoleArn: undefined,
        entryPoint: undefined,
        allowedSparkSubmitParameters: [],
        allowedEntryPoints: [],
        timeoutMinutes: 120,
      },
      ecs: {
        cluster: undefined,
        taskDefinition: undefined,
        containerName: undefined,
        subnets: [],
        securityGroups: [],
      },
    });
  });

  it('reads numbers from their environment strings', () => {
    const settings = readStageSettings({
      ...REQUIRED,
      MAX_CONCURRENCY: '4',
      MAX_TABLES_PER_RUN: '50',
      GLUE_NUMBER_OF_WORKERS: '10',
      GLUE_TIMEOUT_MINUTES: '60',
      EMR_TIMEOUT_MINUTES: '30',
    });

    expect(settings).toMatchObject({
      maxConcurrency: 4,
      maxTablesPerRun: 50,
      glue: { numberOfWorkers: 10, timeoutMinutes: 60 },
      emr: { timeoutMinutes: 30 },
    });
  });

  it('reads the concurrency quotas from their JSON text, worker groups by name', () => {
    const settings = readStageSettings({
      ...REQUIRED,
      CONCURRENCY_QUOTAS: JSON.stringify({
        glue: 2,
        emr: 3,
        ecs: 4,
        runner: 5,
        workerGroups: { 'onprem db, eu=1': 1 },
      }),
    });

    expect(settings.concurrency).toEqual({
      glue: 2,
      emr: 3,
      ecs: 4,
      runner: 5,
      workerGroups: { 'onprem db, eu=1': 1 },
    });
  });

  it.each([
    ['not JSON', 'glue=2', 'CONCURRENCY_QUOTAS: must be JSON'],
    [
      'a quota of 0',
      JSON.stringify({ glue: 0, emr: 1, ecs: 1, runner: 1, workerGroups: {} }),
      'CONCURRENCY_QUOTAS.glue: Too small: expected number to be >=1',
    ],
    [
      'a worker group quota that is no number',
      JSON.stringify({ glue: 1, emr: 1, ecs: 1, runner: 1, workerGroups: { a: 'two' } }),
      'CONCURRENCY_QUOTAS.workerGroups.a: Invalid input: expected number, received string',
    ],
  ])('rejects concurrency quotas with %s, naming the quota', (_, value, message) => {
    expect(rejection({ ...REQUIRED, CONCURRENCY_QUOTAS: value })).toContain(message);
  });

  it('fails with a StageSettingsError naming TRACKING_TABLE when it is missing', () => {
    const { TRACKING_TABLE: _missing, ...env } = REQUIRED;

    expect(rejection(env)).toBe('Invalid stage settings in the Lambda environment: TRACKING_TABLE: not set');
  });

  it('names every missing required setting at once', () => {
    const message = rejection({});

    for (const name of ['STAGE', 'TRACKING_TABLE', 'CONFIG_BUCKET', 'DEFAULT_CONFIG_KEY'])
      expect(message).toContain(`${name}: `);
  });

  it.each([
    ['MAX_CONCURRENCY', '0', 'Too small: expected number to be >=1'],
    ['MAX_CONCURRENCY', '1001', 'Too big: expected number to be <=1000'],
    ['MAX_CONCURRENCY', 'five', 'Invalid input: expected number, received NaN'],
    ['GLUE_NUMBER_OF_WORKERS', '2.5', 'Invalid input: expected int, received number'],
  ])('rejects %s=%j, naming it', (name, value, message) => {
    expect(rejection({ ...REQUIRED, [name]: value })).toContain(`${name}: ${message}`);
  });

  it('splits comma-separated lists and trims each item, dropping empty ones', () => {
    const settings = readStageSettings({
      ...REQUIRED,
      ECS_SUBNETS: ' subnet-0aaa , subnet-0bbb,,',
      ECS_SECURITY_GROUPS: 'sg-0aaa',
      GLUE_ALLOWED_JOB_NAMES: 'extract-dev ,extract-dev-large',
    });

    expect(settings.ecs.subnets).toEqual(['subnet-0aaa', 'subnet-0bbb']);
    expect(settings.ecs.securityGroups).toEqual(['sg-0aaa']);
    expect(settings.glue.allowedJobNames).toEqual(['extract-dev', 'extract-dev-large']);
  });

  it('reads an empty list as no items', () => {
    expect(readStageSettings({ ...REQUIRED, ECS_SUBNETS: '' }).ecs.subnets).toEqual([]);
  });

  it('always allows the default Glue job, even when the allowed list omits it', () => {
    const settings = readStageSettings({
      ...REQUIRED,
      GLUE_JOB_NAME: 'extract-dev',
      GLUE_ALLOWED_JOB_NAMES: 'extract-dev-large',
    });

    expect(settings.glue).toMatchObject({
      jobName: 'extract-dev',
      allowedJobNames: ['extract-dev', 'extract-dev-large'],
    });
  });

  it('lists the default Glue job once when the allowed list repeats it', () => {
    const settings = readStageSettings({
      ...REQUIRED,
      GLUE_JOB_NAME: 'extract-dev',
      GLUE_ALLOWED_JOB_NAMES: 'extract-dev-large,extract-dev',
    });

    expect(settings.glue.allowedJobNames).toEqual(['extract-dev', 'extract-dev-large']);
  });

  it('trims optional names and reads a blank one as unset', () => {
    const settings = readStageSettings({
      ...REQUIRED,
      GLUE_JOB_NAME: '  ',
      EMR_APPLICATION_ID: ' 00fabc123example ',
      ECS_CLUSTER: '',
    });

    expect(settings.glue.jobName).toBeUndefined();
    expect(settings.glue.allowedJobNames).toEqual([]);
    expect(settings.emr.applicationId).toBe('00fabc123example');
    expect(settings.ecs.cluster).toBeUndefined();
  });
});

describe('the run items prefix', () => {
  it('is read from RUN_ITEMS_PREFIX', () => {
    expect(readStageSettings({ ...REQUIRED, RUN_ITEMS_PREFIX: 'pipeline/runs/' }).runItemsPrefix).toBe(
      'pipeline/runs/',
    );
  });

  it.each(['runs', '/runs/', 'runs//', ''])('rejects %j, naming RUN_ITEMS_PREFIX', (prefix) => {
    expect(() => readStageSettings({ ...REQUIRED, RUN_ITEMS_PREFIX: prefix })).toThrow(/RUN_ITEMS_PREFIX/);
  });
});

describe("each handler's settings", () => {
  it('reads only the tracking table for the status and completion handlers', () => {
    expect(readTrackingSettings({ TRACKING_TABLE: 'tracking' })).toEqual({ trackingTable: 'tracking' });
    expect(rejection({ STAGE: 'dev' }, readTrackingSettings)).toBe(
      'Invalid stage settings in the Lambda environment: TRACKING_TABLE: not set',
    );
  });

  it('reads the state machine and the trigger prefix for the upload trigger', () => {
    const arn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:extract-pipeline-dev';
    expect(readUploadTriggerSettings({ STATE_MACHINE_ARN: arn, TRIGGER_PREFIX: 'extract-config/' })).toEqual({
      stateMachineArn: arn,
      triggerPrefix: 'extract-config/',
    });
    expect(readUploadTriggerSettings({ STATE_MACHINE_ARN: arn }).triggerPrefix).toBe('');
    expect(rejection({}, readUploadTriggerSettings)).toBe(
      'Invalid stage settings in the Lambda environment: STATE_MACHINE_ARN: not set',
    );
  });

  it('reads the task queue and the poll timings for the task-runner functions, with defaults', () => {
    expect(
      readTaskRunnerSettings({
        TASK_QUEUE_TABLE: 'queue',
        AWS_REGION: 'eu-west-1',
        POLL_WINDOW_SECONDS: '20',
        POLL_INTERVAL_MS: '',
      }),
    ).toEqual({
      tableName: 'queue',
      region: 'eu-west-1',
      pollWindowMs: 20_000,
      pollIntervalMs: expect.any(Number),
    });
    expect(rejection({ POLL_WINDOW_SECONDS: '0' }, readTaskRunnerSettings)).toBe(
      'Invalid stage settings in the Lambda environment: TASK_QUEUE_TABLE: not set; AWS_REGION: not set; POLL_WINDOW_SECONDS: must be a positive number',
    );
  });
});
