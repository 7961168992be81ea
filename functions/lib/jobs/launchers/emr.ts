// Turns a table into the EMR Serverless StartJobRun request that `EMR Start Extract Job Run` sends (.sync).
import { createHash } from 'node:crypto';
import { TableJobError } from '../../errors';
import type { TableConfig } from '../../config/extract-config';
import type { JobArguments, RunContext } from '../job-arguments';
import type { EmrDefaults } from '../../config/stage-settings';
import { refuseSparkSubmitParameters } from './job-parameters';

export interface EmrJobRequest {
  ApplicationId: string;
  ExecutionRoleArn: string;
  Name: string;
  /** Same run and table → same token, so a retried StartJobRun does not start a second job. */
  ClientToken: string;
  JobDriver: {
    SparkSubmit: { EntryPoint: string; EntryPointArguments: string[]; SparkSubmitParameters?: string };
  };
  ExecutionTimeoutMinutes: number;
}

function required(value: string | undefined, field: string, stageKey: string): string {
  if (!value)
    throw new TableJobError(`emr.${field}: not set for this table or in the stage config (emr.${stageKey})`);
  return value;
}

export function buildEmrRequest(
  table: TableConfig,
  args: JobArguments,
  defaults: EmrDefaults,
  run: RunContext,
): EmrJobRequest {
  const settings = table.emr ?? {};
  // The entry point is the code the EMR job role runs: a table may name only the stage's or an allowed one.
  if (
    settings.entry_point &&
    settings.entry_point !== defaults.entryPoint &&
    !defaults.allowedEntryPoints.includes(settings.entry_point)
  ) {
    throw new TableJobError(
      `emr.entry_point: '${settings.entry_point}' is neither the stage's entry point nor in emr.allowedEntryPoints`,
    );
  }
  const sparkSubmit: EmrJobRequest['JobDriver']['SparkSubmit'] = {
    EntryPoint: required(settings.entry_point ?? defaults.entryPoint, 'entry_point', 'entryPoint'),
    EntryPointArguments: Object.entries(args).flat(),
  };
  if (settings.spark_submit_parameters) {
    refuseSparkSubmitParameters(settings.spark_submit_parameters, defaults.allowedSparkSubmitParameters);
    sparkSubmit.SparkSubmitParameters = settings.spark_submit_parameters;
  }
  return {
    ApplicationId: required(
      settings.application_id ?? defaults.applicationId,
      'application_id',
      'applicationId',
    ),
    ExecutionRoleArn: required(
      settings.execution_role_arn ?? defaults.executionRoleArn,
      'execution_role_arn',
      'executionRoleArn',
    ),
    Name: `extract-${table.name}`.slice(0, 256),
    ClientToken: createHash('sha256').update(`${run.run_id}\n${table.name}`).digest('hex').slice(0, 64),
    JobDriver: { SparkSubmit: sparkSubmit },
    ExecutionTimeoutMinutes: settings.timeout_minutes ?? defaults.timeoutMinutes,
  };
}
