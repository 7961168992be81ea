// Small readers over a packaged CloudFormation template, shared by the template tests.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { CfnResource, CfnTemplate } from '../../local/package-service';

export const STAGES = ['dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * Packaging runs the real CLI (esbuild, one bundle per function) when no cached package of the current tree exists:
 * generous, since other test files and both stages package side by side.
 */
export const PACKAGE_TIMEOUT_MS = 120_000;

export const FUNCTIONS = {
  configManager: 'ConfigManager',
  handleJobRunStatus: 'HandleJobRunStatus',
  completeRun: 'CompleteRun',
  startRunFromUpload: 'StartRunFromUpload',
  enqueueRunnerTask: 'EnqueueRunnerTask',
  taskRunnerApi: 'TaskRunnerApi',
  reclaimExpiredTasks: 'ReclaimExpiredTasks',
  cancelRun: 'CancelRun',
} as const;

export interface StageConfig {
  region: string;
  configBucketName?: string;
  defaultConfigKey: string;
  triggerPrefix: string;
  maxConcurrency: number;
  concurrency?: {
    glue?: number;
    emr?: number;
    ecs?: number;
    runner?: number;
    workerGroups?: Record<string, number>;
  };
  maxTablesPerRun: number;
  runItemsPrefix: string;
  logLevel: string;
  /** Where the bundles' source maps go (esbuild-plugins.js): outside the zips unless `linked`. */
  sourceMaps?: 'external' | 'linked';
  logRetentionInDays: number;
  alarmEmail?: string;
  alarms?: { failedTablesThreshold?: number };
  deletionProtection: boolean;
  dataDeletionPolicy: 'Delete' | 'Retain';
  glue: {
    jobName: string;
    allowedJobNames: string[];
    numberOfWorkers: number;
    workerType: string;
    timeoutMinutes: number;
  };
  emr: { applicationId: string; executionRoleArn: string; entryPoint: string; timeoutMinutes: number };
  ecs: {
    cluster: string;
    taskDefinition: string;
    containerName: string;
    subnets: string[];
    securityGroups: string[];
    taskRoleArn: string;
    executionRoleArn: string;
    timeoutMinutes: number;
  };
}

export function stageConfig(stage: string): StageConfig {
  const file = join(resolve(__dirname, '..', '..'), 'config', `${stage}.yml`);
  return parse(readFileSync(file, 'utf8')) as StageConfig;
}

export function props(resource: CfnResource): Record<string, unknown> {
  return resource.Properties ?? {};
}

export function getAtt(logicalId: string, attribute = 'Arn'): { 'Fn::GetAtt': [string, string] } {
  return { 'Fn::GetAtt': [logicalId, attribute] };
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * A readable string for a policy Resource value: `*`, an ARN template (Fn::Sub), `<X.Arn>` (Fn::GetAtt),
 * `<Ref X>` or the JSON of anything else. Enough to judge how wide a resource is.
 */
export function renderResource(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Fn::Sub' in object) {
      const sub = object['Fn::Sub'];
      return typeof sub === 'string' ? sub : String((sub as unknown[])[0]);
    }
    if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Ref' in object) return `<Ref ${String(object.Ref)}>`;
  }
  return JSON.stringify(value);
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface LocatedStatement {
  /** Logical id of the IAM::Role / IAM::Policy / IAM::ManagedPolicy holding the statement. */
  owner: string;
  statement: PolicyStatement;
  actions: string[];
  resources: string[];
}

/** Every identity-policy statement in the template: inline role policies and standalone policies. */
export function iamStatements(template: CfnTemplate): LocatedStatement[] {
  const found: LocatedStatement[] = [];
  for (const [owner, res] of Object.entries(template.Resources)) {
    const p = props(res);
    let documents: unknown[] = [];
    if (res.Type === 'AWS::IAM::Role') {
      documents = asArray(p.Policies as { PolicyDocument: unknown }[]).map((policy) => policy.PolicyDocument);
    } else if (res.Type === 'AWS::IAM::Policy' || res.Type === 'AWS::IAM::ManagedPolicy') {
      documents = [p.PolicyDocument];
    }
    for (const document of documents) {
      for (const statement of asArray(
        (document as { Statement: PolicyStatement | PolicyStatement[] }).Statement,
      )) {
        found.push({
          owner,
          statement,
          actions: asArray(statement.Action),
          resources: asArray(statement.Resource).map(renderResource),
        });
      }
    }
  }
  return found;
}

/** Statements of one role's inline policies. */
export function roleStatements(template: CfnTemplate, roleLogicalId: string): LocatedStatement[] {
  return iamStatements(template).filter((s) => s.owner === roleLogicalId);
}

export interface AslState {
  Type: string;
  Comment?: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Parameters?: Record<string, unknown>;
  Retry?: { ErrorEquals: string[]; BackoffRate?: number; JitterStrategy?: string; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[];
  ItemProcessor?: AslMachine & { ProcessorConfig?: Record<string, unknown> };
  Iterator?: AslMachine;
  Branches?: AslMachine[];
  [key: string]: unknown;
}

export interface AslMachine {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
}

export const DUMMY = { partition: 'aws', region: 'eu-west-1', accountId: '123456789012' } as const;

/**
 * The state machine definition as Step Functions would receive it: the DefinitionString's Fn::Sub with the
 * pseudo parameters and the Lambda placeholders replaced by dummy values (a Lambda placeholder becomes
 * `arn:aws:lambda:eu-west-1:123456789012:function:<logical id of the function it points at>`).
 */
export function stateMachineDefinition(
  template: CfnTemplate,
  logicalId = 'ExtractPipelineStateMachine',
): AslMachine {
  const res = template.Resources[logicalId];
  if (!res) throw new Error(`no state machine ${logicalId}`);
  const definition = props(res).DefinitionString as
    string | { 'Fn::Sub': string | [string, Record<string, unknown>] };
  let text: string;
  let variables: Record<string, unknown> = {};
  if (typeof definition === 'string') {
    text = definition;
  } else {
    const sub = definition['Fn::Sub'];
    [text, variables] = typeof sub === 'string' ? [sub, {}] : [sub[0], sub[1]];
  }
  const lambdaArn = (name: string) => `arn:aws:lambda:${DUMMY.region}:${DUMMY.accountId}:function:${name}`;
  const replaced = text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === 'AWS::Partition') return DUMMY.partition;
    if (name === 'AWS::Region') return DUMMY.region;
    if (name === 'AWS::AccountId') return DUMMY.accountId;
    const value = variables[name] as { 'Fn::GetAtt'?: string[]; Ref?: string } | undefined;
    if (value?.['Fn::GetAtt']) return lambdaArn(value['Fn::GetAtt'][0]!);
    if (value?.Ref) return lambdaArn(value.Ref);
    throw new Error(`DefinitionString has an unresolvable placeholder ${whole}`);
  });
  return JSON.parse(replaced) as AslMachine;
}

/** Every state of the machine, nested ones (Map item processors, Parallel branches) included. */
export function allStates(machine: AslMachine): [string, AslState][] {
  const states: [string, AslState][] = [];
  for (const [name, state] of Object.entries(machine.States)) {
    states.push([name, state]);
    for (const nested of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
      if (nested) states.push(...allStates(nested));
    }
  }
  return states;
}
