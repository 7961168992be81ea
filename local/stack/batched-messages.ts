// Messages between the in-process route and dynalite's thread (dynalite-thread.ts, dynalite-worker.ts) go in
// batches, one message per turn of the sender's event loop: each message wakes the other thread, which costs more
// than a request or its answer when the machine is busy.

/** Sends what `post` is given one turn of the event loop later, with everything else given by then, as one batch. */
export function batchedPoster<T>(post: (batch: T[]) => void): (item: T) => void {
  let batch: T[] = [];
  const flush = () => {
    const sent = batch;
    batch = [];
    post(sent);
  };
  return (item) => {
    if (batch.push(item) === 1) setImmediate(flush);
  };
}
