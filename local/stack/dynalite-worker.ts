// dynalite (its HTTP server, its store, and the validation and actions the in-process route calls) on a thread of
// its own, so that its work runs on the machine's other core while the interpreter and the handlers run theirs:
// about a third of a local run's CPU (docs/limits.md). The thread answers HTTP on 127.0.0.1 as dynalite always
// does, and the in-process route's requests as messages (dynalite-thread.ts): batches of [id, operation, body],
// answered with batches of [id, status, body], a status of -1 carrying an error that is not dynalite's answer.
import { parentPort, workerData } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import { batchedPoster } from './batched-messages';
import { answerDynaliteRequest, createDynalite, type DynaliteOptions } from './dynalite-requests';
import { ITEM_OPERATIONS, withTableCache } from './dynalite-table-cache';

/** What the thread is started with. */
export interface DynaliteThreadData {
  options: DynaliteOptions;
  port: number;
}

/** A request: its id, the operation's API name and the JSON body. */
export type ThreadRequest = [id: number, operation: string, body: string];
/** An answer: the request's id, dynalite's status code (-1: an error it threw) and body (or the error's stack). */
export type ThreadAnswer = [id: number, statusCode: number, body: string];
/** What the thread posts besides answers. */
export type ThreadEvent = { listening: number } | { failed: string } | { closed: true };

function serve(port: NonNullable<typeof parentPort>, { options, port: listenOn }: DynaliteThreadData) {
  // dynalite's in-memory store keeps every key and value as a small Buffer. Cut from Node's shared 8 KB pool, a
  // kept slice holds its whole slab alive, with the request buffers cut around it: 3.5 KB more per table of a run
  // (350 MB at 100,000 tables, docs/limits.md). Unpooled, each Buffer holds only its own bytes.
  if (!options.path) Buffer.poolSize = 0;
  const { server, store } = createDynalite(options);
  const itemStore = withTableCache(store);
  server.once('error', (error) => port.postMessage({ failed: error.message } satisfies ThreadEvent));
  server.listen(listenOn, '127.0.0.1', () =>
    port.postMessage({ listening: (server.address() as AddressInfo).port } satisfies ThreadEvent),
  );

  // Answers go back in batches too: sent one by one as each is ready, they cost each run of 10,000 tables more CPU
  // and wall time than they saved in waiting (measured side by side, load 7-10).
  const answer = batchedPoster<ThreadAnswer>((batch) => port.postMessage(batch));
  port.on('message', (message: ThreadRequest[] | 'close') => {
    if (message === 'close') {
      server.close(() => port.postMessage({ closed: true } satisfies ThreadEvent));
      return;
    }
    for (const [id, operation, body] of message)
      answerDynaliteRequest(ITEM_OPERATIONS.has(operation) ? itemStore : store, operation, body).then(
        ({ statusCode, body: answered }) => answer([id, statusCode, answered]),
        (error: Error) => answer([id, -1, error.stack ?? String(error)]),
      );
  });
}

if (parentPort) serve(parentPort, workerData as DynaliteThreadData);
