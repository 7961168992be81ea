// The packaged state machine: a valid definition wired to our functions and role, commented throughout, with
// every job state retried and caught into the status handler; and the upload trigger's EventBridge rule.
import aslValidator from 'asl-validator';
import {
  type PackagedService,
  packagedService,
  resource,
  resourcesOfType,
} from '../../local/package-service';
import {
  DUMMY,
  PACKAGE_TIMEOUT_MS,
  STAGES,
  type AslMachine,
  type Stage,
  allStates,
  getAtt,
  props,
  stageConfig,
  stateMachineDefinition,
} from './template-queries';

const STATUS_HANDLER = 'Handle Extract Job Run Status';
const JOB_RESOURCES = [
  'arn:aws:states:::glue:startJobRun.sync',
  'arn:aws:states:::emr-serverless:startJobRun.sync',
  'arn:aws:states:::ecs:runTask.sync',
];

const packaged = {} as Record<Stage, PackagedService>;
const definitions = {} as Record<Stage, AslMachine>;

beforeAll(async () => {
  for (const stage of STAGES) {
    packaged[stage] = await packagedService(stage);
    definitions[stage] = stateMachineDefinition(packaged[stage].template);
  }
}, 2 * PACKAGE_TIMEOUT_MS);

describe.each(STAGES)('%s: the state machine definition', (stage) => {
  const definition = () => definitions[stage];

  it('is valid Amazon States Language', () => {
    // Act: the validator annotates what it reads, so it gets a copy
    const result = aslValidator(structuredClone(definition()));

    // Assess
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('has the states the pipeline is described by', () => {
    const names = allStates(definition()).map(([name]) => name);
    expect(definition().StartAt).toBe('Extract Config Manager');
    expect(names).toEqual(
      expect.arrayContaining([
        'Extract Config Manager',
        'Iterate Through Quota Groups',
        'Iterate Through Extract Tables',
        'Choose Job Type',
        'Glue Start Extract Job Run',
        STATUS_HANDLER,
      ]),
    );
    expect(definition().States['Iterate Through Quota Groups']!.Type).toBe('Map');
    // The tables' Map lives inside the groups' Map, and the job states inside that.
    expect(definition().States['Iterate Through Extract Tables']).toBeUndefined();
    expect(definition().States['Choose Job Type']).toBeUndefined();
  });

  it('says what every state does', () => {
    expect(definition().Comment?.trim()).toBeTruthy();
    const uncommented = allStates(definition())
      .filter(([, state]) => !state.Comment?.trim())
      .map(([name]) => name);
    expect(uncommented).toEqual([]);
  });

  it('retries every job state with backoff and jitter and catches it into the status handler', () => {
    const jobStates = allStates(definition()).filter(([, state]) =>
      JOB_RESOURCES.includes(state.Resource ?? ''),
    );
    expect(jobStates.map(([, state]) => state.Resource).sort()).toEqual([...JOB_RESOURCES].sort());
    for (const [name, state] of jobStates) {
      expect([name, state.Retry?.length ?? 0]).toEqual([name, expect.any(Number)]);
      expect(state.Retry?.length ?? 0).toBeGreaterThan(0);
      for (const retry of state.Retry ?? []) {
        expect(retry.BackoffRate).toBeGreaterThan(1);
        expect(retry.JitterStrategy).toBe('FULL');
      }
      expect(state.Catch).toContainEqual(
        expect.objectContaining({
          ErrorEquals: ['States.ALL'],
          Next: STATUS_HANDLER,
          ResultPath: expect.any(String),
        }),
      );
    }
  });

  it('runs each quota group in a Distributed Map of Standard child workflows, reading the groups from S3', () => {
    // Prepare
    const groups = definition().States['Iterate Through Quota Groups']!;
    const configManager = definition().States['Extract Config Manager']!;

    // Assess: the groups come from the object the config manager names, never from the state payload
    expect(groups.ItemsPath).toBeUndefined();
    expect(groups.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': '$.groups.bucket', 'Key.$': '$.groups.key' },
    });
    expect(configManager.ResultSelector).toMatchObject({
      'run.$': '$.Payload.run',
      'groups.$': '$.Payload.groups',
      'results.$': '$.Payload.results',
    });
    expect(groups.ItemProcessor!.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(groups.ItemProcessor!.StartAt).toBe('Iterate Through Extract Tables');
    expect(groups.ItemSelector).toEqual({
      'run.$': '$.run',
      'results.$': '$.results',
      'group.$': '$$.Map.Item.Value',
    });
    // Every group at once: each enforces its own quota.
    expect(groups.MaxConcurrency).toBe(0);
    // A group that cannot run fails the run (no tolerated failures, no Catch), as an unreadable items file did.
    expect(groups.ToleratedFailurePercentage).toBeUndefined();
    expect(groups.Catch).toBeUndefined();
    expect(groups.ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { 'Bucket.$': '$.results.bucket', 'Prefix.$': '$.results.prefix' },
    });
    expect(groups.ResultPath).toBeNull();
    expect(groups.Label).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
  });

  it("runs a group's tables in a Distributed Map at the group's quota, reading the items from S3", () => {
    // Prepare
    const groups = definition().States['Iterate Through Quota Groups']!;
    const map = groups.ItemProcessor!.States['Iterate Through Extract Tables']!;

    // Assess: items come from the group's object, never from the state payload
    expect(map.ItemsPath).toBeUndefined();
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': '$.group.items.bucket', 'Key.$': '$.group.items.key' },
    });
    expect(map.ItemProcessor!.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ItemSelector).toEqual({ 'run.$': '$.run', 'table.$': '$$.Map.Item.Value' });
    // The quota: the stage's figure for this job type or worker group, not one figure for the whole run.
    expect(map.MaxConcurrencyPath).toBe('$.group.max_concurrency');
    // One table never stops the others; the results go to S3, so no result array can outgrow the payload.
    expect(map.ToleratedFailurePercentage).toBe(100);
    expect(map.ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { 'Bucket.$': '$.results.bucket', 'Prefix.$': '$.results.prefix' },
    });
    expect(map.ResultPath).toBeNull();
    expect(map.End).toBe(true);
    expect(map.Label).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(map.Label).not.toBe(groups.Label);
  });

  it('retries Glue concurrency, throttling and internal errors', () => {
    const glue = allStates(definition()).find(([name]) => name === 'Glue Start Extract Job Run')![1];
    const retried = glue.Retry!.flatMap((retry) => retry.ErrorEquals);
    expect(retried).toEqual(
      expect.arrayContaining([
        'Glue.ConcurrentRunsExceededException',
        'Glue.ThrottlingException',
        'Glue.InternalServiceException',
      ]),
    );
  });

  it('invokes the three pipeline functions, each through its own Lambda task', () => {
    const arn = (id: string) => `arn:aws:lambda:${DUMMY.region}:${DUMMY.accountId}:function:${id}`;
    const invoked = allStates(definition())
      .filter(([, state]) => state.Resource === 'arn:aws:states:::lambda:invoke')
      .map(([name, state]) => [name, state.Parameters?.FunctionName]);
    expect(invoked).toEqual(
      expect.arrayContaining([
        ['Extract Config Manager', arn('ConfigManagerLambdaFunction')],
        [STATUS_HANDLER, arn('HandleJobRunStatusLambdaFunction')],
        ['Complete Extract Run', arn('CompleteRunLambdaFunction')],
      ]),
    );
  });
});

describe.each(STAGES)('%s: the state machine resource', (stage) => {
  it('is named for the stage, runs as our role, logs errors without data and is traced', () => {
    const { template } = packaged[stage];
    const machine = props(resource(template, 'ExtractPipelineStateMachine'));
    expect(machine.StateMachineName).toBe(`extract-pipeline-${stage}`);
    expect(machine.RoleArn).toEqual(getAtt('StateMachineRole'));
    expect(machine.LoggingConfiguration).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: getAtt('StateMachineLogGroup') } }],
    });
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    expect(props(resource(template, 'StateMachineLogGroup'))).toEqual({
      LogGroupName: `/aws/vendedlogs/states/extract-pipeline-${stage}`,
      RetentionInDays: stageConfig(stage).logRetentionInDays,
    });
  });

  it('is published as stack outputs (ARN and name)', () => {
    const { Outputs = {} } = packaged[stage].template;
    expect(Outputs.ExtractPipelineStateMachineArn?.Value).toEqual({ Ref: 'ExtractPipelineStateMachine' });
    expect(Outputs.ExtractPipelineStateMachineName?.Value).toEqual(
      getAtt('ExtractPipelineStateMachine', 'Name'),
    );
  });
});

describe.each(STAGES)('%s: the scheduled rules', (stage) => {
  it('has exactly three: the upload trigger, the stopped-run rule and the minute-by-minute reclaim of silent runner tasks', () => {
    const rules = Object.values(resourcesOfType(packaged[stage].template, 'AWS::Events::Rule')).map(props);
    const schedule = rules.filter((rule) => rule.ScheduleExpression);
    expect(rules).toHaveLength(3);
    expect(schedule).toHaveLength(1);
    expect(schedule[0]).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [expect.objectContaining({ Arn: getAtt('ReclaimExpiredTasksLambdaFunction', 'Arn') })],
    });
  });
});

describe.each(STAGES)('%s: the upload trigger rule', (stage) => {
  const rule = () => {
    const rules = Object.values(resourcesOfType(packaged[stage].template, 'AWS::Events::Rule'))
      .map(props)
      .filter((candidate) => candidate.Name === `extract-pipeline-${stage}-config-uploaded`);
    expect(rules).toHaveLength(1);
    return rules[0]!;
  };

  it('matches objects created under the trigger prefix of the config bucket, on the default bus', () => {
    expect(rule().Name).toBe(`extract-pipeline-${stage}-config-uploaded`);
    expect(rule().EventBusName).toBeUndefined();
    expect(rule().EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [{ Ref: 'ConfigBucket' }] },
        object: { key: [{ prefix: stageConfig(stage).triggerPrefix }] },
      },
    });
  });

  it('cannot match the run items the config manager writes (they would start a run each)', () => {
    const { triggerPrefix, runItemsPrefix } = stageConfig(stage);
    expect(runItemsPrefix.startsWith(triggerPrefix)).toBe(false);
    expect(triggerPrefix.startsWith(runItemsPrefix)).toBe(false);
    expect(props(resource(packaged[stage].template, 'ConfigManagerLambdaFunction'))).toMatchObject({
      Environment: { Variables: expect.objectContaining({ RUN_ITEMS_PREFIX: runItemsPrefix }) },
    });
  });

  it('targets the trigger function, retries delivery and dead-letters what it cannot deliver', () => {
    expect(rule().Targets).toEqual([
      expect.objectContaining({
        Arn: getAtt('StartRunFromUploadLambdaFunction'),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 },
        DeadLetterConfig: { Arn: getAtt('UploadTriggerDeadLetterQueue') },
      }),
    ]);
    // Events the function itself fails on, after Lambda's asynchronous retries, go to the same queue.
    expect(props(resource(packaged[stage].template, 'StartRunFromUploadLambdaEvConf'))).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: getAtt('UploadTriggerDeadLetterQueue') } },
    });
  });
});

describe.each(STAGES)('%s: the stopped-run rule', (stage) => {
  const rule = () => {
    const rules = Object.values(resourcesOfType(packaged[stage].template, 'AWS::Events::Rule'))
      .map(props)
      .filter((candidate) => candidate.Name === `extract-pipeline-${stage}-run-stopped`);
    expect(rules).toHaveLength(1);
    return rules[0]!;
  };

  it("matches only this stage's executions that ended without closing their run (stopped, timed out, failed), on the default bus", () => {
    expect(rule().EventBusName).toBeUndefined();
    expect(rule().EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['ABORTED', 'TIMED_OUT', 'FAILED'],
        stateMachineArn: [{ Ref: 'ExtractPipelineStateMachine' }],
      },
    });
  });

  it('targets the cancel-run function, which closes the run with the tracking and task-queue tables', () => {
    expect(rule().Targets).toEqual([
      expect.objectContaining({
        Arn: getAtt('CancelRunLambdaFunction'),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 10 },
      }),
    ]);
    expect(props(resource(packaged[stage].template, 'CancelRunLambdaFunction'))).toMatchObject({
      Environment: {
        Variables: expect.objectContaining({
          TRACKING_TABLE: { Ref: 'TrackingTable' },
          TASK_QUEUE_TABLE: { Ref: 'TaskQueueTable' },
        }),
      },
    });
  });
});
