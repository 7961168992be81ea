// The interpreter retries and catches any error a local Task handler throws, unless the error says otherwise
// (`isRetryable`, `isCatchable`, as its own States.Runtime does). A state of a stopped execution ends with this
// one: nothing waits for its result, and a promise left pending would keep the state's timeout timer (up to 48 h
// on the job states) and the execution with it.
export class StatesRuntimeError extends Error {
  override name = 'States.Runtime';
  readonly isRetryable = false;
  readonly isCatchable = false;
}
