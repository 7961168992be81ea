// The handlers' DynamoDB client without the wire, for `npm start` and serve mode. A command the handlers send is
// marshalled by lib-dynamodb's own middleware, its input handed as JSON to dynalite's own validation and action
// (dynalite-requests.ts) on the store dynalite's HTTP server serves, and dynalite's answer read back by the SDK's
// own deserializer: the same items, condition checks and exception classes as over HTTP. What goes is what costs
// most of a request's CPU and means nothing in one process: the SDK's serializer, endpoint resolution, user
// agent, SigV4 signing, retries (dynalite asks for none) and HTTP (docs/limits.md). The pipeline tests keep HTTP.
import type { DynamoDBDocumentClient, TranslateConfig } from '@aws-sdk/lib-dynamodb';
import { operation } from '@smithy/core/schema';
import { HttpResponse } from '@smithy/protocol-http';
import { documentMarshalling, type DocumentCommandParts } from './document-marshalling';
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

/** The $metadata fields the SDK's retry middleware adds to an answer after one attempt, output or error. */
const ONE_ATTEMPT = { attempts: 1, totalRetryDelay: 0 };

/** A low-level command's operation schema: 9, then `operation`'s arguments (namespace, name, traits, input, output). */
type OperationSchemaArray = [number, ...Parameters<typeof operation>];

/** The client's protocol (AwsJson1_0Protocol): its deserializer turns dynalite's answer into output or exception. */
interface ResponseDeserializer {
  deserializeResponse(
    schema: ReturnType<typeof operation>,
    context: object,
    response: HttpResponse,
  ): Promise<{ $metadata: object }>;
}

/**
 * Sends `client`'s commands through `route` until the returned function is called. The client is a module
 * singleton of the handlers (functions/clients/dynamodb.ts), built from the environment as in Lambda; its `send`
 * is replaced on the instance. A command's input is marshalled as lib-dynamodb's middleware does
 * (document-marshalling.ts) and written as JSON, as the SDK writes it; dynalite's answer is read by the client's own
 * protocol, which raises the same exception classes as over HTTP, and unmarshalled. None of the middleware stack
 * is resolved: that alone cost a request more than dynalite's whole work.
 */
export function routeClientThrough(client: DynamoDBDocumentClient, route: InProcessRoute): () => void {
  const { protocol, translateConfig } = client.config as unknown as {
    protocol: ResponseDeserializer;
    translateConfig?: TranslateConfig;
  };
  const { marshallInput, unmarshallOutput } = documentMarshalling(translateConfig);
  // What the protocol reads from an empty answer (`{}`, most writes' answer), by operation: each one read after the
  // first differs only in its request id.
  const emptyOutputs = new Map<string, { $metadata: object }>();
  const send = async (command: object) => {
    const parts = command as DocumentCommandParts & { clientCommand: { schema: OperationSchemaArray } };
    const [, namespace, name, traits, input, output] = parts.clientCommand.schema;
    const body = JSON.stringify(marshallInput(parts), base64Blobs);
    const answered = await route.handle({ operation: name, body });
    const empty = answered.statusCode === 200 && answered.body === '{}';
    const known = empty ? emptyOutputs.get(name) : undefined;
    if (known)
      return unmarshallOutput(parts, { $metadata: { ...known.$metadata, requestId: nextRequestId() } });
    const response = httpResponse(answered);
    let answer;
    try {
      answer = await protocol.deserializeResponse(
        operation(namespace, name, traits, input, output),
        {},
        response,
      );
    } catch (error) {
      const { $metadata } = error as { $metadata?: object };
      if ($metadata) Object.assign($metadata, ONE_ATTEMPT);
      // As the SDK's deserializer middleware keeps it, out of sight.
      Object.defineProperty(error, '$response', { value: response, enumerable: false });
      throw error;
    }
    Object.assign(answer.$metadata, ONE_ATTEMPT);
    if (empty && Object.keys(answer).length === 1)
      emptyOutputs.set(name, { $metadata: { ...answer.$metadata } });
    return unmarshallOutput(parts, answer);
  };
  Object.defineProperty(client, 'send', { value: send, configurable: true, writable: true });
  return () => {
    if (Object.getOwnPropertyDescriptor(client, 'send')?.value === send)
      delete (client as { send?: unknown }).send;
  };
}
