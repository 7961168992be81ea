// aws-local-stepfunctions evaluates every path of the definition (InputPath, Parameters' `.$` fields, Choice
// variables, …) with jsonpath-plus's `JSONPath({ path, json, wrap: false })`. Called without `new`, jsonpath-plus
// 10 calls itself with `new`, and a constructor cannot return a string or number: a scalar result is thrown as an
// Error and caught. That throw, with its stack trace, was 6% of a 10,000-table `npm start`'s CPU. The same
// evaluation without the constructor returns the scalar; the interpreter's copy of JSONPath is replaced by one
// that does that for those calls and leaves every other form of call to the original.
import { createRequire } from 'node:module';

interface JsonPathOptions {
  path: unknown;
  json?: unknown;
  wrap?: boolean;
  autostart?: boolean;
}
interface JsonPathInstance {
  evaluate(args: { path: unknown; json?: unknown }): unknown;
}
type JsonPathFunction = ((options: JsonPathOptions, ...rest: unknown[]) => unknown) & {
  prototype: JsonPathInstance;
  evaluatesScalarsWithoutThrowing?: true;
};

/** The JSONPath the interpreter calls. */
export const interpreterJsonPath = (): JsonPathFunction => jsonpathPlus.JSONPath;

/** The jsonpath-plus module the interpreter itself loads (its own dependency, not one of this project's). */
const jsonpathPlus = createRequire(require.resolve('aws-local-stepfunctions'))('jsonpath-plus') as {
  JSONPath: JsonPathFunction;
};

/** jsonpath-plus's own JSONPath, as the interpreter had it (the tests compare the two). */
export const originalJsonPath: JsonPathFunction = jsonpathPlus.JSONPath.evaluatesScalarsWithoutThrowing
  ? (jsonpathPlus.JSONPath as unknown as { original: JsonPathFunction }).original
  : jsonpathPlus.JSONPath;
const original = originalJsonPath;

/**
 * Most of the definition's paths are `$` or `$.name.name…`: those are evaluated here, as jsonpath-plus evaluates
 * them (its `evaluate` and `_trace`: nothing for a falsy document, each name an own property of a truthy value),
 * without its path parsing and tracing (about 5% of a 10,000-table run's main thread). Null for any other path.
 */
const PLAIN_PATH = /^\$(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const plainPaths = new Map<unknown, string[] | null>();
function plainNames(path: unknown): string[] | null {
  let names = plainPaths.get(path);
  if (names === undefined) {
    names = typeof path === 'string' && PLAIN_PATH.test(path) ? path.split('.').slice(1) : null;
    // The definition's paths are a few dozen; a caller's own may be anything.
    if (plainPaths.size < 1_000) plainPaths.set(path, names);
  }
  return names;
}
function valueAt(json: unknown, names: string[]): unknown {
  if (!json) return undefined;
  let value: unknown = json;
  for (const name of names) {
    if (!value || !Object.hasOwn(value as object, name)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}
if (!original.evaluatesScalarsWithoutThrowing) {
  const withoutThrowing = function (this: unknown, options: JsonPathOptions, ...rest: unknown[]): unknown {
    const plainCall =
      new.target === undefined && rest.length === 0 && typeof options === 'object' && options !== null;
    if (!plainCall || options.autostart === false)
      return new.target ? Reflect.construct(original, [options, ...rest]) : original(options, ...rest);
    const names =
      options.wrap === false && Object.keys(options).length === 3 ? plainNames(options.path) : null;
    if (names) return valueAt(options.json, names);
    // What JSONPath(options) evaluates (jsonpath-plus's constructor with autostart), minus the throw.
    const instance = Object.create(original.prototype) as JsonPathInstance;
    original.call(instance, { ...options, autostart: false });
    return instance.evaluate(
      'json' in options ? { path: options.path, json: options.json } : { path: options.path },
    );
  } as JsonPathFunction;
  Object.assign(withoutThrowing, original, { evaluatesScalarsWithoutThrowing: true, original });
  withoutThrowing.prototype = original.prototype;
  jsonpathPlus.JSONPath = withoutThrowing;
}
