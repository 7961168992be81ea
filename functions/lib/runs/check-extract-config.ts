// `npm run validate`'s work: every problem the config manager would find in an extract config, found before the
// file is uploaded. It runs the config manager's own steps (parse, schema, each table's job request against the
// stage's settings, the stage's table limit) and lists the problems one by one instead of recording them.
import { unsupportedJobType, JOB_TYPES } from '../config/job-types';
import { ConfigValidationError } from '../errors';
import { validateExtractConfig } from '../config/extract-config';
import { parseConfigDocument } from '../config/parse-config-document';
import type { StageSettings } from '../config/stage-settings';
import { buildTableJobs } from '../jobs/build-table-jobs';

/** One problem: the table it belongs to (none for the file's top level or defaults), the field, what is wrong. */
export interface ConfigProblem {
  table?: string;
  field: string;
  message: string;
}

// The job arguments name a run; any valid id builds the same requests.
const CHECK_RUN = { run_id: 'validate' };

/** A launcher's TableJobError reads `<table>: <field>: <message>` in the job's cause. */
function launcherProblem(table: string, cause: string): ConfigProblem {
  const detail = cause.startsWith(`${table}: `) ? cause.slice(table.length + 2) : cause;
  const match = /^([A-Za-z_.]+): (.*)$/s.exec(detail);
  return match ? { table, field: match[1]!, message: match[2]! } : { table, field: '', message: detail };
}

/** Every problem in the config file `text` (named `file` in messages) on a stage with `settings`. */
export function checkExtractConfig(text: string, file: string, settings: StageSettings): ConfigProblem[] {
  let config;
  try {
    config = validateExtractConfig(parseConfigDocument(text, file), file);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems.map((problem) => ({ ...problem }));
    throw error;
  }

  const problems: ConfigProblem[] = config.invalid.flatMap((entry) =>
    entry.problems.map((problem) => ({ table: entry.name, ...problem })),
  );
  // Disabled tables included: a run that names one extracts it, so its request must build too.
  const names = config.tables.map((table) => table.name);
  const { jobs } = buildTableJobs({ ...config, invalid: [] }, names, settings, CHECK_RUN);
  for (const job of jobs) {
    if (job.error) problems.push(launcherProblem(job.table, job.error.Cause));
    else if (!(JOB_TYPES as readonly string[]).includes(job.job_type))
      problems.push({ table: job.table, field: 'job_type', message: unsupportedJobType(job.job_type) });
  }

  const enabled = config.tables.filter((table) => table.enabled).length + config.invalid.length;
  if (enabled > settings.maxTablesPerRun) {
    problems.push({
      field: 'tables',
      message: `a run of every enabled table would have ${enabled} tables, more than stage ${settings.stage}'s limit of ${settings.maxTablesPerRun} per run; pass tables_to_extract in batches`,
    });
  }
  return problems;
}
