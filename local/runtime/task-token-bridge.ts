// Task tokens for the local runtime. aws-local-stepfunctions has none: `$$.Task.Token` resolves only to a static
// value from the run's context, and a state override replaces the whole integration. So a
// `lambda:invoke.waitForTaskToken` state is bridged here: each call mints its own token, runs the real queueing
// handler with it, and waits until the task-runner endpoint answers the token through these callbacks — the same
// TaskCallbacks interface the deployed endpoint drives Step Functions with.
import { randomUUID } from 'node:crypto';
import { TaskGoneError, type TaskCallbacks } from '../../functions/lib/task-runner/task-callbacks';
import { ServiceError } from './job-backend';

/** The static value the interpreter substitutes for `$$.Task.Token`; the bridge swaps in a minted token. */
export const TOKEN_PLACEHOLDER = 'local-task-token-placeholder';

interface Waiter {
  resolve(output: object): void;
  reject(error: Error): void;
  heartbeats: number;
}

export class LocalTaskTokens implements TaskCallbacks {
  private readonly waiting = new Map<string, Waiter>();

  /** Mints a token and the promise of its answer: the output on success, a named error on failure. */
  mint(): { token: string; answer: Promise<object> } {
    const token = `local-${randomUUID()}`;
    const answer = new Promise<object>((resolve, reject) => {
      this.waiting.set(token, { resolve, reject, heartbeats: 0 });
    });
    // Nobody may be awaiting yet; an early failure must not count as unhandled.
    answer.catch(() => undefined);
    return { token, answer };
  }

  private take(token: string): Waiter {
    const waiter = this.waiting.get(token);
    // As Step Functions answers for a token whose execution stopped or whose state already completed.
    if (!waiter) throw new TaskGoneError(`TaskDoesNotExist: ${token}`);
    return waiter;
  }

  async success(token: string, output: object): Promise<void> {
    const waiter = this.take(token);
    this.waiting.delete(token);
    waiter.resolve(output);
  }

  async failure(token: string, error: string, cause: string): Promise<void> {
    const waiter = this.take(token);
    this.waiting.delete(token);
    waiter.reject(new ServiceError(error, cause));
  }

  async heartbeat(token: string): Promise<void> {
    this.take(token).heartbeats++;
  }

  /** A token the execution stopped waiting for (timeout, abort): later answers get TaskDoesNotExist. */
  forget(token: string): void {
    this.waiting.delete(token);
  }

  get pending(): number {
    return this.waiting.size;
  }
}
