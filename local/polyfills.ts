// Node 20 lacks Promise.withResolvers (added in Node 22), which aws-local-stepfunctions uses.
// The deployed runtime is nodejs22.x, so only the local runtime and the tests load this.
type Resolvers<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void };

const promiseConstructor = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
if (typeof promiseConstructor.withResolvers !== 'function') {
  promiseConstructor.withResolvers = <T>(): Resolvers<T> => {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export {};

// The machines that run the local runtime and the tests are on Node 20 by design (Lambda runs nodejs22.x); the
// SDK's reminder about that would only bury the output that matters.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
