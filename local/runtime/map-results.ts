// A Map Run's ResultWriter, as the Step Functions guide describes it ("ResultWriter (Map)"): the children's
// results go to S3 under `<Prefix>/<Map Run id>/`, one set of files per status, with a manifest.json naming them,
// and the Map's result is `{MapRunArn, ResultWriterDetails: {Bucket, Key}}` pointing at the manifest. Locally only
// the children that did not succeed are written (FAILED files, with their input, error and cause, as AWS writes
// them; the manifest's SUCCEEDED list stays empty): a succeeded table's outcome is in the tracking table, and its
// entry, its input and output (about 3.4 KB), would take 340 MB of the local S3 and a tenth of the run's CPU at
// 100,000 tables. Entries are written out in parts of a few megabytes, so that a Map Run holds one part at a time.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ServiceError } from './job-backend';

/** A child that did not succeed, as the results files list it (DescribeExecution's fields). */
export interface ChildResult {
  ExecutionArn: string;
  Name: string;
  StateMachineArn: string;
  Status: 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  StartDate: string;
  StopDate: string;
  Input: string;
  Error: string;
  Cause: string;
}

export interface ResultWriterDetails {
  MapRunArn: string;
  ResultWriterDetails: { Bucket: string; Key: string };
}

/** About 4 MB of entries per results file. */
const PART_BYTES = 4 * 1024 * 1024;

const resultWriterFailed = (where: string, error: unknown) =>
  new ServiceError(
    'States.ResultWriterFailed',
    `${where}: ${(error as Error).name}: ${(error as Error).message}`,
  );

export class MapResultWriter {
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly failedFiles: { Key: string; Size: number }[] = [];
  private entries: string[] = [];
  private bytes = 0;
  private readonly writes: Promise<void>[] = [];
  private failure?: ServiceError;

  constructor(
    private readonly s3: S3Client,
    parameters: Record<string, unknown>,
    private readonly mapRunArn: string,
    mapRunId: string,
  ) {
    this.bucket = String(parameters.Bucket);
    const prefix = typeof parameters.Prefix === 'string' ? parameters.Prefix.replace(/\/+$/, '') : '';
    this.prefix = prefix ? `${prefix}/${mapRunId}` : mapRunId;
  }

  add(result: ChildResult): void {
    const entry = JSON.stringify({ ...result, InputDetails: { Included: true }, RedriveCount: 0 });
    this.entries.push(entry);
    this.bytes += entry.length + 1;
    if (this.bytes >= PART_BYTES) this.flush();
  }

  private flush(): void {
    if (this.entries.length === 0) return;
    const body = `[${this.entries.join(',')}]`;
    this.entries = [];
    this.bytes = 0;
    const Key = `${this.prefix}/FAILED_${this.failedFiles.length}.json`;
    this.failedFiles.push({ Key, Size: Buffer.byteLength(body) });
    this.writes.push(
      this.put(Key, body).catch((error: unknown) => {
        this.failure ??= resultWriterFailed(`s3://${this.bucket}/${Key}`, error);
      }),
    );
  }

  private async put(key: string, body: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: 'application/json' }),
    );
  }

  /** Writes what is left and the manifest; the Map's result. A failed write fails it (States.ResultWriterFailed). */
  async finish(): Promise<ResultWriterDetails> {
    this.flush();
    await Promise.all(this.writes);
    if (this.failure) throw this.failure;
    const Key = `${this.prefix}/manifest.json`;
    const manifest = {
      DestinationBucket: this.bucket,
      MapRunArn: this.mapRunArn,
      ResultFiles: { FAILED: this.failedFiles, PENDING: [], SUCCEEDED: [] },
    };
    try {
      await this.put(Key, JSON.stringify(manifest));
    } catch (error) {
      throw resultWriterFailed(`s3://${this.bucket}/${Key}`, error);
    }
    return { MapRunArn: this.mapRunArn, ResultWriterDetails: { Bucket: this.bucket, Key } };
  }
}
