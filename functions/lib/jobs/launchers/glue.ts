// Turns a table into the Glue StartJobRun request that `Glue Start Extract Job Run` sends (.sync).
import { TableJobError } from '../../errors';
import type { TableConfig } from '../../config/extract-config';
import type { JobArguments } from '../job-arguments';
import type { GlueDefaults } from '../../config/stage-settings';
import { refuseGlueSpecialArguments } from './job-parameters';

export interface GlueJobRequest {
  JobName: string;
  Arguments: JobArguments;
  NumberOfWorkers: number;
  WorkerType: string;
  /** Minutes, as Glue counts them. */
  Timeout: number;
}

export function buildGlueRequest(
  table: TableConfig,
  args: JobArguments,
  defaults: GlueDefaults,
): GlueJobRequest {
  const jobName = table.glue?.job_name ?? defaults.jobName;
  if (!jobName) {
    throw new TableJobError(
      'glue.job_name: no Glue job is set for this table or in the stage config (glue.jobName)',
    );
  }
  // The state machine's role may start only the stage's allowed jobs; refusing here gives a clear reason
  // instead of an AccessDenied from Glue after the run has started.
  if (!defaults.allowedJobNames.includes(jobName)) {
    throw new TableJobError(
      `glue.job_name: '${jobName}' is not one of the stage's allowed Glue jobs (${defaults.allowedJobNames.join(', ') || 'none'})`,
    );
  }
  refuseGlueSpecialArguments(Object.keys(table.arguments ?? {}), defaults.allowedSpecialArguments);
  return {
    JobName: jobName,
    Arguments: args,
    NumberOfWorkers: table.glue?.number_of_workers ?? defaults.numberOfWorkers,
    WorkerType: table.glue?.worker_type ?? defaults.workerType,
    Timeout: table.glue?.timeout_minutes ?? defaults.timeoutMinutes,
  };
}
