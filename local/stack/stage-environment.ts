// The handlers' environment for a stage, computed the way the deployed stack gets it: serverless.yml's own
// `environment` blocks (provider and every function) resolved against config/<stage>.yml. Local runs therefore
// read exactly the settings a deploy of that stage would, and a new variable in serverless.yml reaches the local
// runtime without a second list to keep in step.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readResourceFile } from './create-resources';
import { PROJECT_ROOT } from '../project-root';
import { readCloudFormationYaml } from '../read-cloudformation-yaml';

/** A stage setting is missing or serverless.yml uses something this resolver cannot compute locally. */
export class StageEnvironmentError extends Error {
  override name = 'StageEnvironmentError';
}

type Yaml = unknown;

/** Settings laid over config/<stage>.yml key by key (nested maps merge, lists and values replace). */
export type StageSettings = Record<string, Yaml>;

function isMap(value: Yaml): value is Record<string, Yaml> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

function overlay(base: Record<string, Yaml>, over: StageSettings): Record<string, Yaml> {
  const merged = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isMap(current) && isMap(value) ? overlay(current, value) : value;
  }
  return merged;
}

interface ServerlessFile {
  service: string;
  provider?: { environment?: Record<string, Yaml> };
  custom?: Record<string, Yaml>;
  functions?: Record<string, { environment?: Record<string, Yaml> }>;
  resources?: Yaml[];
}

function readServerlessFile(): ServerlessFile {
  return readCloudFormationYaml(join(PROJECT_ROOT, 'serverless.yml')) as ServerlessFile;
}

export function readStageConfig(stage: string): Record<string, Yaml> {
  const path = join(PROJECT_ROOT, 'config', `${stage}.yml`);
  try {
    return parse(readFileSync(path, 'utf8')) as Record<string, Yaml>;
  } catch (error) {
    throw new StageEnvironmentError(`config/${stage}.yml: ${(error as Error).message}`);
  }
}

function lookup(root: Yaml, path: string): Yaml {
  return path
    .split('.')
    .reduce<Yaml>((value, key) => (value as Record<string, Yaml> | undefined)?.[key], root);
}

/** Resolves the Serverless variables and intrinsics that serverless.yml's environment blocks use. */
class StageResolver {
  private readonly serverless = readServerlessFile();
  private loadedStageConfig?: Record<string, Yaml>;
  /** Values for Refs that have no name to compute locally (the state machine's ARN). */
  readonly refs: Record<string, string> = {};

  constructor(
    readonly stage: string,
    private readonly overrides: StageSettings = {},
  ) {}

  // Read on first use: a deployed stage's table name needs no config file on this machine.
  private get stageConfig(): Record<string, Yaml> {
    this.loadedStageConfig ??= overlay(readStageConfig(this.stage), this.overrides);
    return this.loadedStageConfig;
  }

  private variable(expression: string): Yaml {
    // `${a, b}` falls back to b when a is unset, as in Serverless.
    for (const candidate of expression.split(',').map((part) => part.trim())) {
      let value: Yaml;
      if (candidate === 'sls:stage') value = this.stage;
      else if (candidate === 'self:service') value = this.serverless.service;
      else if (candidate.startsWith('self:custom.stage.'))
        value = lookup(this.stageConfig, candidate.slice('self:custom.stage.'.length));
      else if (candidate.startsWith('self:'))
        value = lookup(this.serverless, candidate.slice('self:'.length));
      else if (/^'.*'$/.test(candidate)) value = candidate.slice(1, -1);
      else if (/^file\(\.\/config\/[\w-]+\.js\)$/.test(candidate)) value = this.stageFileModule(candidate);
      if (value !== undefined && value !== null) return this.resolve(value, candidate);
    }
    throw new StageEnvironmentError(
      `config/${this.stage}.yml: no value for \${${expression}} (used by serverless.yml)`,
    );
  }

  /** A config/*.js variable module computes its value from the stage file: its `fromStageFile` does it here. */
  private stageFileModule(candidate: string): Yaml {
    const path = join(PROJECT_ROOT, candidate.slice('file('.length, -1));
    const module = createRequire(__filename)(path) as {
      fromStageFile?: (stage: Record<string, Yaml>) => Yaml;
    };
    if (!module.fromStageFile)
      throw new StageEnvironmentError(`\${${candidate}}: the module exports no fromStageFile for local runs`);
    return module.fromStageFile(this.stageConfig);
  }

  resolve(value: Yaml, where: string): Yaml {
    if (typeof value === 'string') {
      const whole = /^\$\{([^{}]+)\}$/.exec(value);
      // A string that is only a variable takes the variable's type (a list stays a list, as Join needs).
      if (whole) return this.variable(whole[1]!);
      return value.replace(/\$\{([^{}]+)\}/g, (_, expression: string) => String(this.variable(expression)));
    }
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, where));
    if (value && typeof value === 'object') {
      const record = value as Record<string, Yaml>;
      if ('Ref' in record) return this.ref(String(record.Ref), where);
      if ('Fn::Join' in record) {
        const [delimiter, items] = this.resolve(record['Fn::Join'], where) as [string, Yaml[]];
        return (Array.isArray(items) ? items : [items]).flat().map(String).join(delimiter);
      }
      throw new StageEnvironmentError(
        `${where}: ${Object.keys(record).join(', ')} cannot be computed without a deploy`,
      );
    }
    return value;
  }

  /** A Ref to a table or bucket is its name, which the resource file sets from the stage. */
  private ref(logicalId: string, where: string): Yaml {
    const known = this.refs[logicalId];
    if (known !== undefined) return known;
    for (const file of this.resourceFiles()) {
      const name = this.resourceName(file, logicalId);
      if (name !== undefined) return name;
    }
    throw new StageEnvironmentError(`${where}: !Ref ${logicalId} has no local value`);
  }

  /** The TableName, BucketName or TopicName that resources/<file> gives `logicalId` on this stage. */
  resourceName(file: string, logicalId: string): string | undefined {
    const resource = readResourceFile(file).Resources[logicalId];
    const name =
      resource?.Properties.TableName ?? resource?.Properties.BucketName ?? resource?.Properties.TopicName;
    return name === undefined ? undefined : String(this.resolve(name, `resources/${file} ${logicalId}`));
  }

  private resourceFiles(): string[] {
    return (this.serverless.resources ?? [])
      .map((entry) => /\.\/resources\/([^)]+)\)/.exec(String(entry))?.[1])
      .filter((file): file is string => Boolean(file));
  }

  environment(): Record<string, string> {
    const blocks = [
      this.serverless.provider?.environment ?? {},
      ...Object.values(this.serverless.functions ?? {}).map((fn) => fn.environment ?? {}),
    ];
    const environment: Record<string, string> = {};
    for (const block of blocks) {
      for (const [name, value] of Object.entries(block)) {
        environment[name] = String(this.resolve(value, `serverless.yml environment ${name}`));
      }
    }
    return environment;
  }

  custom(name: string): string {
    return String(this.resolve(this.serverless.custom?.[name], `serverless.yml custom.${name}`));
  }

  setting(path: string): string {
    return String(this.variable(`self:custom.stage.${path}`));
  }
}

export interface StageNames {
  stage: string;
  region: string;
  trackingTable: string;
  configBucket: string;
  triggerPrefix: string;
  defaultConfigKey: string;
  stateMachineArn: string;
  /** The task-runner endpoint's queue table (resources/task-queue-table.yml). */
  taskQueueTable?: string;
  /** Every variable serverless.yml sets on the stage's functions. */
  environment: Record<string, string>;
}

/**
 * The stage's resource names and the handlers' environment, as a deploy of `stage` would have them; `overrides`
 * change a few settings of config/<stage>.yml (the pipeline tests name their own jobs) before anything is derived.
 */
export function readStageNames(
  stage: string,
  overrides: StageSettings = {},
  accountId = '000000000000',
): StageNames {
  const resolver = new StageResolver(stage, overrides);
  const region = resolver.setting('region');
  const stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${resolver.custom('stateMachineName')}`;
  resolver.refs.ExtractPipelineStateMachine = stateMachineArn;
  const alarmTopic = resolver.resourceName('alarms.yml', 'AlarmTopic');
  if (alarmTopic) resolver.refs.AlarmTopic = `arn:aws:sns:${region}:${accountId}:${alarmTopic}`;
  const environment = resolver.environment();
  return {
    stage,
    region,
    trackingTable: resolver.custom('trackingTableName'),
    configBucket: String(environment.CONFIG_BUCKET),
    triggerPrefix: resolver.setting('triggerPrefix'),
    defaultConfigKey: resolver.setting('defaultConfigKey'),
    stateMachineArn,
    taskQueueTable: resolver.resourceName('task-queue-table.yml', 'TaskQueueTable'),
    environment,
  };
}

/** The tracking table a deploy of `stage` creates (serverless.yml custom.trackingTableName). */
export function deployedTrackingTableName(stage: string): string {
  return new StageResolver(stage).custom('trackingTableName');
}

/** The state machine a deploy of `stage` creates (serverless.yml custom.stateMachineName). */
export function deployedStateMachineName(stage: string): string {
  return new StageResolver(stage).custom('stateMachineName');
}

/** The task-queue table a deploy of `stage` creates, resolved alone (the bucket name needs an account id). */
function deployedTaskQueueTableName(stage: string): string | undefined {
  return new StageResolver(stage).resourceName('task-queue-table.yml', 'TaskQueueTable');
}

/** A deployed stage's table as the operator tools reach it (`status --stage`, `runner-credentials --stage`). */
export interface DeployedTable {
  tableName: string;
  /** config/<stage>.yml's region; undefined without that file (the default chain's region decides). */
  region?: string;
}

export function deployedStageTable(stage: string, table: 'trackingTable' | 'taskQueueTable'): DeployedTable {
  let region: string | undefined;
  try {
    region = String(readStageConfig(stage).region);
  } catch {
    // No config/<stage>.yml here: the default chain's region (AWS_REGION, the profile) decides.
  }
  const tableName =
    table === 'trackingTable' ? deployedTrackingTableName(stage) : deployedTaskQueueTableName(stage);
  if (!tableName) throw new StageEnvironmentError(`serverless.yml names no ${table} for stage ${stage}`);
  return { tableName, ...(region ? { region } : {}) };
}
