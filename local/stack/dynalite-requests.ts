// dynalite's own request validation and actions, called with an operation name and its JSON body in hand, as its
// HTTP request listener calls them once it has read the headers (node_modules/dynalite/index.js): no socket, no
// headers to parse, no signature to look at. The store is the one dynalite's HTTP server serves, so what one path
// writes the other reads.
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import dynaliteDb from 'dynalite/db';
import dynaliteValidations from 'dynalite/validations';
import { withExpressionCache } from './dynalite-expression-cache';

export interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

/** dynalite's store (its db/index.js `create`): what its actions and validations are given. */
export type DynaliteStore = object;

/** What dynalite would have written back: a status and a JSON body (its error bodies carry `__type`). */
export interface DynaliteAnswer {
  statusCode: number;
  body: string;
}

/** dynalite's HTTP server and the store behind it. */
export interface Dynalite {
  server: Server;
  store: DynaliteStore;
}

/**
 * Starts dynalite as `dynalite(options)` does and keeps the store it creates: dynalite hands its store only to its
 * own request listener, so its `db.create` is watched for the one call `dynalite()` makes.
 */
export function createDynalite(options: DynaliteOptions): Dynalite {
  const create = dynaliteDb.create;
  let store: DynaliteStore | undefined;
  dynaliteDb.create = (createOptions) => (store = create(createOptions));
  try {
    const server = dynalite(options);
    if (!store) throw new Error('dynalite did not create its store through db.create');
    return { server, store };
  } finally {
    dynaliteDb.create = create;
  }
}

/** dynalite's limit on a request body (index.js MAX_REQUEST_BYTES), answered 413 as over HTTP. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

type ActionCallback = (error: { statusCode?: number; body?: unknown } | null, data?: unknown) => void;
interface Operation {
  validation: { types: object; custom?: unknown };
  action: (store: DynaliteStore, data: object, callback: ActionCallback) => void;
}

const operations = new Map<string, Operation | undefined>();

/** The validation and action modules of an operation dynalite implements, by its API name (PutItem, Query, …). */
function operationModules(name: string): Operation | undefined {
  if (!operations.has(name)) {
    const file = dynaliteValidations.toLowerFirst(name);
    let found: Operation | undefined;
    // An API name only: no path separators or dots reach require.
    if (/^[A-Za-z]+$/.test(name)) {
      try {
        /* eslint-disable @typescript-eslint/no-require-imports */
        found = {
          validation: require(`dynalite/validations/${file}`) as Operation['validation'],
          action: require(`dynalite/actions/${file}`) as Operation['action'],
        };
        /* eslint-enable @typescript-eslint/no-require-imports */
      } catch {
        found = undefined;
      }
    }
    operations.set(name, found);
  }
  return operations.get(name);
}

const answerWith = (statusCode: number, body: unknown): DynaliteAnswer => ({
  statusCode,
  body: JSON.stringify(body),
});

/** dynalite's answer to one request of `operation` with this JSON body, from `store`. */
export function answerDynaliteRequest(
  store: DynaliteStore,
  operation: string,
  body: string,
): Promise<DynaliteAnswer> {
  // A UTF-16 unit is at most 3 bytes of UTF-8: most bodies need no count.
  if (body.length > MAX_REQUEST_BYTES / 3 && Buffer.byteLength(body) > MAX_REQUEST_BYTES)
    return Promise.resolve({ statusCode: 413, body: '' });
  const modules = operationModules(operation);
  if (!modules)
    return Promise.resolve(answerWith(400, { __type: 'com.amazon.coral.service#UnknownOperationException' }));
  let data: object;
  try {
    data = JSON.parse(body) as object;
  } catch {
    return Promise.resolve(answerWith(400, { __type: 'com.amazon.coral.service#SerializationException' }));
  }
  const { types, custom } = modules.validation;
  try {
    data = dynaliteValidations.checkTypes(data, types);
    const checked = data;
    withExpressionCache(() => dynaliteValidations.checkValidations(checked, types, custom, store));
  } catch (error) {
    const { statusCode, body: errorBody } = error as { statusCode?: number; body?: unknown };
    if (statusCode) return Promise.resolve(answerWith(statusCode, errorBody));
    return Promise.reject(error as Error);
  }
  return new Promise((resolve, reject) => {
    modules.action(store, data, (error, result) => {
      if (error?.statusCode) resolve(answerWith(error.statusCode, error.body));
      else if (error) reject(error as Error);
      else resolve(answerWith(200, result));
    });
  });
}
