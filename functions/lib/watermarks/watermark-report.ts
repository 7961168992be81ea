// A Glue, EMR or ECS job's watermark report: the JSON object `{"watermark": "..."}` it writes to the S3 object named
// by its watermark_report_uri argument (under the run's prefix in the config bucket). Those services' results carry
// no output of the job's own, so this object is how the job's high-water mark comes back.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Object } from './table-watermark';

/** A report is one small JSON object; anything larger is not read. */
export const MAX_REPORT_BYTES = 4096;

export type WatermarkReport = { reported: unknown } | { problem: string };

function describe(error: unknown): string {
  const { name, message } = error as Error;
  if (name === 'NoSuchKey') return 'no report was written';
  // Without s3:ListBucket (the status handler has none), S3 answers a missing object with AccessDenied.
  if (name === 'AccessDenied') return 'no report was written (or it cannot be read: AccessDenied)';
  // S3 answers a range request on an empty object with InvalidRange.
  if (name === 'InvalidRange') return 'the report is empty';
  return `${name}: ${message}`;
}

export async function readWatermarkReport(s3: S3Client, location: S3Object): Promise<WatermarkReport> {
  const uri = `s3://${location.bucket}/${location.key}`;
  let text: string;
  try {
    // One byte past the limit is enough to tell a report that is too large, without reading the rest of it.
    const response = await s3.send(
      new GetObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        Range: `bytes=0-${MAX_REPORT_BYTES}`,
      }),
    );
    const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    if (bytes.length > MAX_REPORT_BYTES)
      return { problem: `${uri}: the report is larger than ${MAX_REPORT_BYTES} bytes` };
    text = Buffer.from(bytes).toString('utf8');
  } catch (error) {
    return { problem: `${uri}: ${describe(error)}` };
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { problem: `${uri}: the report is not JSON (expected {"watermark": "..."})` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('watermark' in body))
    return { problem: `${uri}: the report has no "watermark" field (expected {"watermark": "..."})` };
  return { reported: (body as { watermark: unknown }).watermark };
}
