// What a real account would refuse or get wrong on the first deploy, checked in the packaged templates against
// the AWS documents and the service models that ship in the SDK packages (no account is reachable from here).
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as ecs from '@aws-sdk/client-ecs';
import * as emrServerless from '@aws-sdk/client-emr-serverless';
import * as glue from '@aws-sdk/client-glue';
import * as lambda from '@aws-sdk/client-lambda';
import {
  type PackagedService,
  packageService,
  packagedService,
  removePackagedServices,
  resource,
} from '../../local/package-service';
import {
  PACKAGE_TIMEOUT_MS,
  STAGES,
  type AslMachine,
  type Stage,
  allStates,
  props,
  roleStatements,
  stageConfig,
  stateMachineDefinition,
} from './template-queries';

const packaged = {} as Record<Stage, PackagedService>;
const definitions = {} as Record<Stage, AslMachine>;

beforeAll(async () => {
  for (const stage of STAGES) {
    packaged[stage] = await packagedService(stage);
    definitions[stage] = stateMachineDefinition(packaged[stage].template);
  }
}, 2 * PACKAGE_TIMEOUT_MS);

afterAll(() => removePackagedServices());

/** The error shapes of a service model: every exception class the SDK package exports. */
function modelErrors(
  sdk: Record<string, unknown>,
  base: abstract new (...args: never[]) => unknown,
): string[] {
  return Object.entries(sdk)
    .filter(([, value]) => typeof value === 'function' && value.prototype instanceof base)
    .map(([name]) => name);
}

/**
 * Step Functions reports a service integration's error as `<prefix>.<exception>` (developer guide, "Handle Lambda
 * service exceptions": "Lambda errors are reported as Lambda.ErrorName"). The exception must be one of the
 * service model's error shapes, or one of the few names the documents give that are not shapes.
 */
const SERVICES: Record<string, { errors: string[]; documented: Record<string, string> }> = {
  Lambda: {
    errors: modelErrors(lambda, lambda.LambdaServiceException),
    // "invoking Lambda results in a 500 error, such as ClientExecutionTimeoutException, ServiceException,
    // AWSLambdaException, or SdkClientException" (developer guide, "Handle Lambda service exceptions"); of these
    // only ServiceException is a model shape, the others are the Java SDK's.
    documented: {
      AWSLambdaException: 'Handle Lambda service exceptions',
      SdkClientException: 'Handle Lambda service exceptions',
      ClientExecutionTimeoutException: 'Handle Lambda service exceptions',
    },
  },
  Glue: { errors: modelErrors(glue, glue.GlueServiceException), documented: {} },
  ECS: {
    errors: modelErrors(ecs, ecs.ECSServiceException),
    documented: {
      // Not named in the documents: the SDK-level exception Step Functions' ECS integration reports for errors the
      // model has no shape for, throttling among them (the model has no ThrottlingException). Matching it can only
      // add retries; the Catch records the table FAILED either way.
      AmazonECSException: 'SDK-level ECS error',
    },
  },
  // The documents do not name the optimized EMR Serverless integration's error prefix, so the state lists its
  // one transient shape under both spellings; a name that never matches only misses a retry, and the Catch
  // still records the table FAILED.
  EMRServerless: {
    errors: modelErrors(emrServerless, emrServerless.EMRServerlessServiceException),
    documented: {},
  },
  EmrServerless: {
    errors: modelErrors(emrServerless, emrServerless.EMRServerlessServiceException),
    documented: {},
  },
};

/** Errors our own handlers raise, by name: Lambda reports a thrown error's name as the error type. */
const OWN_ERRORS = [
  ...modelErrors(dynamodb, dynamodb.DynamoDBServiceException), // the status handler's DynamoDB calls
  'InvalidRunnerTaskError', // functions/lib/task-runner/enqueue-request.ts
  'TaskLeaseExpired', // the task-runner endpoint fails an expired lease's token with it
  'RunAlreadyExistsError', // functions/lib/errors.ts
];

/** Why a Retry/Catch error name can never match, or null when it can. */
function unmatchableError(name: string): string | null {
  if (name === 'States.ALL' || /^States\.[A-Za-z]+$/.test(name)) return null;
  if (OWN_ERRORS.includes(name)) return null;
  const [prefix, exception, ...rest] = name.split('.');
  const service = SERVICES[prefix!];
  if (!service || !exception || rest.length > 0) return `${name}: no known service prefix`;
  if (service.errors.includes(exception) || exception in service.documented) return null;
  return `${name}: ${prefix}'s model has no ${exception}`;
}

describe('the error-name check', () => {
  it('refuses names the service model does not have', () => {
    expect(unmatchableError('ECS.ThrottlingException')).toBe(
      "ECS.ThrottlingException: ECS's model has no ThrottlingException",
    );
    expect(unmatchableError('EMRServerless.ThrottlingException')).toMatch(/no ThrottlingException/);
    expect(unmatchableError('Glue.ConcurrentRunsExceededException')).toBeNull();
    expect(unmatchableError('Lambda.ClientExecutionTimeoutException')).toBeNull();
  });
});

describe.each(STAGES)('%s: first deploy', (stage) => {
  const template = () => packaged[stage].template;
  const definition = () => definitions[stage];
  const machineArn = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:extract-pipeline-${stage}`;
  const executionArn = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:extract-pipeline-${stage}`;

  it('lets the Distributed Map children assume the state machine role', () => {
    // Child executions present the labelled ARN: "arn:{partition}:states:{region}:{account}:stateMachine:
    // {stateMachineName}/{MapRunLabel or UUID}" (developer guide, "Viewing a Distributed Map Run").
    const trust = props(resource(template(), 'StateMachineRole')).AssumeRolePolicyDocument as {
      Statement: { Condition: Record<string, Record<string, unknown>> }[];
    };
    const condition = trust.Statement[0]!.Condition;
    expect(condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    expect(condition.ArnLike!['aws:SourceArn']).toEqual([
      { 'Fn::Sub': machineArn },
      { 'Fn::Sub': `${machineArn}/*` },
    ]);
  });

  it('follows, stops and redrives child executions in both ARN forms AWS documents', () => {
    const follow = roleStatements(template(), 'StateMachineRole').find(
      (s) => s.statement.Sid === 'FollowChildExecutions',
    )!;
    expect(follow.actions).toEqual(['states:DescribeExecution', 'states:StopExecution']);
    // Ours: <name>/<label>:<id>; AWS's "IAM policies for using Distributed Map states": execution:<name>:*.
    expect(follow.resources).toEqual([`${executionArn}/*`, `${executionArn}:*`]);
    const redrive = roleStatements(template(), 'StateMachineRole').find(
      (s) => s.statement.Sid === 'RedriveChildExecutions',
    )!;
    expect(redrive.actions).toEqual(['states:RedriveExecution']);
    expect(redrive.resources).toEqual([`${executionArn}/*`]);
  });

  it('sends ECS only the RunTask parameters Step Functions supports (no StartedBy)', () => {
    // Developer guide, "Manage Amazon ECS or Fargate tasks with Step Functions", supported parameters of
    // RunTask: Cluster, Group, LaunchType, NetworkConfiguration, Overrides, PlacementConstraints,
    // PlacementStrategy, PlatformVersion, TaskDefinition. PropagateTags is what the CDK's own EcsRunTask sends
    // for .sync (propagatedTagSource). Step Functions sets StartedBy itself.
    const supported = [
      'Cluster',
      'Group',
      'LaunchType',
      'NetworkConfiguration',
      'Overrides',
      'PlacementConstraints',
      'PlacementStrategy',
      'PlatformVersion',
      'TaskDefinition',
      'PropagateTags',
    ];
    const ecsState = allStates(definition()).find(([, state]) =>
      state.Resource?.startsWith('arn:aws:states:::ecs:runTask'),
    )![1];
    const sent = Object.keys(ecsState.Parameters ?? {}).map((key) => key.replace(/\.\$$/, ''));
    expect(sent.filter((key) => !supported.includes(key))).toEqual([]);
  });

  it('retries only error names Step Functions can emit', () => {
    const names = allStates(definition()).flatMap(([state, { Retry = [], Catch = [] }]) =>
      [...Retry, ...Catch].flatMap((rule) => rule.ErrorEquals.map((name) => ({ state, name }))),
    );
    expect(names.length).toBeGreaterThan(20);
    expect(
      names.flatMap(({ state, name }) => {
        const problem = unmatchableError(name);
        return problem ? [`${state}: ${problem}`] : [];
      }),
    ).toEqual([]);
  });

  it('retries the four transient Lambda errors on every Lambda task', () => {
    const lambdaStates = allStates(definition()).filter(([, state]) =>
      state.Resource?.startsWith('arn:aws:states:::lambda:invoke'),
    );
    expect(lambdaStates.length).toBeGreaterThanOrEqual(5);
    for (const [name, state] of lambdaStates) {
      const retried = (state.Retry ?? []).flatMap((retry) => retry.ErrorEquals);
      expect([name, retried]).toEqual([
        name,
        expect.arrayContaining([
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
          'Lambda.ClientExecutionTimeoutException',
        ]),
      ]);
    }
  });

  it('records a FAILED run whatever stops the config manager, then fails with its error', () => {
    const configManager = definition().States['Extract Config Manager']!;
    expect(configManager.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['RunAlreadyExistsError'], Next: 'Extract Run Failed' }),
      expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Record Failed Run' }),
    ]);
    expect(definition().States['Record Failed Run']).toMatchObject({
      Next: 'Extract Run Failed',
      ResultPath: null,
      Catch: [expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Extract Run Failed' })],
    });
    expect(definition().States['Extract Run Failed']).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.Error',
      CausePath: '$.Cause',
    });
  });

  it("keeps the alarm topic's KMS key with the stage's data", () => {
    const policy = stageConfig(stage).dataDeletionPolicy;
    expect(resource(template(), 'AlarmTopicKey')).toMatchObject({
      DeletionPolicy: policy,
      UpdateReplacePolicy: policy,
    });
  });
});

describe('a stage without its config file', () => {
  it(
    'fails to package, naming the file to create',
    async () => {
      await expect(packageService('staging')).rejects.toThrow(
        /config\/staging\.yml does not exist.*copy config\/dev\.yml to config\/staging\.yml/,
      );
    },
    PACKAGE_TIMEOUT_MS,
  );
});

/**
 * cfn-lint warnings the packaged templates keep, each with the reason (docs/deploy.md lists them too). Anything
 * else, and every error, fails the test.
 */
const EXPLAINED_CFN_LINT_WARNINGS: Record<string, string> = {
  W3005:
    'osls adds DependsOn on the role of every function that names its own role, next to the Fn::GetAtt that ' +
    'already orders them: redundant, and generated by the framework, not by resources/.',
};

/** Whether `command` is an executable file in a PATH folder: found without starting it (cfn-lint takes 1.5 s to). */
function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const cfnLintAvailable = onPath('cfn-lint');
if (!cfnLintAvailable) {
  console.warn(
    'cfn-lint is not on PATH: the packaged templates are NOT linted (pip install cfn-lint to run it).',
  );
}

interface CfnLintFinding {
  Filename: string;
  Level: string;
  Message: string;
  Rule: { Id: string };
}

let cfnLintRun: CfnLintFinding[] | undefined;

/** cfn-lint's findings in every stage's template, from one run over all (its start-up is most of its time). */
function cfnLintFindings(): CfnLintFinding[] {
  if (!cfnLintRun) {
    const templates = STAGES.map((stage) => resolve(templateFile(stage)));
    const result = spawnSync('cfn-lint', ['--format', 'json', ...templates], { encoding: 'utf8' });
    // Exit codes 2, 4 and 8 flag errors, warnings and informational findings; output that is no JSON list means
    // cfn-lint itself did not run.
    if (result.error || !result.stdout.trimStart().startsWith('['))
      throw new Error(`cfn-lint did not run (${result.error?.message ?? result.status}): ${result.stderr}`);
    cfnLintRun = JSON.parse(result.stdout) as CfnLintFinding[];
    const elsewhere = cfnLintRun.filter((f) => !templates.includes(resolve(f.Filename)));
    if (elsewhere.length > 0)
      throw new Error(`cfn-lint findings in no template: ${JSON.stringify(elsewhere)}`);
  }
  return cfnLintRun;
}

function templateFile(stage: Stage): string {
  return join(packaged[stage].packageDir, 'cloudformation-template-update-stack.json');
}

describe.each(STAGES)('%s: cfn-lint', (stage) => {
  (cfnLintAvailable ? it : it.skip)('finds no error and only explained warnings', () => {
    // Act
    const template = resolve(templateFile(stage));
    const findings = cfnLintFindings().filter((f) => resolve(f.Filename) === template);

    // Assess
    const unexplained = findings
      .filter((f) => f.Level !== 'Warning' || !(f.Rule.Id in EXPLAINED_CFN_LINT_WARNINGS))
      .map((f) => `${f.Level} ${f.Rule.Id}: ${f.Message}`);
    expect(unexplained).toEqual([]);
  });
});
