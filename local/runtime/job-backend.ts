// The local stand-in for Glue, EMR Serverless and ECS: answers each job state's request the way the service's
// .sync integration would (a run description on success; States.TaskFailed with the run as JSON Cause on
// failure; the service's throttling error before a run starts), following a per-table script. A watermark table's
// job writes its report where the request's watermark_report_uri says, as a real job would.
import { createHash } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface TableScript {
  /** Fail the run with this error and cause (after any throttling). */
  fail?: { error?: string; cause?: string };
  /** Refuse to start this many times with the service's throttling error, then run. */
  throttle?: number;
  /** How long the run takes. */
  seconds?: number;
  /** On success, the high-water mark the job reports (written as {"watermark": ...} to its report URI). */
  watermark?: string | number;
}

export interface JobScript {
  default?: TableScript;
  tables?: Record<string, TableScript>;
}

export type ServiceJobType = 'glue' | 'emr' | 'ecs';

export interface JobCall {
  jobType: ServiceJobType;
  table: string;
  request: Record<string, unknown>;
  outcome: 'throttled' | 'succeeded' | 'failed';
}

/** An error whose name is what Step Functions would report, so the ASL's Retry/Catch match it. */
export class ServiceError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const THROTTLING_ERRORS: Record<ServiceJobType, string> = {
  glue: 'Glue.ConcurrentRunsExceededException',
  emr: 'EmrServerless.ThrottlingException',
  ecs: 'ECS.ThrottlingException',
};

/** A job argument by its `--name`, however the service carries it (Glue map, EMR argv, ECS environment). */
export function argumentOfRequest(
  jobType: ServiceJobType,
  request: Record<string, unknown>,
  name: string,
): string | undefined {
  if (jobType === 'glue') return (request.Arguments as Record<string, string>)[`--${name}`];
  if (jobType === 'emr') {
    const args = (request.JobDriver as { SparkSubmit: { EntryPointArguments: string[] } }).SparkSubmit
      .EntryPointArguments;
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? args[at + 1] : undefined;
  }
  const overrides = request.Overrides as {
    ContainerOverrides: { Environment: { Name: string; Value: string }[] }[];
  };
  const variable = `EXTRACT_${name.toUpperCase()}`;
  return overrides.ContainerOverrides[0]?.Environment.find((e) => e.Name === variable)?.Value;
}

/** Each service carries the table name in its own form; reading it back checks the launcher put it there. */
export function tableOfRequest(jobType: ServiceJobType, request: Record<string, unknown>): string {
  return String(argumentOfRequest(jobType, request, 'table'));
}

async function writeWatermarkReport(s3: S3Client, uri: string, watermark: string | number): Promise<void> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`watermark_report_uri is not an s3:// URI: ${uri}`);
  await s3.send(
    new PutObjectCommand({
      Bucket: match[1],
      Key: match[2],
      Body: JSON.stringify({ watermark }),
      ContentType: 'application/json',
    }),
  );
}

function runId(table: string, attempt: number): string {
  return createHash('sha256').update(`${table}#${attempt}`).digest('hex').slice(0, 24);
}

function describeRun(
  jobType: ServiceJobType,
  request: Record<string, unknown>,
  table: string,
  started: number,
  failed?: string,
) {
  const ended = Date.now();
  const id = runId(table, started);
  if (jobType === 'glue') {
    return {
      Id: `jr_${id}`,
      Attempt: 0,
      JobName: request.JobName,
      JobRunState: failed ? 'FAILED' : 'SUCCEEDED',
      StartedOn: started,
      CompletedOn: ended,
      ExecutionTime: Math.round((ended - started) / 1000),
      NumberOfWorkers: request.NumberOfWorkers,
      WorkerType: request.WorkerType,
      ...(failed ? { ErrorMessage: failed } : {}),
    };
  }
  if (jobType === 'emr') {
    return {
      ApplicationId: request.ApplicationId,
      JobRunId: id,
      Arn: `arn:aws:emr-serverless:us-east-1:000000000000:/applications/${String(request.ApplicationId)}/jobruns/${id}`,
      State: failed ? 'FAILED' : 'SUCCESS',
      CreatedAt: new Date(started).toISOString(),
      UpdatedAt: new Date(ended).toISOString(),
      ...(failed ? { StateDetails: failed } : {}),
    };
  }
  return {
    TaskArn: `arn:aws:ecs:us-east-1:000000000000:task/${String(request.Cluster)}/${id}`,
    LastStatus: 'STOPPED',
    StartedAt: started,
    StoppedAt: ended,
    StoppedReason: failed ? 'Essential container in task exited' : 'Task completed',
    Containers: [{ Name: 'extract', ExitCode: failed ? 1 : 0, ...(failed ? { Reason: failed } : {}) }],
  };
}

export interface JobBackend {
  run(jobType: ServiceJobType, request: Record<string, unknown>): Promise<unknown>;
  /** Every call with its request, for the tests to read; empty unless `recordCalls`. */
  readonly calls: JobCall[];
}

export function createJobBackend(
  script: JobScript = {},
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
  /** Where watermark reports are written (the local stack's S3); without it a scripted watermark is an error. */
  s3?: S3Client,
  /**
   * Keep every call in `calls` (the default, for the tests). `npm start` reads none: kept, each table's job
   * request would outlive its table.
   */
  { recordCalls = true }: { recordCalls?: boolean } = {},
): JobBackend {
  const calls: JobCall[] = [];
  const record = recordCalls ? (call: JobCall) => calls.push(call) : () => undefined;
  const throttled = new Map<string, number>();
  return {
    calls,
    async run(jobType, request) {
      const table = tableOfRequest(jobType, request);
      const tableScript = { ...script.default, ...script.tables?.[table] };
      const timesThrottled = throttled.get(table) ?? 0;
      if (timesThrottled < (tableScript.throttle ?? 0)) {
        throttled.set(table, timesThrottled + 1);
        record({ jobType, table, request, outcome: 'throttled' });
        throw new ServiceError(
          THROTTLING_ERRORS[jobType],
          `Rate exceeded starting ${table} (${timesThrottled + 1})`,
        );
      }
      const started = Date.now();
      if (tableScript.seconds) await sleep(tableScript.seconds * 1000);
      if (tableScript.fail) {
        record({ jobType, table, request, outcome: 'failed' });
        const message = tableScript.fail.cause ?? `${table} failed`;
        throw new ServiceError(
          tableScript.fail.error ?? 'States.TaskFailed',
          JSON.stringify(describeRun(jobType, request, table, started, message)),
        );
      }
      const reportUri = argumentOfRequest(jobType, request, 'watermark_report_uri');
      if (tableScript.watermark !== undefined && reportUri) {
        if (!s3) throw new Error(`${table}: a scripted watermark needs the job backend's S3 client`);
        await writeWatermarkReport(s3, reportUri, tableScript.watermark);
      }
      record({ jobType, table, request, outcome: 'succeeded' });
      return describeRun(jobType, request, table, started);
    },
  };
}
