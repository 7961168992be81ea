// A run's id, apart from the event schema: Complete Extract Run keys the run record of a failed run with it, and
// importing the schema would put zod and the config parser (yaml) into that function's bundle.
export const RUN_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,80}$/;

/**
 * The run id of an event that may not validate: the run record must be keyed even when the event is invalid or
 * the config manager died, so a usable run_id is taken as is, else the execution's name.
 */
export function runIdOf(event: unknown, executionName: string): string {
  const value = (event as { run_id?: unknown } | null)?.run_id;
  return typeof value === 'string' && RUN_ID_PATTERN.test(value) ? value : executionName;
}
