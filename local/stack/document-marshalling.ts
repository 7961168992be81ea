// What lib-dynamodb's DocumentMarshall and DocumentUnmarshall middleware do to a command's input and output, for
// the in-process route that sends without the SDK's middleware stack (in-process-dynamodb.ts). Each document
// command names, as "key nodes", the members that hold plain JavaScript values (Item, Key,
// ExpressionAttributeValues, …); those are converted with @aws-sdk/util-dynamodb, the rest is copied. The walk
// follows lib-dynamodb 3.1169.0's processObj (dist-cjs/index.js), which the package does not export;
// tests/local/in-process-dynamodb.test.ts holds every command the handlers send to the HTTP path's answers.
import type { TranslateConfig } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

/**
 * A command's key nodes: `null` the value itself, `{}` or `[]` every member of it, `{ '*': nodes }` each member
 * by `nodes`, `{ name: nodes, … }` those members by theirs.
 */
export type KeyNodes = null | readonly unknown[] | { readonly [member: string]: KeyNodes };

/** A lib-dynamodb command's parts that its marshalling middleware reads (protected in its typings). */
export interface DocumentCommandParts {
  input: object;
  inputKeyNodes: KeyNodes;
  outputKeyNodes: KeyNodes;
}

type Convert = (value: unknown) => unknown;
const EACH = '*';

function walk(value: unknown, convert: Convert, nodes: KeyNodes): unknown {
  if (value === undefined) return undefined;
  if (nodes == null) return convert(value);
  const names = Object.keys(nodes);
  if (names.length === 0) return everyMember(value as object, convert);
  if (names.length === 1 && names[0] === EACH) {
    const inner = (nodes as Record<string, KeyNodes>)[EACH]!;
    const result = (Array.isArray(value) ? [] : {}) as Record<string, unknown>;
    for (const [name, member] of Object.entries(value ?? {}))
      if (typeof member !== 'function') result[name] = walk(member, convert, inner);
    return result;
  }
  return namedMembers(value as object, convert, nodes as Record<string, KeyNodes>);
}

function everyMember(value: object, convert: Convert): unknown {
  if (Array.isArray(value))
    return value.filter((item) => typeof item !== 'function').map((item) => walk(item, convert, null));
  const result: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    if (typeof member === 'function') continue;
    const converted = walk(member, convert, null);
    if (converted !== undefined && typeof converted !== 'function') result[name] = converted;
  }
  return result;
}

function namedMembers(value: object, convert: Convert, nodes: Record<string, KeyNodes>): unknown {
  const source = value as Record<string, unknown>;
  const result: Record<string, unknown> = Array.isArray(value)
    ? (value.filter((item) => typeof item !== 'function') as never)
    : {};
  if (!Array.isArray(value))
    for (const [name, member] of Object.entries(source))
      if (typeof member !== 'function') result[name] = member;
  for (const [name, inner] of Object.entries(nodes)) {
    if (typeof source[name] === 'function') continue;
    const converted = walk(source[name], convert, inner);
    if (converted !== undefined && typeof converted !== 'function') result[name] = converted;
  }
  return result;
}

/** What DocumentMarshall and DocumentUnmarshall do, with a document client's translateConfig (its defaults set). */
export function documentMarshalling(translateConfig: TranslateConfig = {}) {
  const { marshallOptions = {}, unmarshallOptions = {} } = translateConfig;
  const marshalling = {
    ...marshallOptions,
    convertTopLevelContainer: marshallOptions.convertTopLevelContainer ?? true,
  };
  const unmarshalling = {
    ...unmarshallOptions,
    convertWithoutMapWrapper: unmarshallOptions.convertWithoutMapWrapper ?? true,
  };
  const toAttributeValues = (value: unknown) => marshall(value as never, marshalling);
  const toPlainValues = (value: unknown) => unmarshall(value as never, unmarshalling);
  return {
    /** The command's input with its plain values as DynamoDB AttributeValues. */
    marshallInput: (command: DocumentCommandParts): object =>
      namedMembers(
        command.input,
        toAttributeValues,
        command.inputKeyNodes as Record<string, KeyNodes>,
      ) as object,
    /** A low-level output with its AttributeValues as plain values. */
    unmarshallOutput: <T extends object>(command: DocumentCommandParts, output: T): T =>
      namedMembers(output, toPlainValues, command.outputKeyNodes as Record<string, KeyNodes>) as T,
  };
}
