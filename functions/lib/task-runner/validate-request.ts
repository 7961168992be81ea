// Input rules of the Data Pipeline task-runner operations, taken from the service model (botocore
// datapipeline/2012-10-29 and the API reference): length limits, the allowed character pattern and enums.
// The SDKs do not check these client-side, so the endpoint must, and each error names the offending field.
import * as z from 'zod/mini';
import '../zod-english';
import { fieldPath } from '../format-issues';
import { InvalidRequestException } from './protocol-errors';
import { MAX_CAUSE_LENGTH } from './task-callbacks';

export const MAX_ERROR_MESSAGE_LENGTH = MAX_CAUSE_LENGTH;

// The model's pattern: any XML-safe character. The `u` flag makes the surrogate-pair range mean U+10000-U+10FFFF
// and rejects lone surrogates.
const PATTERN = /^[\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}\r\n\t]*$/u;
// The PollForTask reference lists hostname's pattern without \r.
const HOSTNAME_PATTERN = /^[\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}\n\t]*$/u;

const text = (min: number, max: number, pattern: RegExp = PATTERN) =>
  z
    .string({ error: 'must be a string' })
    .check(
      z.minLength(min, { error: `must be at least ${min} character${min === 1 ? '' : 's'} long` }),
      z.maxLength(max, { error: `must be at most ${max} characters long` }),
      z.regex(pattern, { error: 'contains characters outside the allowed set' }),
    );

const field = z.object({
  key: text(1, 256),
  stringValue: z.optional(text(0, 10240)),
  refValue: z.optional(text(1, 256)),
});

export const operationSchemas = {
  PollForTask: z.object({
    workerGroup: text(1, 1024),
    hostname: z.optional(text(1, 1024, HOSTNAME_PATTERN)),
    instanceIdentity: z.optional(
      z.object({ document: z.optional(text(0, 1024)), signature: z.optional(text(0, 1024)) }),
    ),
  }),
  ReportTaskProgress: z.object({
    taskId: text(1, 2048),
    fields: z.optional(z.array(field, { error: 'must be a list of fields' })),
  }),
  SetTaskStatus: z.object({
    taskId: text(1, 2048),
    taskStatus: z.enum(['FINISHED', 'FAILED', 'FALSE'], { error: 'must be one of FINISHED, FAILED, FALSE' }),
    errorId: z.optional(text(0, 1024)),
    // The model sets no length limit on errorMessage. The endpoint's is SendTaskFailure's cause limit: a longer
    // message could not reach the execution whole anyway.
    errorMessage: z.optional(
      z.string({ error: 'must be a string' }).check(
        z.maxLength(MAX_ERROR_MESSAGE_LENGTH, {
          error: `must be at most ${MAX_ERROR_MESSAGE_LENGTH} characters long`,
        }),
      ),
    ),
    errorStackTrace: z.optional(text(0, 1024)),
  }),
  ReportTaskRunnerHeartbeat: z.object({
    taskrunnerId: text(1, 1024),
    workerGroup: z.optional(text(0, 1024)),
    hostname: z.optional(text(1, 1024)),
  }),
} as const;

export type OperationName = keyof typeof operationSchemas;
export type OperationInput<Name extends OperationName> = z.infer<(typeof operationSchemas)[Name]>;

export const isOperationName = (name: string): name is OperationName => Object.hasOwn(operationSchemas, name);

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = body;
  for (const part of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

export function validateInput<Name extends OperationName>(
  operation: Name,
  body: unknown,
): OperationInput<Name> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestException('The request body must be a JSON object.');
  }
  const parsed = operationSchemas[operation].safeParse(body);
  if (parsed.success) return parsed.data as OperationInput<Name>;
  const issue = parsed.error.issues[0];
  const name = fieldPath(issue?.path ?? []) || 'request';
  const missing = valueAt(body, issue?.path ?? []) === undefined;
  throw new InvalidRequestException(
    missing
      ? `Missing required field '${name}'.`
      : `Invalid value for '${name}': ${issue?.message ?? 'invalid'}.`,
  );
}
