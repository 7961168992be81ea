// The Data Pipeline SDKs pick the exception class from `__type` (and `x-amzn-ErrorType`), so each class here
// carries the exact wire name an unmodified client maps to its own exception, plus the HTTP status it expects.

export abstract class TaskRunnerProtocolError extends Error {
  abstract readonly statusCode: number;
}

/** Malformed input: a missing, over-long or invalid field, or an unknown operation. */
export class InvalidRequestException extends TaskRunnerProtocolError {
  override name = 'InvalidRequestException';
  readonly statusCode: number = 400;
}

/** A body over the endpoint's size limit: 413, under the protocol's InvalidRequestException so SDKs raise that. */
export class RequestTooLargeException extends InvalidRequestException {
  override readonly statusCode: number = 413;
}

/** The task id is unknown, expired (its lease ran out) or already finished. */
export class TaskNotFoundException extends TaskRunnerProtocolError {
  override name = 'TaskNotFoundException';
  readonly statusCode = 400;
}

/** Bad signature, unknown or revoked key, or a worker group the key is not granted. */
export class AccessDeniedException extends TaskRunnerProtocolError {
  override name = 'AccessDeniedException';
  readonly statusCode = 403;
}

/** Anything unexpected; a 5xx makes the SDKs retry the call. */
export class InternalServiceError extends TaskRunnerProtocolError {
  override name = 'InternalServiceError';
  readonly statusCode = 500;
}

export interface ProtocolErrorBody {
  statusCode: number;
  type: string;
  message: string;
}

/** Errors we did not raise on purpose become InternalServiceError without leaking their message to the caller. */
export function toProtocolError(error: unknown): ProtocolErrorBody {
  if (error instanceof TaskRunnerProtocolError) {
    return { statusCode: error.statusCode, type: error.name, message: error.message };
  }
  return {
    statusCode: 500,
    type: 'InternalServiceError',
    message: 'An internal error occurred; retry the call.',
  };
}
