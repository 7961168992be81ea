// The state machine input for a local run, from `--data '<event JSON>'` or `--tables a,b,c`. Only the JSON
// itself is checked here: the config manager validates the event exactly as deployed, and records a bad one.
import { UsageError } from '../../cli/command-line';

export function buildRunEvent(options: {
  data?: string;
  tables?: string;
  'full-refresh'?: boolean;
}): Record<string, unknown> {
  const event = eventOf(options);
  return options['full-refresh'] ? { ...event, full_refresh: true } : event;
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
