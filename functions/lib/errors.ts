// Error names are part of the state machine's contract: Lambda reports `name` as the error type, which is what
// the ASL's Retry/Catch match and what ends up in the run record, so each failure mode has its own class.

/** The state machine input is malformed: a missing, unknown or invalid field. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

/** The extract config object does not exist in the config bucket. */
export class ConfigNotFoundError extends Error {
  override name = 'ConfigNotFoundError';
}

/** The extract config cannot be parsed, or its top level or `defaults` is invalid. */
export class ConfigValidationError extends Error {
  override name = 'ConfigValidationError';

  /** Each problem on its own (field and message), for `npm run validate`; the message joins them. */
  constructor(
    message: string,
    readonly problems: { field: string; message: string }[] = [{ field: '', message }],
  ) {
    super(message);
  }
}

/** The stage settings (Lambda environment) are incomplete: a deployment problem, not a data one. */
export class StageSettingsError extends Error {
  override name = 'StageSettingsError';
}

/** A run id was reused by a different execution. */
export class RunAlreadyExistsError extends Error {
  override name = 'RunAlreadyExistsError';
}

/** The run that rerun_of names cannot be re-run: it does not exist, is still running, or never had tables. */
export class RerunNotPossibleError extends Error {
  override name = 'RerunNotPossibleError';
}

/** Every table of the run that rerun_of names succeeded (or was skipped, without include_skipped). */
export class NothingToRerunError extends Error {
  override name = 'NothingToRerunError';
}

/** A table's own settings cannot produce a job request (missing or disallowed values). */
export class TableJobError extends Error {
  override name = 'TableJobError';
}
