// The config manager's stage settings: everything config/<stage>.yml sets for it (buckets, limits, quotas, each
// job type's defaults), read once from its Lambda environment (lazy, on first use); a missing or bad setting
// fails the invocation with a StageSettingsError that names the variable. The other functions read their few
// settings with stage-environment.ts, so that their bundles do not build this schema at every cold start.
import * as z from 'zod/mini';
import { concurrencyQuotasSchema, uniformQuotas, type ConcurrencyQuotas } from './concurrency-quotas';
import { RUN_ITEMS_PREFIX_MESSAGE, RUN_ITEMS_PREFIX_PATTERN } from './run-items-prefix';
import { optionalText, parseStageEnvironment, stageName, trackingTable } from './stage-environment';

const list = z.pipe(
  z._default(z.string(), ''),
  z.transform((value: string) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ),
);
/** A whole number from its variable's text, at least `min` (and at most `max`), `fallback` when absent. */
const wholeNumber = (fallback: number, min: number, max?: number) =>
  z._default(
    z.pipe(z.coerce.number(), z.int().check(z.minimum(min), ...(max === undefined ? [] : [z.maximum(max)]))),
    fallback,
  );

/** A variable holding JSON (serverless.yml's way to pass a map), then checked against `schema`. */
const jsonText = <Schema extends z.ZodMiniType>(schema: Schema) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((text: string, context) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          context.issues.push({ code: 'custom', message: 'must be JSON', input: text });
          return z.NEVER;
        }
      }),
    ),
    schema,
  );

const stageEnvironment = z.object({
  STAGE: stageName,
  TRACKING_TABLE: trackingTable,
  CONFIG_BUCKET: z.string().check(z.minLength(3)),
  DEFAULT_CONFIG_KEY: z.string().check(z.minLength(1)),
  MAX_CONCURRENCY: wholeNumber(10, 1, 1000),
  MAX_TABLES_PER_RUN: wholeNumber(500, 1),
  // Unset: every quota is MAX_CONCURRENCY (a stack packaged before quotas existed).
  CONCURRENCY_QUOTAS: z.optional(jsonText(concurrencyQuotasSchema)),
  RUN_ITEMS_PREFIX: z._default(
    z.string().check(z.regex(RUN_ITEMS_PREFIX_PATTERN, RUN_ITEMS_PREFIX_MESSAGE)),
    'runs/',
  ),
  GLUE_JOB_NAME: optionalText,
  GLUE_ALLOWED_JOB_NAMES: list,
  GLUE_ALLOWED_SPECIAL_ARGUMENTS: list,
  GLUE_NUMBER_OF_WORKERS: wholeNumber(2, 1),
  GLUE_WORKER_TYPE: z._default(z.string(), 'G.1X'),
  GLUE_TIMEOUT_MINUTES: wholeNumber(120, 1),
  EMR_APPLICATION_ID: optionalText,
  EMR_EXECUTION_ROLE_ARN: optionalText,
  EMR_ENTRY_POINT: optionalText,
  EMR_ALLOWED_SPARK_SUBMIT_PARAMETERS: list,
  EMR_ALLOWED_ENTRY_POINTS: list,
  EMR_TIMEOUT_MINUTES: wholeNumber(120, 1),
  ECS_CLUSTER: optionalText,
  ECS_TASK_DEFINITION: optionalText,
  ECS_CONTAINER_NAME: optionalText,
  ECS_SUBNETS: list,
  ECS_SECURITY_GROUPS: list,
});

export interface GlueDefaults {
  jobName?: string;
  allowedJobNames: string[];
  /** Glue special parameters (without `--`) a table's arguments may set; none unless the stage allows them. */
  allowedSpecialArguments: string[];
  numberOfWorkers: number;
  workerType: string;
  timeoutMinutes: number;
}

export interface EmrDefaults {
  applicationId?: string;
  executionRoleArn?: string;
  entryPoint?: string;
  /** spark-submit options (`--driver-memory`) and `--conf` keys a table's spark_submit_parameters may set. */
  allowedSparkSubmitParameters: string[];
  /** Entry points a table may name besides entryPoint: the script is the code the EMR job role runs. */
  allowedEntryPoints: string[];
  timeoutMinutes: number;
}

export interface EcsDefaults {
  cluster?: string;
  taskDefinition?: string;
  containerName?: string;
  subnets: string[];
  securityGroups: string[];
}

export interface StageSettings {
  stage: string;
  trackingTable: string;
  configBucket: string;
  defaultConfigKey: string;
  maxConcurrency: number;
  maxTablesPerRun: number;
  /** Tables of each job type and runner worker group at once, each its own Distributed Map Run. */
  concurrency: ConcurrencyQuotas;
  /** Config bucket prefix of each run's table jobs (the Distributed Map's items) and Map results. */
  runItemsPrefix: string;
  glue: GlueDefaults;
  emr: EmrDefaults;
  ecs: EcsDefaults;
}

export function readStageSettings(env: NodeJS.ProcessEnv = process.env): StageSettings {
  const e = parseStageEnvironment(stageEnvironment, env);
  const glueJobName = e.GLUE_JOB_NAME;
  return {
    stage: e.STAGE,
    trackingTable: e.TRACKING_TABLE,
    configBucket: e.CONFIG_BUCKET,
    defaultConfigKey: e.DEFAULT_CONFIG_KEY,
    maxConcurrency: e.MAX_CONCURRENCY,
    maxTablesPerRun: e.MAX_TABLES_PER_RUN,
    concurrency: e.CONCURRENCY_QUOTAS ?? uniformQuotas(e.MAX_CONCURRENCY),
    runItemsPrefix: e.RUN_ITEMS_PREFIX,
    glue: {
      jobName: glueJobName,
      // The default job is always allowed; the role grants exactly this list.
      allowedJobNames: [...new Set([...(glueJobName ? [glueJobName] : []), ...e.GLUE_ALLOWED_JOB_NAMES])],
      allowedSpecialArguments: e.GLUE_ALLOWED_SPECIAL_ARGUMENTS,
      numberOfWorkers: e.GLUE_NUMBER_OF_WORKERS,
      workerType: e.GLUE_WORKER_TYPE,
      timeoutMinutes: e.GLUE_TIMEOUT_MINUTES,
    },
    emr: {
      applicationId: e.EMR_APPLICATION_ID,
      executionRoleArn: e.EMR_EXECUTION_ROLE_ARN,
      entryPoint: e.EMR_ENTRY_POINT,
      allowedSparkSubmitParameters: e.EMR_ALLOWED_SPARK_SUBMIT_PARAMETERS,
      allowedEntryPoints: e.EMR_ALLOWED_ENTRY_POINTS,
      timeoutMinutes: e.EMR_TIMEOUT_MINUTES,
    },
    ecs: {
      cluster: e.ECS_CLUSTER,
      taskDefinition: e.ECS_TASK_DEFINITION,
      containerName: e.ECS_CONTAINER_NAME,
      subnets: e.ECS_SUBNETS,
      securityGroups: e.ECS_SECURITY_GROUPS,
    },
  };
}
