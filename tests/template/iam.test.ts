// Least privilege, read from the generated template: one role per function, a role of our own for the state
// machine, no wildcard actions, and Resource "*" only where the AWS API accepts nothing narrower.
import {
  type CfnTemplate,
  type PackagedService,
  packagedService,
  resource,
  resourcesOfType,
} from '../../local/package-service';
import {
  FUNCTIONS,
  PACKAGE_TIMEOUT_MS,
  STAGES,
  type LocatedStatement,
  type Stage,
  getAtt,
  iamStatements,
  props,
  roleStatements,
  stageConfig,
} from './template-queries';

/**
 * The only statements allowed Resource "*", by role and Sid, with the only actions they may hold. Each of these
 * APIs has no resource-level permissions, so AWS rejects or ignores anything narrower.
 */
const STAR_RESOURCE_ALLOW_LIST: { role: string; sid: string; actions: string[]; reason: string }[] = [
  {
    role: 'StateMachineRole',
    sid: 'DeliverExecutionLogs',
    actions: [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    reason:
      'Step Functions logging to CloudWatch Logs uses the log-delivery APIs, which support only Resource "*" ' +
      '(Step Functions developer guide, "IAM policies for logging to CloudWatch Logs").',
  },
  {
    role: 'StateMachineRole',
    sid: 'SendTraces',
    actions: [
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ],
    reason: 'X-Ray trace and sampling APIs have no resource-level permissions: Resource "*" is required.',
  },
  {
    role: 'TaskRunnerApiRole',
    sid: 'AnswerTaskTokens',
    actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
    reason:
      'Task tokens of service-integration states carry no resource ARN: SendTaskSuccess/Failure/Heartbeat accept ' +
      'only Resource "*" (Step Functions service authorization reference).',
  },
  {
    role: 'ReclaimExpiredTasksRole',
    sid: 'FailTaskTokens',
    actions: ['states:SendTaskFailure'],
    reason: 'Task tokens carry no resource ARN: SendTaskFailure accepts only Resource "*".',
  },
];

/** Why a statement breaks least privilege, or nothing when it does not. */
function leastPrivilegeViolations({ owner, statement, actions, resources }: LocatedStatement): string[] {
  if (statement.Effect !== 'Allow') return [];
  const where = `${owner}/${statement.Sid ?? '(no Sid)'}`;
  const problems: string[] = [];
  if (statement.NotAction || statement.NotResource)
    problems.push(`${where}: Allow with NotAction/NotResource`);
  for (const action of actions) {
    if (action.includes('*')) problems.push(`${where}: wildcard action ${action}`);
  }
  for (const rendered of resources) {
    // ${AWS::Partition} and friends hold colons of their own; name them plainly before reading the ARN's parts.
    const res = rendered.replace(/\$\{AWS::(\w+)\}/g, 'AWS_$1');
    if (res === '*') {
      const allowed = STAR_RESOURCE_ALLOW_LIST.find(
        (entry) => entry.role === owner && entry.sid === statement.Sid,
      );
      if (!allowed) problems.push(`${where}: Resource "*" is not on the allow-list`);
      else if (!actions.every((action) => allowed.actions.includes(action))) {
        problems.push(`${where}: Resource "*" with actions beyond the allow-list: ${actions.join(', ')}`);
      }
    } else if (/^arn:[^:]+:[^:]+:[^:]*:[^:]*:\*$/.test(res) || /^arn:[^:]+:[^:]+:\*/.test(res)) {
      problems.push(`${where}: service-wide resource ${res}`);
    }
  }
  return problems;
}

const packaged = {} as Record<Stage, PackagedService>;

beforeAll(async () => {
  for (const stage of STAGES) packaged[stage] = await packagedService(stage);
}, 2 * PACKAGE_TIMEOUT_MS);

function statement(template: CfnTemplate, role: string, sid: string): LocatedStatement {
  const found = roleStatements(template, role).find((s) => s.statement.Sid === sid);
  if (!found) throw new Error(`${role} has no statement ${sid}`);
  return found;
}

describe('the least-privilege check', () => {
  it('flags wildcard actions, service-wide resources and "*" outside the allow-list', () => {
    // Prepare: what serverless-step-functions would generate for Glue, and worse
    const bad: LocatedStatement = {
      owner: 'SomeRole',
      statement: { Sid: 'Wide', Effect: 'Allow', Action: ['glue:*', 's3:GetObject'], Resource: '*' },
      actions: ['glue:*', 's3:GetObject'],
      resources: ['*', 'arn:aws:s3:::*'],
    };
    const smuggled: LocatedStatement = {
      owner: 'StateMachineRole',
      statement: {
        Sid: 'SendTraces',
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'dynamodb:Scan'],
        Resource: '*',
      },
      actions: ['xray:PutTraceSegments', 'dynamodb:Scan'],
      resources: ['*'],
    };

    // Act & Assess
    expect(leastPrivilegeViolations(bad)).toEqual([
      'SomeRole/Wide: wildcard action glue:*',
      'SomeRole/Wide: Resource "*" is not on the allow-list',
      'SomeRole/Wide: service-wide resource arn:aws:s3:::*',
    ]);
    expect(leastPrivilegeViolations(smuggled)).toEqual([
      'StateMachineRole/SendTraces: Resource "*" with actions beyond the allow-list: xray:PutTraceSegments, dynamodb:Scan',
    ]);
  });
});

describe.each(STAGES)('%s: IAM', (stage) => {
  const template = () => packaged[stage].template;

  it('has no statement that breaks least privilege', () => {
    const statements = iamStatements(template());
    expect(statements.length).toBeGreaterThan(20);
    expect(statements.flatMap(leastPrivilegeViolations)).toEqual([]);
  });

  it('uses every allow-listed "*" statement it documents (the list holds no stale entries)', () => {
    for (const entry of STAR_RESOURCE_ALLOW_LIST) {
      expect(statement(template(), entry.role, entry.sid).resources).toEqual(['*']);
    }
  });

  it('has exactly one role per function and one for the state machine, and no generated ones', () => {
    const roles = Object.keys(resourcesOfType(template(), 'AWS::IAM::Role')).sort();
    expect(roles).toEqual([...Object.values(FUNCTIONS).map((id) => `${id}Role`), 'StateMachineRole'].sort());
    expect(template().Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('gives each function its own role, shared with no other function', () => {
    const roleOf = Object.values(FUNCTIONS).map(
      (id) => props(resource(template(), `${id}LambdaFunction`)).Role,
    );
    expect(roleOf).toEqual(Object.values(FUNCTIONS).map((id) => getAtt(`${id}Role`)));
    expect(new Set(roleOf.map((role) => JSON.stringify(role))).size).toBe(roleOf.length);
  });

  it('lets each function role be assumed by Lambda only and write only its own log group', () => {
    for (const id of Object.values(FUNCTIONS)) {
      const role = props(resource(template(), `${id}Role`));
      expect(role.AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      });
      const logs = statement(template(), `${id}Role`, 'WriteOwnLogs');
      expect(logs.actions).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(logs.resources).toEqual([`<${id}LogGroup.Arn>`, `\${${id}LogGroup.Arn}:*`]);
    }
  });

  it('grants each function exactly the data actions its code calls', () => {
    const grants = (role: string) =>
      roleStatements(template(), role)
        .filter((s) => s.statement.Sid !== 'WriteOwnLogs')
        .map((s) => [s.actions, s.resources]);
    expect(grants('ConfigManagerRole')).toEqual([
      [['s3:GetObject', 's3:GetObjectVersion'], ['${ConfigBucket.Arn}/*']],
      [['s3:PutObject'], [`\${ConfigBucket.Arn}/${stageConfig(stage).runItemsPrefix}*`]],
      [['s3:ListBucket'], ['<ConfigBucket.Arn>']],
      // The run record and the table leases; no record per table (a table's is written with its outcome).
      [['dynamodb:PutItem'], ['<TrackingTable.Arn>']],
      [['dynamodb:BatchGetItem'], ['<TrackingTable.Arn>']],
      // A re-run reads the run it re-runs and lists itself on that run's record.
      [['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], ['<TrackingTable.Arn>']],
    ]);
    expect(grants('HandleJobRunStatusRole')).toEqual([
      [['dynamodb:GetItem', 'dynamodb:PutItem'], ['<TrackingTable.Arn>']],
      [['dynamodb:DeleteItem'], ['<TrackingTable.Arn>']],
      [['dynamodb:UpdateItem'], ['<TrackingTable.Arn>']],
      // Watermark reports only: nothing else under the run's prefix, nothing else in the bucket.
      [['s3:GetObject'], [`\${ConfigBucket.Arn}/${stageConfig(stage).runItemsPrefix}*/watermarks/*`]],
    ]);
    expect(grants('CompleteRunRole')).toEqual([
      [
        ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        ['<TrackingTable.Arn>'],
      ],
      // The runs' table lists only: not the table jobs, the results or the configs.
      [['s3:GetObject'], [`\${ConfigBucket.Arn}/${stageConfig(stage).runItemsPrefix}*/table-list/*`]],
      // Releasing the leases of the tables it closes (conditional on holding them).
      [['dynamodb:DeleteItem'], ['<TrackingTable.Arn>']],
      // Runs with failed tables go to this stage's alarm topic, encrypted with its own key.
      [['sns:Publish'], ['<Ref AlarmTopic>']],
      [['kms:GenerateDataKey', 'kms:Decrypt'], ['<AlarmTopicKey.Arn>']],
    ]);
    expect(props(resource(template(), 'AlarmTopic')).KmsMasterKeyId).toEqual({ Ref: 'AlarmTopicKey' });
    expect(
      (props(resource(template(), 'CompleteRunLambdaFunction')).Environment as { Variables: object })
        .Variables,
    ).toMatchObject({ ALARM_TOPIC_ARN: { Ref: 'AlarmTopic' } });
    // A stopped run's records (found on the by-status index when the event has no input), its table list and its
    // tables' leases, and its runner tasks' counter and task items: no Scan, and no Put in the task queue.
    expect(grants('CancelRunRole')).toEqual([
      [
        ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        ['<TrackingTable.Arn>'],
      ],
      [['dynamodb:Query'], ['${TrackingTable.Arn}/index/by-status']],
      [['s3:GetObject'], [`\${ConfigBucket.Arn}/${stageConfig(stage).runItemsPrefix}*/table-list/*`]],
      [['dynamodb:DeleteItem'], ['<TrackingTable.Arn>']],
      [['dynamodb:GetItem', 'dynamodb:UpdateItem'], ['<TaskQueueTable.Arn>']],
    ]);
    // A runner task, its table's hand-off counter and its worker group's item.
    expect(grants('EnqueueRunnerTaskRole')).toEqual([
      [['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'], ['<TaskQueueTable.Arn>']],
    ]);
    // Expired leases, then the queues' depth and live runners on the listing index.
    expect(grants('ReclaimExpiredTasksRole')).toEqual([
      [['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], ['<TaskQueueTable.Arn>']],
      [['dynamodb:Query'], ['${TaskQueueTable.Arn}/index/leases']],
      [['dynamodb:Query'], ['${TaskQueueTable.Arn}/index/gsi1']],
      [['states:SendTaskFailure'], ['*']],
    ]);
    expect(grants('StartRunFromUploadRole')).toEqual([
      [['states:StartExecution'], ['<Ref ExtractPipelineStateMachine>']],
      [['sqs:SendMessage'], ['<UploadTriggerDeadLetterQueue.Arn>']],
    ]);
  });
});

describe.each(STAGES)('%s: the state machine role', (stage) => {
  const template = () => packaged[stage].template;
  const config = () => stageConfig(stage);

  it('is ours, assumable only by this stage machine in this account', () => {
    expect(props(resource(template(), 'ExtractPipelineStateMachine')).RoleArn).toEqual(
      getAtt('StateMachineRole'),
    );
    const trust = props(resource(template(), 'StateMachineRole')).AssumeRolePolicyDocument as {
      Statement: { Principal: unknown; Condition: Record<string, Record<string, unknown>> }[];
    };
    expect(trust.Statement[0]!.Principal).toEqual({ Service: 'states.amazonaws.com' });
    const machine = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:extract-pipeline-${stage}`;
    // The machine itself and its Distributed Map children (<machine>/<Map label>).
    expect(trust.Statement[0]!.Condition.ArnLike!['aws:SourceArn']).toEqual([
      { 'Fn::Sub': machine },
      { 'Fn::Sub': `${machine}/*` },
    ]);
  });

  it('invokes only the four pipeline functions', () => {
    const invoke = statement(template(), 'StateMachineRole', 'InvokePipelineFunctions');
    expect(invoke.actions).toEqual(['lambda:InvokeFunction']);
    expect(invoke.resources).toEqual(
      ['ConfigManager', 'HandleJobRunStatus', 'CompleteRun', 'EnqueueRunnerTask'].flatMap((id) => [
        `<${id}LambdaFunction.Arn>`,
        `\${${id}LambdaFunction.Arn}:*`,
      ]),
    );
  });

  it('runs only the Glue jobs the stage allows', () => {
    const glue = statement(template(), 'StateMachineRole', 'RunAllowedGlueJobs');
    expect(glue.actions).toEqual([
      'glue:StartJobRun',
      'glue:GetJobRun',
      'glue:GetJobRuns',
      'glue:BatchStopJobRun',
    ]);
    expect(glue.resources).toEqual(
      config().glue.allowedJobNames.map(
        (name) => `arn:\${AWS::Partition}:glue:\${AWS::Region}:\${AWS::AccountId}:job/${name}`,
      ),
    );
  });

  it('uses only the stage EMR Serverless application and passes only its execution role to EMR', () => {
    const app = `arn:\${AWS::Partition}:emr-serverless:\${AWS::Region}:\${AWS::AccountId}:/applications/${config().emr.applicationId}`;
    expect(statement(template(), 'StateMachineRole', 'StartEmrServerlessJobRuns').resources).toEqual([app]);
    expect(statement(template(), 'StateMachineRole', 'FollowEmrServerlessJobRuns').resources).toEqual([
      `${app}/jobruns/*`,
    ]);
    const pass = statement(template(), 'StateMachineRole', 'PassEmrServerlessExecutionRole');
    expect(pass.resources).toEqual([config().emr.executionRoleArn]);
    expect(pass.statement.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' },
    });
    expect(statement(template(), 'StateMachineRole', 'ManageEmrServerlessSyncRule').resources).toEqual([
      'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForEMRServerlessJobRule',
    ]);
  });

  it('runs only the stage task definition on the stage cluster and passes only its task roles to ECS', () => {
    const ecs = 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}';
    const runTask = statement(template(), 'StateMachineRole', 'RunExtractTasks');
    expect(runTask.resources).toEqual([`${ecs}:task-definition/${config().ecs.taskDefinition}:*`]);
    expect(runTask.statement.Condition).toEqual({
      ArnEquals: { 'ecs:cluster': { 'Fn::Sub': `${ecs}:cluster/${config().ecs.cluster}` } },
    });
    expect(statement(template(), 'StateMachineRole', 'FollowExtractTasks').resources).toEqual([
      `${ecs}:task/${config().ecs.cluster}/*`,
    ]);
    const pass = statement(template(), 'StateMachineRole', 'PassExtractTaskRoles');
    expect(pass.resources).toEqual([config().ecs.taskRoleArn, config().ecs.executionRoleArn]);
    expect(pass.statement.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    expect(statement(template(), 'StateMachineRole', 'ManageEcsSyncRule').resources).toEqual([
      'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForECSTaskRule',
    ]);
  });

  it('starts and follows child executions of its own state machine only, named without a reference to it', () => {
    const states = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}`;
    const start = statement(template(), 'StateMachineRole', 'StartChildExecutions');
    expect(start.actions).toEqual(['states:StartExecution']);
    // The machine, and its labelled forms: the tables' Map starts its children from inside a quota group's child.
    expect(start.resources).toEqual([
      `${states}:stateMachine:extract-pipeline-${stage}`,
      `${states}:stateMachine:extract-pipeline-${stage}/*`,
    ]);
    const follow = statement(template(), 'StateMachineRole', 'FollowChildExecutions');
    expect(follow.actions).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    // Distributed Map child executions are <state machine>/<Map label>:<id>; AWS's example policy grants <name>:*.
    expect(follow.resources).toEqual([
      `${states}:execution:extract-pipeline-${stage}/*`,
      `${states}:execution:extract-pipeline-${stage}:*`,
    ]);
    const policies = JSON.stringify(props(resource(template(), 'StateMachineRole')).Policies);
    expect(policies).not.toContain('ExtractPipelineStateMachine');
  });

  it('reads the Map items and writes the Map results under the run items prefix only', () => {
    const s3 = statement(template(), 'StateMachineRole', 'ReadRunItemsAndWriteMapResults');
    expect(s3.actions).toEqual([
      's3:GetObject',
      's3:PutObject',
      's3:ListMultipartUploadParts',
      's3:AbortMultipartUpload',
    ]);
    expect(s3.resources).toEqual([`\${ConfigBucket.Arn}/${config().runItemsPrefix}*`]);
  });

  it('never passes a role without saying to which service', () => {
    const passRole = iamStatements(template()).filter((s) => s.actions.includes('iam:PassRole'));
    expect(passRole).toHaveLength(2);
    for (const s of passRole)
      expect(s.statement.Condition?.StringEquals?.['iam:PassedToService']).toBeDefined();
  });
});

describe('dev and prod state machine roles', () => {
  it('name different Glue jobs, as their configs do', () => {
    const jobs = (stage: Stage) =>
      statement(packaged[stage].template, 'StateMachineRole', 'RunAllowedGlueJobs').resources;
    expect(jobs('dev')).toContain(
      'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:job/extract-pipeline-dev-extract',
    );
    expect(jobs('prod')).toContain(
      'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:job/extract-pipeline-prod-extract',
    );
    expect(jobs('dev')).not.toEqual(jobs('prod'));
  });
});
