// The handlers' DynamoDB client without the wire, for `npm start` and serve mode. A command the handlers send is
// marshalled by lib-dynamodb's own middleware, its input handed as JSON to dynalite's own validation and action
// (dynalite-requests.ts) on the store dynalite's HTTP server serves, and dynalite's answer read back by the SDK's
// own deserializer: the same items, condition checks and exception classes as over HTTP. What goes is what costs
// most of a request's CPU and means nothing in one process: the SDK's serializer, endpoint resolution, user
// agent, SigV4 signing, retries (dynalite asks for none) and HTTP (docs/limits.md). The pipeline tests keep HTTP.
import { constructStack, getSmithyContext } from '@smithy/core/client';
import { getSchemaSerdePlugin, serializerMiddlewareOption } from '@smithy/core/schema';
import { HttpResponse } from '@smithy/protocol-http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  DeserializeHandlerOutput,
  FinalizeRequestMiddleware,
  MiddlewareStack,
  SerializeMiddleware,
} from '@smithy/types';
import type { DynaliteAnswer } from './dynalite-requests';

/** What the stand-in serializer hands on: the operation's API name and its JSON body, as on the wire. */
export interface DynaliteRequest {
  operation: string;
  body: string;
}

/** Answers requests from dynalite in this process, and how to close that path. */
export interface InProcessRoute {
  handle(request: DynaliteRequest): Promise<DynaliteAnswer>;
  /**
   * Refuses new requests (ECONNREFUSED, as a closed server does) and resolves once those under way are answered:
   * dynalite closes its store when its HTTP server has no connection left, and in-process requests hold none.
   */
  drain(): Promise<void>;
}

/** A route to `answer` (dynalite's validation and actions) while `serving()` says dynalite's server is up. */
export function inProcessRoute(
  answer: (operation: string, body: string) => Promise<DynaliteAnswer>,
  serving: () => boolean,
): InProcessRoute {
  let open = true;
  let underWay = 0;
  let drained: (() => void) | undefined;
  const answered = () => {
    underWay -= 1;
    if (underWay === 0) drained?.();
  };
  return {
    handle: ({ operation, body }) => {
      if (!open || !serving()) {
        const refused = new Error('connect ECONNREFUSED (DynamoDB emulator closed)');
        return Promise.reject(Object.assign(refused, { code: 'ECONNREFUSED' }));
      }
      underWay += 1;
      return answer(operation, body).finally(answered);
    },
    drain: () => {
      open = false;
      return underWay === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
    },
  };
}

/**
 * The SDK writes a Blob member as base64 (the JSON protocol's rule for blobs); lib-dynamodb's marshalled input
 * holds Uint8Arrays there. Read from the holder, as a Buffer's toJSON has already run by the time `value` arrives.
 */
function base64Blobs(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  if (original instanceof Uint8Array)
    return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64');
  return value;
}

/** In place of the SDK's serializer: the operation's name and its marshalled input as JSON. */
const serializeForDynalite: SerializeMiddleware<object, object> = (next, context) => (args) => {
  const { operationSchema } = getSmithyContext(context) as { operationSchema: [number, string, string] };
  const request: DynaliteRequest = {
    operation: operationSchema[2],
    body: JSON.stringify(args.input, base64Blobs),
  };
  return next({ ...args, request });
};

/** The $metadata the SDK's retry middleware adds to an answer of one attempt, output or error. */
const oneAttempt: FinalizeRequestMiddleware<object, object> = (next) => async (args) => {
  const once = { attempts: 1, totalRetryDelay: 0 };
  try {
    const result = await next(args);
    const { output } = result as DeserializeHandlerOutput<{ $metadata?: object }>;
    if (output?.$metadata) Object.assign(output.$metadata, once);
    return result;
  } catch (error) {
    const { $metadata } = error as { $metadata?: object };
    if ($metadata) Object.assign($metadata, once);
    throw error;
  }
};

let requestCount = 0;
/** A request id of dynalite's shape (52 upper-case characters), without its 39 random bytes per request. */
const nextRequestId = () => `LOCAL${String((requestCount += 1)).padStart(47, '0')}`;

/** dynalite's answer as the HTTP response the SDK's deserializer reads. */
function httpResponse({ statusCode, body }: DynaliteAnswer): HttpResponse {
  return new HttpResponse({
    statusCode,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': nextRequestId() },
    body: Buffer.from(body),
  });
}

type DocumentClientConfig = DynamoDBDocumentClient['config'];

/**
 * Sends `client`'s commands through `route` until the returned function is called. The client is a module
 * singleton of the handlers (functions/clients/dynamodb.ts), built from the environment as in Lambda; its `send`
 * is replaced on the instance. Each command resolves its middleware against a stack of three: the stand-in
 * serializer, the SDK's own deserializer (getSchemaSerdePlugin, with the client's protocol), and the one-attempt
 * $metadata; lib-dynamodb's command adds its own marshalling around them, as on the client's full stack.
 */
export function routeClientThrough(client: DynamoDBDocumentClient, route: InProcessRoute): () => void {
  const stack = constructStack() as MiddlewareStack<object, object>;
  // The deserializer copies its config into every request's context: given the protocol alone, not the client's
  // hundred settings. Applying the plugin makes its config the protocol's serde context; the client's own is put back.
  const { protocol } = client.config as unknown as { protocol: { setSerdeContext(context: object): void } };
  getSchemaSerdePlugin({ protocol } as never).applyToStack(stack);
  protocol.setSerdeContext(client.config);
  stack.add(serializeForDynalite, serializerMiddlewareOption);
  stack.add(oneAttempt, { step: 'finalizeRequest', name: 'retryMiddleware' });
  const config = {
    translateConfig: client.config.translateConfig,
    logger: client.config.logger,
    // Each command brings the endpoint middleware; it gets a fixed answer, as nothing is sent to an endpoint.
    isCustomEndpoint: true,
    endpointProvider: () => ({ url: new URL('http://dynalite.in-process/') }),
    requestHandler: {
      handle: (request: DynaliteRequest) =>
        route.handle(request).then((answer) => ({ response: httpResponse(answer) })),
    },
  } as unknown as DocumentClientConfig;
  type Command = Parameters<DynamoDBDocumentClient['send']>[0];
  const send = (command: Command, options?: unknown) =>
    command
      .resolveMiddleware(
        stack as never,
        config,
        options as never,
      )(command as never)
      .then(({ output }) => output);
  Object.defineProperty(client, 'send', { value: send, configurable: true, writable: true });
  return () => {
    if (Object.getOwnPropertyDescriptor(client, 'send')?.value === send)
      delete (client as { send?: unknown }).send;
  };
}
