// A Distributed Map's items, read as its JSON ItemReader reads them: one S3 object holding a JSON array. The
// array is kept as its text, each item parsed when its child execution starts: parsed whole, 100,000 table jobs
// (24 MB of JSON) take over 200 MB of heap for the whole Map Run, where the text takes 24 MB. The text's shape
// (one array, its elements, strings and nesting) is checked when it is read; an element that is not JSON fails
// the Map Run when its turn comes, as AWS reads a large items file as it goes.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ServiceError } from './job-backend';

export interface MapItems {
  readonly length: number;
  /** The item at `index`, freshly parsed; States.ItemReaderFailed if it is not JSON. */
  item(index: number): unknown;
}

const itemReaderFailed = (where: string, reason: string) =>
  new ServiceError('States.ItemReaderFailed', `${where}: ${reason}`);

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * Where each element of a JSON array text starts and ends (a scan that tracks only strings and nesting); throws
 * a plain Error on a text that is not one array. JSON.parse checks each element afterwards.
 */
function arrayElementBounds(text: string): { starts: number[]; ends: number[] } {
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++;
  };
  skipSpace();
  if (text[i] !== '[') throw new Error('not a JSON array');
  i++;
  skipSpace();
  if (text[i] === ']') i++;
  else
    for (;;) {
      const start = i;
      let depth = 0;
      for (; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x22) {
          // A string: skip to its closing quote, over escapes.
          for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
        } else if (c === 0x5b || c === 0x7b) depth++;
        else if (c === 0x5d || c === 0x7d) {
          if (depth === 0) break;
          depth--;
        } else if (c === 0x2c && depth === 0) break;
      }
      let end = i;
      while (end > start && WHITESPACE.has(text.charCodeAt(end - 1))) end--;
      if (end === start || i >= text.length)
        throw new Error('not JSON (an array element is missing or cut off)');
      starts.push(start);
      ends.push(end);
      if (text[i] === ']') {
        i++;
        break;
      }
      i++;
      skipSpace();
    }
  skipSpace();
  if (i !== text.length) throw new Error('not JSON (text after the array)');
  return { starts, ends };
}

/** The items of a JSON array text, cut to `maxItems` when it is set (> 0). */
export function itemsOfJsonArray(text: string, where: string, maxItems?: number): MapItems {
  let bounds: { starts: number[]; ends: number[] };
  try {
    bounds = arrayElementBounds(text);
  } catch (error) {
    // Its own message where JSON.parse would say more.
    try {
      JSON.parse(text);
    } catch (parseError) {
      throw itemReaderFailed(where, `not JSON (${(parseError as Error).message})`);
    }
    throw itemReaderFailed(where, (error as Error).message);
  }
  const length = maxItems && maxItems > 0 ? Math.min(maxItems, bounds.starts.length) : bounds.starts.length;
  return {
    length,
    item(index) {
      try {
        return JSON.parse(text.slice(bounds.starts[index], bounds.ends[index])) as unknown;
      } catch (error) {
        throw itemReaderFailed(where, `not JSON (item ${index}: ${(error as Error).message})`);
      }
    },
  };
}

/** The items of an inline array (a Map without an ItemReader). */
export function itemsOfArray(items: unknown[]): MapItems {
  return { length: items.length, item: (index) => items[index] };
}

/** Reads a Map's items as its ItemReader would: a JSON array in one S3 object, cut to MaxItems (> 0). */
export async function readMapItems(
  s3: S3Client,
  request: { Bucket?: unknown; Key?: unknown; VersionId?: unknown },
  maxItems?: number,
): Promise<MapItems> {
  const where = `s3://${String(request.Bucket)}/${String(request.Key)}`;
  let text: string;
  try {
    const response = await s3.send(
      new GetObjectCommand({
        Bucket: String(request.Bucket),
        Key: String(request.Key),
        VersionId: typeof request.VersionId === 'string' ? request.VersionId : undefined,
      }),
    );
    text = (await response.Body?.transformToString('utf-8')) ?? '';
  } catch (error) {
    throw itemReaderFailed(where, `${(error as Error).name}: ${(error as Error).message}`);
  }
  return itemsOfJsonArray(text, where, maxItems);
}
