// Runs started as the config manager starts them, for the tests of what closes a run: the run's table list in a
// config bucket on s3rver, then the RUNNING run record that names it (and no record per table).
import type { S3Client } from '@aws-sdk/client-s3';
import type { TableJob } from '../../functions/lib/jobs/table-job';
import { runTableListLocation, writeRunTableList } from '../../functions/lib/runs/run-table-list';
import { startRun, type NewRun, type TrackingStore } from '../../functions/lib/tracking/tracking-store';
import { createConfigBucket } from '../../local/stack/create-resources';
import { localS3Client, startS3 } from '../../local/stack/emulators';

export const LIST_BUCKET = 'config-bucket';

/** Registers the jest hooks (one s3rver per file); call the result inside a test for the S3 client. */
export function configBucketPerFile(): () => S3Client {
  let server: Awaited<ReturnType<typeof startS3>> | undefined;
  let s3: S3Client | undefined;
  beforeAll(async () => {
    server = await startS3();
    s3 = localS3Client(server.endpoint);
    await createConfigBucket(s3, LIST_BUCKET);
  });
  afterAll(async () => {
    s3?.destroy();
    await server?.close();
  });
  return () => s3!;
}

/** Writes the run's table list and its RUNNING run record, in the config manager's order. */
export async function startListedRun(
  store: TrackingStore,
  s3: S3Client,
  run: Omit<NewRun, 'table_count' | 'table_list'>,
  jobs: Pick<TableJob, 'table' | 'job_type' | 'source_type'>[],
  configBucket = LIST_BUCKET,
): Promise<void> {
  const location = runTableListLocation(
    { configBucket, runItemsPrefix: 'runs/' },
    run.run_id,
    run.execution_name,
  );
  await writeRunTableList(s3, location, jobs);
  await startRun(store, { ...run, table_count: jobs.length, table_list: location });
}

/** A Glue table job as the config manager builds it, with only what the closers and leases look at. */
export function glueJob(table: string, sourceType?: string): TableJob {
  return {
    table,
    job_type: 'glue',
    ...(sourceType ? { source_type: sourceType } : {}),
    request: { JobName: 'extract', Arguments: {} } as unknown as TableJob['request'],
  };
}
