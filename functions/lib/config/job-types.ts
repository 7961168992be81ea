// The job types `Choose Job Type` routes on. Kept apart from the config schema so that the status handler,
// which only needs the names, does not bundle the YAML parser and the schema library.
export const JOB_TYPES = ['glue', 'emr', 'ecs', 'runner'] as const;
export type JobType = (typeof JOB_TYPES)[number];
