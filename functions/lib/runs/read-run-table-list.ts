// Reading a run's table list (run-table-list.ts says what it holds), a line at a time. A module of its own because
// run-tables.ts imports it on first use: a closer's bundle then loads it, and S3's GetObject, as a chunk.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { RunTableEntry } from '../tracking/close-unrecorded-tables';
import type { S3ObjectLocation } from './quota-groups';

/** The list's entries a line at a time, so that a reader holds one line, not the run's 100,000. */
export async function* readRunTableList(
  s3: S3Client,
  location: S3ObjectLocation,
): AsyncGenerator<RunTableEntry> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  const lines = createInterface({ input: Body as Readable, crlfDelay: Infinity });
  for await (const line of lines) if (line) yield JSON.parse(line) as RunTableEntry;
}
