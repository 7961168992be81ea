// dynalite reads a table's description from its store at every request (a get from the level store and the JSON
// of the description decoded, the tracking table's with its indexes): on the in-process route, the same few
// tables request after request. The store handed to the item operations' actions (not to those that change
// tables, which change the description they read) answers an ACTIVE table's description from memory, read once
// after each write of the table store. The description is shared between those requests; they only read it.
import type { DynaliteStore } from './dynalite-requests';

type GetTableCallback = (error: unknown, table?: { TableStatus?: string }) => void;
interface TableStore {
  getTable(name: string, checkStatus: boolean | GetTableCallback, callback?: GetTableCallback): void;
  tableDb: Record<'put' | 'del' | 'batch', (...args: unknown[]) => unknown>;
}

/** Operations whose actions only read a table's description. */
export const ITEM_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'DeleteItem',
  'UpdateItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
]);

/** `store` with its table descriptions kept in memory between writes of its table store. */
export function withTableCache(store: DynaliteStore): DynaliteStore {
  const tables = store as unknown as TableStore;
  const kept = new Map<string, { TableStatus?: string }>();
  for (const write of ['put', 'del', 'batch'] as const) {
    const original = tables.tableDb[write].bind(tables.tableDb);
    tables.tableDb[write] = (...args: unknown[]) => {
      kept.clear();
      return original(...args);
    };
  }
  const getTable = tables.getTable.bind(tables);
  const cached: TableStore['getTable'] = (name, checkStatus, callback) => {
    const answer = (typeof checkStatus === 'function' ? checkStatus : callback)!;
    const table = kept.get(name);
    // Asynchronously, as from the store.
    if (table) return queueMicrotask(() => answer(null, table));
    // dynalite's getTable(name, callback) checks the status as getTable(name, true, callback) does.
    getTable(name, typeof checkStatus === 'function' ? true : checkStatus, (error, found) => {
      if (!error && found?.TableStatus === 'ACTIVE') kept.set(name, found);
      answer(error, found);
    });
  };
  return Object.create(store as object, { getTable: { value: cached } }) as DynaliteStore;
}
