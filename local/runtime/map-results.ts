// A Map Run's ResultWriter, as the Step Functions guide describes it ("ResultWriter (Map)"): the children's
// results go to S3 under `<Prefix>/<Map Run id>/`, one set of files per status, with a manifest.json naming them,
// and the Map's result is `{MapRunArn, ResultWriterDetails: {Bucket, Key}}` pointing at the manifest. Each
// child's entry is written out as it finishes, in parts of a few megabytes, so that a Map Run of 100,000
// children holds one part at a time, not every child's input and output (AWS's parts are far larger).
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ServiceError } from './job-backend';

/** A finished child as the results files list it (DescribeExecution's fields). */
export interface ChildResult {
  ExecutionArn: string;
  Name: string;
  StateMachineArn: string;
  Status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  StartDate: string;
  StopDate: string;
  Input: string;
  Output?: string;
  Error?: string;
  Cause?: string;
}

type ResultFileStatus = 'SUCCEEDED' | 'FAILED' | 'PENDING';

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
  private readonly parts: Record<ResultFileStatus, { Key: string; Size: number }[]> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
  private readonly buffers: Record<ResultFileStatus, { entries: string[]; bytes: number }> = {
    FAILED: { entries: [], bytes: 0 },
    PENDING: { entries: [], bytes: 0 },
    SUCCEEDED: { entries: [], bytes: 0 },
  };
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

  /** A failed write, once seen; the Map Run fails with it (States.ResultWriterFailed). */
  get error(): ServiceError | undefined {
    return this.failure;
  }

  add(result: ChildResult): void {
    const status: ResultFileStatus = result.Status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
    const entry = JSON.stringify({
      ...result,
      InputDetails: { Included: true },
      ...(result.Output !== undefined ? { OutputDetails: { Included: true } } : {}),
      RedriveCount: 0,
    });
    const buffer = this.buffers[status];
    buffer.entries.push(entry);
    buffer.bytes += entry.length + 1;
    if (buffer.bytes >= PART_BYTES) this.flush(status);
  }

  private flush(status: ResultFileStatus): void {
    const buffer = this.buffers[status];
    if (buffer.entries.length === 0) return;
    const body = `[${buffer.entries.join(',')}]`;
    this.buffers[status] = { entries: [], bytes: 0 };
    const Key = `${this.prefix}/${status}_${this.parts[status].length}.json`;
    this.parts[status].push({ Key, Size: Buffer.byteLength(body) });
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

  /** Writes what is left and the manifest; the Map's result. */
  async finish(): Promise<ResultWriterDetails> {
    for (const status of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) this.flush(status);
    await Promise.all(this.writes);
    if (this.failure) throw this.failure;
    const Key = `${this.prefix}/manifest.json`;
    const manifest = {
      DestinationBucket: this.bucket,
      MapRunArn: this.mapRunArn,
      ResultFiles: this.parts,
    };
    try {
      await this.put(Key, JSON.stringify(manifest));
    } catch (error) {
      throw resultWriterFailed(`s3://${this.bucket}/${Key}`, error);
    }
    return { MapRunArn: this.mapRunArn, ResultWriterDetails: { Bucket: this.bucket, Key } };
  }
}
