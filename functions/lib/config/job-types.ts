// The job types `Choose Job Type` routes on. Kept apart from the config schema so that the status handler,
// which only needs the names, does not bundle the YAML parser and the schema library.
export const JOB_TYPES = ['glue', 'emr', 'ecs', 'runner'] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** What is wrong with a job_type that is not one of JOB_TYPES: the status handler's cause and validate's line. */
export function unsupportedJobType(jobType: string): string {
  return `'${jobType}' is not supported (expected one of ${JOB_TYPES.join(', ')})`;
}
