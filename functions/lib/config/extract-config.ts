// The extract config file: which tables exist and how each is extracted. Users write it by hand, so every
// error names the table and the field. One bad table entry never invalidates the others: only an unreadable
// file, a bad top level or bad `defaults` (which affect every table) fail the whole run.
import * as z from 'zod/mini';
import '../zod-english';
import {
  emrApplicationId,
  GLUE_WORKER_TYPES,
  iamRoleArn,
  securityGroupId,
  subnetId,
} from './aws-identifiers';
import { ConfigValidationError } from '../errors';
import { formatIssues, listIssues, type FieldProblem } from '../format-issues';
import { RESERVED_ARGUMENT_KEYS, toEnvironmentName } from './argument-names';
import {
  attemptLimit,
  MAX_FIELD_VALUE_LENGTH,
  MAX_WORKER_GROUP_LENGTH,
  reportProgressTimeoutSeconds,
} from '../task-runner/runner-limits';
import {
  WATERMARK_COLUMN_MESSAGE,
  WATERMARK_COLUMN_PATTERN,
  WATERMARK_TYPES,
} from '../watermarks/watermark-kinds';

export { JOB_TYPES, type JobType } from './job-types';

export const TABLE_NAME_PATTERN = /^[A-Za-z0-9_$][A-Za-z0-9_.$-]{0,254}$/;
// Argument keys become Glue `--key` arguments and container environment variable names.
const ARGUMENT_KEY_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
// Credentials never belong in a config file in a bucket: they are referenced by Secrets Manager ARN instead.
const SECRET_LIKE_KEY = /(password|passwd|secret|token|api[_-]?key|private[_-]?key)(?!.*_arn$)/i;

// zod/mini, like every schema a Lambda loads: the config manager's bundle loads faster without zod's
// method-chaining build (docs/design.md, cold load). `npm run validate` and the preflight use these same schemas.
const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));

const argumentValue = z.pipe(
  z.union([z.string().check(z.maxLength(4096)), z.number(), z.boolean()]),
  z.transform(String),
);
const argumentMap = z
  .record(
    z.string().check(z.regex(ARGUMENT_KEY_PATTERN, 'must be a letter followed by letters, digits, _ . or -')),
    argumentValue,
  )
  .check(
    z.superRefine((args, ctx) => {
      // Containers and runners receive arguments as environment variables: two keys must not become one.
      const keyByEnvironmentName = new Map<string, string>();
      for (const key of Object.keys(args)) {
        if (RESERVED_ARGUMENT_KEYS.includes(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `is set by the pipeline; use the table's ${key} field`,
          });
        }
        const environmentName = toEnvironmentName(key);
        const clash = keyByEnvironmentName.get(environmentName);
        if (clash) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `becomes the same environment variable (${environmentName}) as '${clash}'`,
          });
        }
        keyByEnvironmentName.set(environmentName, key);
        if (SECRET_LIKE_KEY.test(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message:
              'looks like a credential: store it in Secrets Manager and reference it with source_secret_arn',
          });
        }
      }
    }),
  );

const minutes = z.int().check(z.minimum(1), z.maximum(10080));
const glueSettings = z.strictObject({
  job_name: z.optional(text(1, 255)),
  number_of_workers: z.optional(z.int().check(z.minimum(1), z.maximum(1000))),
  worker_type: z.optional(z.enum(GLUE_WORKER_TYPES)),
  timeout_minutes: z.optional(minutes),
});
const emrSettings = z.strictObject({
  application_id: z.optional(emrApplicationId),
  execution_role_arn: z.optional(iamRoleArn),
  entry_point: z.optional(text(1, 256)),
  spark_submit_parameters: z.optional(z.string().check(z.maxLength(102400))),
  timeout_minutes: z.optional(minutes),
});
const ecsSettings = z.strictObject({
  cluster: z.optional(text(1, 255)),
  task_definition: z.optional(text(1, 255)),
  container_name: z.optional(text(1, 255)),
  subnets: z.optional(z.array(subnetId).check(z.minLength(1), z.maxLength(16))),
  security_groups: z.optional(z.array(securityGroupId).check(z.maxLength(5))),
  assign_public_ip: z.optional(z.boolean()),
});

const runnerSettings = z.strictObject({
  report_progress_timeout_seconds: z.optional(reportProgressTimeoutSeconds),
  attempt_limit: z.optional(attemptLimit),
});

const tableSettings = {
  job_type: text(1, 32),
  source_type: z.optional(text(1, 64)),
  source_secret_arn: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
          'must be a Secrets Manager secret ARN',
        ),
      ),
  ),
  target_path: z.optional(
    z.string().check(z.regex(/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/, 'must be an s3:// URI')),
  ),
  arguments: z.optional(argumentMap),
  glue: z.optional(glueSettings),
  emr: z.optional(emrSettings),
  ecs: z.optional(ecsSettings),
  /** runner: the self-hosted worker group whose task runners poll for this table (exact, case-sensitive). */
  worker_group: z.optional(text(1, MAX_WORKER_GROUP_LENGTH)),
  /** runner: the shell command the task runner executes, with the job arguments in its environment. */
  command: z.optional(text(1, MAX_FIELD_VALUE_LENGTH)),
  runner: z.optional(runnerSettings),
  /** Incremental extracts: the column whose high-water mark the job reports (docs/incremental-extracts.md). */
  watermark_column: z.optional(z.string().check(z.regex(WATERMARK_COLUMN_PATTERN, WATERMARK_COLUMN_MESSAGE))),
  /** How watermark values compare; timestamp unless set. */
  watermark_type: z.optional(z.enum(WATERMARK_TYPES)),
};

const tableSchema = z.strictObject({
  name: z.string().check(z.regex(TABLE_NAME_PATTERN, 'must be 1-255 letters, digits, _ . $ or -')),
  enabled: z._default(z.boolean(), true),
  ...tableSettings,
});
const defaultsSchema = z.strictObject({ ...tableSettings, job_type: z.optional(tableSettings.job_type) });

const configSchema = z.strictObject({
  version: z._default(z.literal(1), 1),
  defaults: z.optional(z.record(z.string(), z.unknown())),
  // Entries are validated one by one below so that one bad entry fails only its own table.
  tables: z.array(z.unknown()).check(z.minLength(1, 'must list at least one table')),
});

export type TableConfig = z.output<typeof tableSchema>;

/** A config entry that could not be used, kept so it is recorded FAILED instead of vanishing. */
export interface InvalidTableEntry {
  /** The entry's name when it has a usable one, else a placeholder naming its position. */
  name: string;
  job_type: string;
  error: string;
  /** The same problems one by one, fields relative to the entry (`glue.worker_type`). */
  problems: FieldProblem[];
}

export interface ExtractConfig {
  tables: TableConfig[];
  invalid: InvalidTableEntry[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Defaults sit under every entry; nested settings (glue, emr, ecs, arguments) merge key by key. */
export function mergeDefaults(
  defaults: Record<string, unknown>,
  entry: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(entry)) {
    const base = merged[key];
    merged[key] = isPlainObject(base) && isPlainObject(value) ? { ...base, ...value } : value;
  }
  return merged;
}

function describeEntry(entry: unknown, index: number): { name: string; jobType: string } {
  const raw = isPlainObject(entry) ? entry : {};
  const name = typeof raw.name === 'string' && raw.name.trim() ? raw.name : `tables[${index}]`;
  const jobType = typeof raw.job_type === 'string' ? raw.job_type : 'unknown';
  return { name, jobType };
}

const MAX_LISTED_POSITIONS = 10;

export function validateExtractConfig(document: unknown, key: string): ExtractConfig {
  const top = configSchema.safeParse(document);
  if (!top.success)
    throw new ConfigValidationError(`${key}: ${formatIssues(top.error, '')}`, listIssues(top.error, ''));

  const defaults = defaultsSchema.safeParse(top.data.defaults ?? {});
  if (!defaults.success)
    throw new ConfigValidationError(
      `${key}: ${formatIssues(defaults.error, 'defaults')}`,
      listIssues(defaults.error, 'defaults'),
    );

  const tables: TableConfig[] = [];
  const invalid: InvalidTableEntry[] = [];
  const entries = top.data.tables.map((entry, index) => ({ entry, index, ...describeEntry(entry, index) }));

  // A name defined twice is ambiguous: extracting either definition could be wrong, so the table fails once
  // with both positions named instead of being extracted twice or silently picking one.
  // Appended in place: copying the list on every repeat made 80,000 entries of one name take most of a minute.
  const indexesByName = new Map<string, number[]>();
  for (const { name, index } of entries) {
    const indexes = indexesByName.get(name);
    if (indexes) indexes.push(index);
    else indexesByName.set(name, [index]);
  }

  for (const { entry, index, name, jobType } of entries) {
    const indexes = indexesByName.get(name) ?? [];
    if (indexes.length > 1) {
      if (indexes[0] === index) {
        // A few positions and a count: a record's cause must stay small whatever the repeat count.
        const shown = indexes.slice(0, MAX_LISTED_POSITIONS).map((i) => `tables[${i}]`);
        const more = indexes.length - shown.length;
        const positions = more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
        const message = `'${name}' is defined more than once (${positions})`;
        invalid.push({
          name,
          job_type: jobType,
          error: `tables.name: ${message}`,
          problems: [{ field: 'name', message }],
        });
      }
      continue;
    }
    const label = `tables[${index}] (${name})`;
    if (!isPlainObject(entry)) {
      const message = 'must be a mapping with name and job_type';
      invalid.push({
        name,
        job_type: jobType,
        error: `${label}: ${message}`,
        problems: [{ field: '', message }],
      });
      continue;
    }
    const parsed = tableSchema.safeParse(mergeDefaults(top.data.defaults ?? {}, entry));
    if (!parsed.success) {
      invalid.push({
        name,
        job_type: jobType,
        error: formatIssues(parsed.error, label),
        problems: listIssues(parsed.error),
      });
      continue;
    }
    tables.push(parsed.data);
  }

  return { tables, invalid };
}
