// A run's tables as its list has them (run-table-list.ts), for the closers (Complete, Cancel and Record Failed Run)
// and `npm run status`. Most runs close with every table recorded and never read the list, so the reader and the S3
// client are loaded when the list is first read: a closer's bundle gets them as chunks, not at its cold start.
import type { S3Client } from '@aws-sdk/client-s3';
import type { RunTableEntry } from '../tracking/close-unrecorded-tables';
import type { RunRecord } from '../tracking/tracking-records';
import type { S3ObjectLocation } from './quota-groups';

/** An S3 client, or how to get one: a closer that reads the list only sometimes loads its client on first use. */
export type S3ClientOnDemand = S3Client | (() => Promise<S3Client>);

async function* readOnDemand(
  s3: S3ClientOnDemand,
  location: S3ObjectLocation,
): AsyncGenerator<RunTableEntry> {
  const [{ readRunTableList }, client] = await Promise.all([
    import('./read-run-table-list'),
    typeof s3 === 'function' ? s3() : s3,
  ]);
  yield* readRunTableList(client, location);
}

/**
 * The tables of `run` as its list has them, read a line at a time when first iterated; undefined for a run without
 * a list: one that failed before any of its tables could start, or one started by a version that wrote a PENDING
 * record per table instead.
 */
export function runTables(
  s3: S3ClientOnDemand,
  run: Pick<RunRecord, 'table_list'>,
): AsyncIterable<RunTableEntry> | undefined {
  return run.table_list ? readOnDemand(s3, run.table_list) : undefined;
}
