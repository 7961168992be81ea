// The run items prefix rule, read by both stage schemas: the Lambdas' settings (zod/mini, kept small) and the
// stage file that preflight checks (zod). It must end with '/' and stay apart from the trigger prefix, or writing
// a run's items would start a run.
export const RUN_ITEMS_PREFIX_PATTERN = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/;
export const RUN_ITEMS_PREFIX_MESSAGE = "must be a key prefix ending in '/', e.g. runs/";
