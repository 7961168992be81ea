// How a task's outcome reaches the waiting state machine. The endpoint only ever holds a task token; everything it
// learns from runners is forwarded through this interface, so tests and the local runtime can swap in their own.
import { lazy } from '../lazy';

export interface TaskCallbacks {
  success(token: string, output: object): Promise<void>;
  failure(token: string, error: string, cause: string): Promise<void>;
  heartbeat(token: string): Promise<void>;
}

/** The execution no longer waits for this token: it was stopped, timed out, or already completed. */
export class TaskGoneError extends Error {
  override name = 'TaskGoneError';
}

// Step Functions' own limits on SendTaskFailure; longer values are rejected outright rather than truncated.
export const MAX_ERROR_LENGTH = 256;
export const MAX_CAUSE_LENGTH = 32768;

/**
 * Callbacks that load their implementation on first use: the functions that rarely call Step Functions (the
 * reclaim schedule fails a task only when its attempts are spent) do not load its client at every cold start.
 */
export function callbacksOnFirstUse(load: () => Promise<TaskCallbacks>): TaskCallbacks {
  const callbacks = lazy(load);
  return {
    success: async (token, output) => (await callbacks()).success(token, output),
    failure: async (token, error, cause) => (await callbacks()).failure(token, error, cause),
    heartbeat: async (token) => (await callbacks()).heartbeat(token),
  };
}

export type RecordedCallback =
  | { kind: 'success'; token: string; output: object }
  | { kind: 'failure'; token: string; error: string; cause: string }
  | { kind: 'heartbeat'; token: string };

/**
 * Stands in for Step Functions where there is none (tests, the local server run on its own): records every call
 * and treats tokens listed in `goneTokens` (or already completed) the way Step Functions does.
 */
export class InMemoryTaskCallbacks implements TaskCallbacks {
  readonly calls: RecordedCallback[] = [];
  readonly goneTokens = new Set<string>();

  private check(token: string): void {
    if (this.goneTokens.has(token)) throw new TaskGoneError(`TaskTimedOut: ${token}`);
  }

  async success(token: string, output: object): Promise<void> {
    this.check(token);
    this.calls.push({ kind: 'success', token, output });
    this.goneTokens.add(token);
  }

  async failure(token: string, error: string, cause: string): Promise<void> {
    this.check(token);
    this.calls.push({ kind: 'failure', token, error, cause });
    this.goneTokens.add(token);
  }

  async heartbeat(token: string): Promise<void> {
    this.check(token);
    this.calls.push({ kind: 'heartbeat', token });
  }

  outcomes(token: string): RecordedCallback[] {
    return this.calls.filter((call) => call.token === token && call.kind !== 'heartbeat');
  }
}
