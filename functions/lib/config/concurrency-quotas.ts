// How many tables of each job type, and of each runner worker group, run at once. The stage sets them
// (config/<stage>.yml `concurrency`, each unset quota defaulting to maxConcurrency); serverless.yml hands them to
// the config manager as one JSON text (config/concurrency-quotas.js), and the state machine enforces each one as
// the MaxConcurrency of that group's Distributed Map Run.
import * as z from 'zod/mini';

/** A quota's bounds: the stage file's maxConcurrency bounds. */
export const MIN_QUOTA = 1;
export const MAX_QUOTA = 1000;

export interface ConcurrencyQuotas {
  glue: number;
  emr: number;
  ecs: number;
  /** A runner worker group's quota unless `workerGroups` names the group. */
  runner: number;
  workerGroups: Record<string, number>;
}

const quota = z.int().check(z.minimum(MIN_QUOTA), z.maximum(MAX_QUOTA));

export const concurrencyQuotasSchema = z.object({
  glue: quota,
  emr: quota,
  ecs: quota,
  runner: quota,
  workerGroups: z.record(z.string(), quota),
});

/** Every quota at `maxConcurrency`: a stage file without a concurrency section. */
export function uniformQuotas(maxConcurrency: number): ConcurrencyQuotas {
  return {
    glue: maxConcurrency,
    emr: maxConcurrency,
    ecs: maxConcurrency,
    runner: maxConcurrency,
    workerGroups: {},
  };
}

/** The quota of a runner worker group. */
export function workerGroupQuota(quotas: ConcurrencyQuotas, workerGroup: string): number {
  return Object.hasOwn(quotas.workerGroups, workerGroup) ? quotas.workerGroups[workerGroup]! : quotas.runner;
}
