// The handlers' DynamoDB client without a socket, for `npm start` and serve mode. A request the SDK has built,
// serialized and signed is handed to the dynalite server's own request listener, as Node's HTTP server would hand
// it, and dynalite's answer goes back to the SDK's deserializer: dynalite's validation, conditions and store are
// the ones its HTTP clients (the status command, runners, tests) see, and the SDK's middleware is all there. Only
// the sockets and HTTP parsing go, about half of each request's CPU (docs/limits.md). The pipeline tests keep
// the HTTP path.
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { HttpResponse, type HttpHandler, type HttpRequest } from '@smithy/protocol-http';

/** The part of http.IncomingMessage that dynalite's request listener reads. */
class RequestStandIn extends EventEmitter {
  readonly headers: Record<string, string> = {};
  readonly method: string;
  readonly url: string;
  constructor(request: HttpRequest) {
    super();
    for (const [name, value] of Object.entries(request.headers)) this.headers[name.toLowerCase()] = value;
    this.method = request.method;
    this.url = request.path;
  }
}

/** The part of http.ServerResponse that dynalite writes: status, headers and one body. */
class ResponseStandIn {
  statusCode = 200;
  readonly headers: Record<string, string> = {};
  constructor(private readonly done: (response: HttpResponse) => void) {}
  setHeader(name: string, value: string | number): void {
    this.headers[name.toLowerCase()] = String(value);
  }
  end(body?: string): void {
    const { statusCode, headers } = this;
    this.done(new HttpResponse({ statusCode, headers, body: Buffer.from(body ?? '') }));
  }
}

/** A request handler answering from a server's request listener, and how to close that server behind it. */
export interface InProcessRoute {
  handler: HttpHandler;
  /**
   * Refuses new requests (ECONNREFUSED, as a closed server does) and resolves once those under way are answered:
   * dynalite closes its store when its HTTP server has no connection left, and in-process requests hold none.
   */
  drain(): Promise<void>;
}

/** A request handler for an SDK client that answers from `server`'s request listener, in this process. */
export function inProcessRoute(server: Server): InProcessRoute {
  let open = true;
  let underWay = 0;
  let drained: (() => void) | undefined;
  const answered = () => {
    underWay -= 1;
    if (underWay === 0) drained?.();
  };
  const handler: HttpHandler = {
    handle: (request) => {
      if (!open || !server.listening) {
        const refused = new Error('connect ECONNREFUSED (DynamoDB emulator closed)');
        return Promise.reject(Object.assign(refused, { code: 'ECONNREFUSED' }));
      }
      underWay += 1;
      return new Promise<{ response: HttpResponse }>((resolve, reject) => {
        const incoming = new RequestStandIn(request);
        try {
          server.emit('request', incoming, new ResponseStandIn((response) => resolve({ response })));
          const { body } = request as { body?: string | Uint8Array };
          // A Buffer over the body's bytes, as a socket would deliver: the SDK's JSON body is a Uint8Array
          // subclass that warns when read as a string, which dynalite does.
          if (body)
            incoming.emit(
              'data',
              typeof body === 'string'
                ? Buffer.from(body)
                : Buffer.from(body.buffer, body.byteOffset, body.byteLength),
            );
          incoming.emit('end');
        } catch (error) {
          reject(error as Error);
        }
      }).finally(answered);
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  return {
    handler,
    drain: () => {
      open = false;
      return underWay === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
    },
  };
}

/**
 * Sends `client`'s requests through `handler` until the returned function is called. The client is a module
 * singleton of the handlers (functions/clients/dynamodb.ts), built from the environment as in Lambda, so its
 * request handler is swapped in its config, which the SDK reads on every send.
 */
export function routeClientThrough(client: { config: object }, handler: HttpHandler): () => void {
  const config = client.config as { requestHandler: unknown };
  const previous = config.requestHandler;
  config.requestHandler = handler;
  return () => {
    if (config.requestHandler === handler) config.requestHandler = previous;
  };
}
