// The run's table list: every table of the run, one JSON line each with its name, job type and source type, in
// the config bucket next to the Maps' items. The config manager writes no record per table up front (a run's
// records share one partition key, which takes 1,000 writes a second): this file is what the closers (Complete,
// Cancel and Record Failed Run) and `npm run status` read (run-tables.ts) to find the tables that have no record yet.
//
// It is written before the run record claims the run, and keyed by execution, so that an execution whose run_id
// belongs to another cannot overwrite that run's list; the run record names it (`table_list`). A run record with
// a table list therefore always has its file, and one without has no table that could have started.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TableJob } from '../jobs/table-job';
import type { S3ObjectLocation } from './quota-groups';

/** Where an execution's table list goes: `<runItemsPrefix><run_id>/table-list/<execution name>.ndjson`. */
export function runTableListLocation(
  settings: { configBucket: string; runItemsPrefix: string },
  runId: string,
  executionName: string,
): S3ObjectLocation {
  return {
    bucket: settings.configBucket,
    key: `${settings.runItemsPrefix}${runId}/table-list/${executionName}.ndjson`,
  };
}

export async function writeRunTableList(
  s3: S3Client,
  location: S3ObjectLocation,
  jobs: readonly Pick<TableJob, 'table' | 'job_type' | 'source_type'>[],
): Promise<void> {
  const lines = jobs.map(({ table, job_type, source_type }) =>
    JSON.stringify({ table, job_type, ...(source_type === undefined ? {} : { source_type }) }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: location.bucket,
      Key: location.key,
      Body: lines.length > 0 ? `${lines.join('\n')}\n` : '',
      ContentType: 'application/x-ndjson',
    }),
  );
}
