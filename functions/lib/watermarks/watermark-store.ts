// A table's watermark in the tracking table: one item per table, outside every run's partition and every index
// (no gsi keys), so run queries never see it.
//   pk = WATERMARK#<table>   sk = WATERMARK
// `value` is the normalized text the next run receives; `order` is what the conditional write compares: a
// DynamoDB number for integer watermarks (so 10 comes after 9), the same text for timestamps and strings.
import { BatchGetCommand, NumberValue, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../is-condition-failure';
import type { WatermarkType } from './watermark-kinds';

export interface WatermarkStore {
  db: DynamoDBDocumentClient;
  tableName: string;
}

/** What a run starts a watermark table from. */
export interface StoredWatermark {
  table: string;
  column: string;
  type: WatermarkType;
  value: string;
  run_id: string;
  updated_at: string;
}

export interface WatermarkItem extends StoredWatermark {
  pk: string;
  sk: 'WATERMARK';
  entity: 'watermark';
  order: string | NumberValue;
}

export const WATERMARK_KEY_PREFIX = 'WATERMARK#';

export function watermarkKey(table: string): { pk: string; sk: 'WATERMARK' } {
  return { pk: `${WATERMARK_KEY_PREFIX}${table}`, sk: 'WATERMARK' };
}

const BATCH_GET_SIZE = 100;
const BATCH_GET_PARALLELISM = 8;
const MAX_BATCH_RETRIES = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The stored watermarks of these tables (a table without one is absent from the map): BatchGetItem of 100 keys,
 * a few batches at a time, with the keys DynamoDB leaves unprocessed asked again after a jittered backoff.
 */
export async function readWatermarks(
  store: WatermarkStore,
  tables: readonly string[],
): Promise<Map<string, StoredWatermark>> {
  const found = new Map<string, StoredWatermark>();
  const batches: string[][] = [];
  for (let i = 0; i < tables.length; i += BATCH_GET_SIZE) batches.push(tables.slice(i, i + BATCH_GET_SIZE));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let keys: Record<string, unknown>[] = batches[next++]!.map(watermarkKey);
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > MAX_BATCH_RETRIES)
          throw new Error(`BatchGetItem left ${keys.length} watermark keys unprocessed`);
        if (attempt > 0) await sleep(Math.random() * 50 * 2 ** attempt);
        const response = await store.db.send(
          new BatchGetCommand({
            RequestItems: {
              [store.tableName]: {
                Keys: keys,
                ConsistentRead: true,
                // `order` is left out: an integer past 2^53 would not survive the trip into a JavaScript number.
                ProjectionExpression: '#table, #column, #type, #value, run_id, updated_at',
                ExpressionAttributeNames: {
                  '#table': 'table',
                  '#column': 'column',
                  '#type': 'type',
                  '#value': 'value',
                },
              },
            },
          }),
        );
        for (const item of response.Responses?.[store.tableName] ?? [])
          found.set(String(item.table), item as StoredWatermark);
        keys = response.UnprocessedKeys?.[store.tableName]?.Keys ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCH_GET_PARALLELISM, batches.length) }, worker));
  return found;
}

export interface WatermarkAdvance {
  table: string;
  column: string;
  type: WatermarkType;
  /** Normalized (normalize-watermark.ts). */
  value: string;
  run_id: string;
}

/**
 * Moves a table's watermark forward to `value`, never back: the write happens only when there is none yet, when it
 * was kept for another column or type (the config changed, so the old value means nothing), or when it is behind
 * `value`. Returns false when the stored watermark is already at or past it; repeating a write is harmless.
 */
export async function advanceWatermark(
  store: WatermarkStore,
  advance: WatermarkAdvance,
  now: Date,
): Promise<boolean> {
  const order = advance.type === 'integer' ? NumberValue.from(advance.value) : advance.value;
  try {
    await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: watermarkKey(advance.table),
        UpdateExpression:
          'SET entity = :entity, #table = :table, #column = :column, #type = :type, #value = :value, #order = :order, run_id = :run, updated_at = :at',
        ConditionExpression:
          'attribute_not_exists(pk) OR #column <> :column OR #type <> :type OR #order < :order',
        ExpressionAttributeNames: {
          '#table': 'table',
          '#column': 'column',
          '#type': 'type',
          '#value': 'value',
          '#order': 'order',
        },
        ExpressionAttributeValues: {
          ':entity': 'watermark',
          ':table': advance.table,
          ':column': advance.column,
          ':type': advance.type,
          ':value': advance.value,
          ':order': order,
          ':run': advance.run_id,
          ':at': now.toISOString(),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
