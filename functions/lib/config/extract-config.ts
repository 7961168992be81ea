// The extract config file: which tables exist and how each is extracted. Users write it by hand, so every
// error names the table and the field. One bad table entry never invalidates the others: only an unreadable
// file, a bad top level or bad `defaults` (which affect every table) fail the whole run.
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import {
  emrApplicationId,
  GLUE_WORKER_TYPES,
  iamRoleArn,
  securityGroupId,
  subnetId,
} from './stage-config-file';
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

const argumentValue = z.union([z.string().max(4096), z.number(), z.boolean()]).transform(String);
const argumentMap = z
  .record(
    z.string().regex(ARGUMENT_KEY_PATTERN, 'must be a letter followed by letters, digits, _ . or -'),
    argumentValue,
  )
  .superRefine((args, ctx) => {
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
  });

const minutes = z.int().min(1).max(10080);
const glueSettings = z.strictObject({
  job_name: z.string().min(1).max(255).optional(),
  number_of_workers: z.int().min(1).max(1000).optional(),
  worker_type: z.enum(GLUE_WORKER_TYPES).optional(),
  timeout_minutes: minutes.optional(),
});
const emrSettings = z.strictObject({
  application_id: emrApplicationId.optional(),
  execution_role_arn: iamRoleArn.optional(),
  entry_point: z.string().min(1).max(256).optional(),
  spark_submit_parameters: z.string().max(102400).optional(),
  timeout_minutes: minutes.optional(),
});
const ecsSettings = z.strictObject({
  cluster: z.string().min(1).max(255).optional(),
  task_definition: z.string().min(1).max(255).optional(),
  container_name: z.string().min(1).max(255).optional(),
  subnets: z.array(subnetId).min(1).max(16).optional(),
  security_groups: z.array(securityGroupId).max(5).optional(),
  assign_public_ip: z.boolean().optional(),
});

const runnerSettings = z.strictObject({
  report_progress_timeout_seconds: reportProgressTimeoutSeconds.optional(),
  attempt_limit: attemptLimit.optional(),
});

const tableSettings = {
  job_type: z.string().min(1).max(32),
  source_type: z.string().min(1).max(64).optional(),
  source_secret_arn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
      'must be a Secrets Manager secret ARN',
    )
    .optional(),
  target_path: z
    .string()
    .regex(/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/, 'must be an s3:// URI')
    .optional(),
  arguments: argumentMap.optional(),
  glue: glueSettings.optional(),
  emr: emrSettings.optional(),
  ecs: ecsSettings.optional(),
  /** runner: the self-hosted worker group whose task runners poll for this table (exact, case-sensitive). */
  worker_group: z.string().min(1).max(MAX_WORKER_GROUP_LENGTH).optional(),
  /** runner: the shell command the task runner executes, with the job arguments in its environment. */
  command: z.string().min(1).max(MAX_FIELD_VALUE_LENGTH).optional(),
  runner: runnerSettings.optional(),
  /** Incremental extracts: the column whose high-water mark the job reports (docs/incremental-extracts.md). */
  watermark_column: z.string().regex(WATERMARK_COLUMN_PATTERN, WATERMARK_COLUMN_MESSAGE).optional(),
  /** How watermark values compare; timestamp unless set. */
  watermark_type: z.enum(WATERMARK_TYPES).optional(),
};

const tableSchema = z.strictObject({
  name: z.string().regex(TABLE_NAME_PATTERN, 'must be 1-255 letters, digits, _ . $ or -'),
  enabled: z.boolean().default(true),
  ...tableSettings,
});
const defaultsSchema = z.strictObject({ ...tableSettings, job_type: tableSettings.job_type.optional() });

const configSchema = z.strictObject({
  version: z.literal(1).default(1),
  defaults: z.record(z.string(), z.unknown()).optional(),
  // Entries are validated one by one below so that one bad entry fails only its own table.
  tables: z.array(z.unknown()).min(1, 'must list at least one table'),
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

export function parseConfigDocument(text: string, key: string): unknown {
  try {
    // YAML is a superset of JSON, so one parser serves both; the key's extension only decides the message.
    return parseYaml(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (error) {
    const message = `is not valid ${key.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`;
    throw new ConfigValidationError(`${key} ${message}`, [{ field: '', message }]);
  }
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
