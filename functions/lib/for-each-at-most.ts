// Bounded parallelism for a list of writes: a few DynamoDB calls in flight at once, as a partition key or the
// function's sockets allow, instead of all of them (throttling) or one by one (the Lambda timeout).

/** Runs work on every item, at most `parallelism` at once; rejects with the first error. */
export async function forEachAtMost<T>(
  items: readonly T[],
  parallelism: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, items.length) }, worker));
}
