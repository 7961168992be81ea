// A conditional write that lost (the item was already in a later state, or owned by someone else) is how this
// project's idempotency shows itself, not a fault. Matched by name as well as class because a bundled copy of the
// SDK and the caller's copy can differ.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error | undefined)?.name === 'ConditionalCheckFailedException'
  );
}
