// The state machine input for a local run, from `--data '<event JSON>'`, `--tables a,b,c` or `--rerun-of R`. Only
// the command line itself is checked here: the config manager validates the event exactly as deployed, and
// records a bad one.
import { UsageError } from '../../cli/command-line';

export interface RunEventOptions extends RerunOptions {
  data?: string;
  tables?: string;
  'full-refresh'?: boolean;
}

interface RerunOptions {
  'rerun-of'?: string;
  'include-skipped'?: boolean;
  'all-tables'?: boolean;
}

export function buildRunEvent(options: RunEventOptions): Record<string, unknown> {
  const event = { ...eventOf(options), ...rerunFields(options) };
  return options['full-refresh'] ? { ...event, full_refresh: true } : event;
}

/** `--rerun-of R [--include-skipped] [--all-tables]`: the event's rerun_of, include_skipped and only_failed. */
function rerunFields(options: RunEventOptions): Record<string, unknown> {
  const rerunOf = options['rerun-of'];
  if (rerunOf === undefined) {
    const stray = (['include-skipped', 'all-tables'] as const).find((flag) => options[flag]);
    if (stray) throw new UsageError(`--${stray}: only with --rerun-of <run id>`);
    return {};
  }
  if (options.tables !== undefined)
    throw new UsageError(
      '--rerun-of and --tables: give one or the other (a re-run takes its tables from the run it re-runs)',
    );
  if (options.data !== undefined)
    throw new UsageError('--data and --rerun-of: give one or the other (put rerun_of in --data)');
  return {
    rerun_of: rerunOf,
    ...(options['include-skipped'] ? { include_skipped: true } : {}),
    ...(options['all-tables'] ? { only_failed: false } : {}),
  };
}

function eventOf(options: { data?: string; tables?: string }): Record<string, unknown> {
  if (options.data !== undefined && options.tables !== undefined)
    throw new UsageError('--data and --tables: give one or the other (put tables_to_extract in --data)');
  if (options.data !== undefined) {
    let event: unknown;
    try {
      event = JSON.parse(options.data);
    } catch (error) {
      throw new UsageError(`--data: not valid JSON (${(error as Error).message})`);
    }
    if (!event || typeof event !== 'object' || Array.isArray(event))
      throw new UsageError('--data: must be a JSON object, e.g. {"tables_to_extract":["sales.orders"]}');
    return { trigger: 'local', ...(event as Record<string, unknown>) };
  }
  if (options.tables !== undefined) {
    const tables = options.tables
      .split(',')
      .map((table) => table.trim())
      .filter(Boolean);
    if (tables.length === 0)
      throw new UsageError('--tables: name at least one table, e.g. --tables sales.orders');
    return { trigger: 'local', tables_to_extract: tables };
  }
  return { trigger: 'local' };
}
