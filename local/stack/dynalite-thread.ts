// Starts dynalite on a thread of its own (dynalite-worker.ts) and sends it the in-process route's requests. The
// handlers wait for each answer anyway; meanwhile this thread runs the interpreter's other Map children, so
// dynalite's share of a run moves to the other core.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { batchedPoster } from './batched-messages';
import type { DynaliteAnswer, DynaliteOptions } from './dynalite-requests';
import type { DynaliteThreadData, ThreadAnswer, ThreadEvent, ThreadRequest } from './dynalite-worker';

export interface DynaliteThread {
  /** dynalite's HTTP port on 127.0.0.1. */
  port: number;
  /** dynalite's answer to one request of `operation` with this JSON body. */
  answer(operation: string, body: string): Promise<DynaliteAnswer>;
  /** Closes dynalite's server and store (once the HTTP connections are done), then ends the thread. */
  close(): Promise<void>;
}

/**
 * The worker loads TypeScript with tsx's require hook, whether this process runs under tsx (npm start) or Jest.
 * It takes none of this process's options (a second tsx loader thread) but a profiler's.
 */
const WORKER_SOURCE = `require('tsx/cjs'); require(${JSON.stringify(join(__dirname, 'dynalite-worker.ts'))});`;
const workerOptions = () => process.execArgv.filter((option) => /^--(cpu|heap)-prof/.test(option));

export async function startDynaliteThread(options: DynaliteOptions, port = 0): Promise<DynaliteThread> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: workerOptions(),
    // dynalite's garbage is one request's; V8's default young generation (3 x 16 MB) only adds to the peak RSS.
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
    workerData: { options, port } satisfies DynaliteThreadData,
  });
  const pending = new Map<number, { resolve(answer: DynaliteAnswer): void; reject(error: Error): void }>();
  let closed: (() => void) | undefined;
  let started: { resolve(port: number): void; reject(error: Error): void } | undefined;
  const listening = new Promise<number>((resolve, reject) => (started = { resolve, reject }));

  worker.on('message', (message: ThreadAnswer[] | ThreadEvent) => {
    if (Array.isArray(message)) {
      for (const [id, statusCode, body] of message) {
        const request = pending.get(id)!;
        pending.delete(id);
        if (statusCode >= 0) request.resolve({ statusCode, body });
        else request.reject(Object.assign(new Error(body.split('\n')[0]), { stack: body }));
      }
    } else if ('listening' in message) started?.resolve(message.listening);
    else if ('failed' in message) started?.reject(new Error(message.failed));
    else closed?.();
  });
  let failure: Error | undefined;
  worker.once('error', (error) => (failure = error));
  const ended = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      const error = failure ?? new Error(`The DynamoDB emulator's thread ended (exit ${code})`);
      started?.reject(error);
      for (const request of pending.values()) request.reject(error);
      pending.clear();
      closed?.();
      resolve();
    }),
  );
  let listeningPort: number;
  try {
    listeningPort = await listening;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  const request = batchedPoster<ThreadRequest>((batch) => worker.postMessage(batch));
  let nextId = 0;
  return {
    port: listeningPort,
    answer: (operation, body) =>
      new Promise((resolve, reject) => {
        const id = (nextId += 1);
        pending.set(id, { resolve, reject });
        request([id, operation, body]);
      }),
    close: async () => {
      await new Promise<void>((resolve) => {
        closed = resolve;
        worker.postMessage('close');
      });
      await worker.terminate();
      await ended;
    },
  };
}
