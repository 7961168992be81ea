// The stage settings file, config/<stage>.yml, as `npm run preflight` checks it before a deploy. serverless.yml
// hands the same values to the Lambdas as environment variables (stage-settings.ts), and a table may override some
// of them (extract-config.ts): the identifier rules (aws-identifiers.ts) are the ones all three apply.
import * as z from 'zod';
import { MAX_WORKER_GROUP_LENGTH } from '../task-runner/runner-limits';
import { RUN_ITEMS_PREFIX_MESSAGE, RUN_ITEMS_PREFIX_PATTERN } from './run-items-prefix';
import {
  emrApplicationId,
  GLUE_WORKER_TYPES,
  iamRoleArn,
  securityGroupId,
  subnetId,
} from './aws-identifiers';

export const runItemsPrefix = z.string().regex(RUN_ITEMS_PREFIX_PATTERN, RUN_ITEMS_PREFIX_MESSAGE);
export const maxConcurrency = z.int().min(1).max(1000);

const minutes = z.int().min(1).max(10080);
/** Tables of one quota group at once: the group's Distributed Map's MaxConcurrency. */
const quota = maxConcurrency;
const names = z.array(z.string().min(1).max(255));

export const stageConfigFileSchema = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region, e.g. eu-west-1'),
  configBucketName: z.string().min(3).max(63).optional(),
  defaultConfigKey: z.string().min(1),
  triggerPrefix: z.string().min(1),
  maxConcurrency,
  maxTablesPerRun: z.int().min(1),
  // Each unset quota is maxConcurrency (config/concurrency-quotas.js); docs/configuration.md names their owners.
  concurrency: z
    .strictObject({
      glue: quota.optional(),
      emr: quota.optional(),
      ecs: quota.optional(),
      runner: quota.optional(),
      workerGroups: z.record(z.string().min(1).max(MAX_WORKER_GROUP_LENGTH), quota).optional(),
    })
    .optional(),
  runItemsPrefix: runItemsPrefix.optional(),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
  logRetentionInDays: z.int().min(1),
  sourceMaps: z.enum(['linked', 'external']).optional(),
  alarmEmail: z.email().optional(),
  alarms: z.strictObject({ failedTablesThreshold: z.int().min(1).optional() }).optional(),
  deletionProtection: z.boolean(),
  dataDeletionPolicy: z.enum(['Delete', 'Retain']),
  glue: z.strictObject({
    jobName: z.string().min(1).max(255),
    allowedJobNames: names.min(1),
    allowedSpecialArguments: names.optional(),
    numberOfWorkers: z.int().min(1),
    workerType: z.enum(GLUE_WORKER_TYPES),
    timeoutMinutes: minutes,
  }),
  emr: z.strictObject({
    applicationId: emrApplicationId,
    executionRoleArn: iamRoleArn,
    entryPoint: z.string().regex(/^s3:\/\/.+/, 'must be an s3:// URI'),
    allowedSparkSubmitParameters: names.optional(),
    allowedEntryPoints: names.optional(),
    timeoutMinutes: minutes,
  }),
  ecs: z.strictObject({
    cluster: z.string().min(1).max(255),
    taskDefinition: z.string().min(1).max(255),
    containerName: z.string().min(1).max(255),
    subnets: z.array(subnetId).min(1).max(16),
    securityGroups: z.array(securityGroupId).max(5),
    taskRoleArn: iamRoleArn,
    executionRoleArn: iamRoleArn,
  }),
  taskRunner: z.strictObject({
    pollWindowSeconds: z.int().min(1).max(110),
    pollIntervalMs: z.int().min(50),
    reservedConcurrency: z.int().min(1).optional(),
  }),
});

export type StageConfigFile = z.output<typeof stageConfigFileSchema>;
