// Which tables a re-run (`rerun_of`) picks from an earlier run's records, and the links between the two runs.
// The tracking table is a real dynalite with the table from resources/, so the status filter, the pagination and
// the conditional list updates are DynamoDB's own behaviour.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { NothingToRerunError, RerunNotPossibleError } from '../../../functions/lib/errors';
import type { JobOutcome, TableStatus } from '../../../functions/lib/jobs/job-outcome';
import { completeRun } from '../../../functions/lib/runs/complete-run';
import { resolveRerunTables } from '../../../functions/lib/runs/resolve-rerun-tables';
import { linkRerun, MAX_LISTED_RERUNS } from '../../../functions/lib/tracking/link-rerun';
import {
  failRun,
  readRunRecord,
  recordTableOutcome,
  type NewRun,
  type TrackingStore,
} from '../../../functions/lib/tracking/tracking-store';
import { trackingTablePerFile } from '../../helpers/fresh-tracking-table';
import { configBucketPerFile, startListedRun } from '../../helpers/listed-runs';

jest.setTimeout(30_000);

const trackingTable = trackingTablePerFile();
let store: TrackingStore;
const configBucket = configBucketPerFile();

const STARTED_AT = '2024-06-01T00:00:00.000Z';
const ENDED = new Date('2024-06-01T01:00:00.000Z');

beforeAll(() => {
  store = trackingTable();
});

function newRun(runId: string, tableCount: number, overrides: Partial<NewRun> = {}): NewRun {
  return {
    run_id: runId,
    execution_name: `exec-${runId}`,
    trigger: 'manual',
    config_key: 'extract-config/nightly.yml',
    started_at: STARTED_AT,
    table_count: tableCount,
    ...overrides,
  };
}

/** A run whose tables ended as given (PENDING ones are left without a record, as no outcome was recorded). */
async function givenARun(runId: string, outcomes: Record<string, TableStatus>, close = true): Promise<void> {
  const run = newRun(runId, Object.keys(outcomes).length);
  const jobs = Object.keys(outcomes).map((table) => ({ table, job_type: 'glue' }));
  await startListedRun(store, configBucket(), run, jobs);
  const info = { run_id: runId, started_at: STARTED_AT, max_concurrency: 4 };
  for (const [table, status] of Object.entries(outcomes)) {
    if (status === 'PENDING') continue;
    const outcome: JobOutcome = {
      status,
      attempts: 1,
      ...(status === 'FAILED' ? { error: 'States.TaskFailed' } : {}),
    };
    await recordTableOutcome(store, info, { table, job_type: 'glue' }, outcome, ENDED);
  }
  if (close) await completeRun(store, configBucket(), info, ENDED);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const MIXED: Record<string, TableStatus> = {
  'sales.orders': 'SUCCEEDED',
  'sales.order_lines': 'FAILED',
  'crm.accounts': 'SKIPPED',
  'events.clicks': 'FAILED',
  'hr.people': 'SUCCEEDED',
};

describe('choosing the tables of a re-run', () => {
  beforeAll(() => givenARun('mixed', MIXED));

  it('picks exactly the tables that did not succeed, leaving the skipped ones out', async () => {
    const rerun = await resolveRerunTables(store, { rerun_of: 'mixed' }, 'mixed-rerun', { maxTables: 100 });

    expect(rerun).toMatchObject({ rerun_of: 'mixed', config_key: 'extract-config/nightly.yml' });
    expect(rerun!.tables.sort()).toEqual(['events.clicks', 'sales.order_lines']);
  });

  it('adds the skipped tables with include_skipped', async () => {
    const rerun = await resolveRerunTables(
      store,
      { rerun_of: 'mixed', include_skipped: true },
      'mixed-rerun',
      { maxTables: 100 },
    );

    expect(rerun!.tables.sort()).toEqual(['crm.accounts', 'events.clicks', 'sales.order_lines']);
  });

  it('takes every table of the run with only_failed false', async () => {
    const rerun = await resolveRerunTables(store, { rerun_of: 'mixed', only_failed: false }, 'mixed-all', {
      maxTables: 100,
    });

    expect(rerun!.tables.sort()).toEqual(Object.keys(MIXED).sort());
  });

  it('counts any status other than SUCCEEDED and SKIPPED as not succeeded (a table that never got an outcome, or a status added later)', async () => {
    // Prepare: a table that never got an outcome (closed FAILED by Complete Extract Run), and one with a final status this code does not know by name
    await givenARun('odd', { 'a.pending': 'PENDING', 'a.ok': 'SUCCEEDED' }, false);
    await completeRun(
      store,
      configBucket(),
      { run_id: 'odd', started_at: STARTED_AT, max_concurrency: 4 },
      ENDED,
    );
    await givenARun('cancelled', { 'b.stopped': 'CANCELLED' as TableStatus, 'b.ok': 'SUCCEEDED' });

    // Act
    const odd = await resolveRerunTables(store, { rerun_of: 'odd' }, 'odd-rerun', { maxTables: 100 });
    const cancelled = await resolveRerunTables(store, { rerun_of: 'cancelled' }, 'cancelled-rerun', {
      maxTables: 100,
    });

    // Assess
    expect(odd!.tables).toEqual(['a.pending']);
    expect(cancelled!.tables).toEqual(['b.stopped']);
  });

  it("reads every page of the run's records", async () => {
    // Prepare: 60 records read 8 at a time
    const outcomes = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [
        `big.t${String(i).padStart(3, '0')}`,
        i % 3 === 0 ? 'FAILED' : 'SUCCEEDED',
      ]),
    ) as Record<string, TableStatus>;
    await givenARun('big', outcomes);

    const send = jest.spyOn(store.db, 'send');

    // Act
    const rerun = await resolveRerunTables(store, { rerun_of: 'big' }, 'big-rerun', {
      maxTables: 1000,
      pageSize: 8,
    });

    // Assess
    expect(rerun!.tables).toHaveLength(20);
    const queries = send.mock.calls.filter(([command]) => command instanceof QueryCommand);
    send.mockRestore();
    expect(queries.length).toBeGreaterThanOrEqual(8);
  });

  it('refuses a re-run larger than the per-run limit, naming rerun_of', async () => {
    const error = await rejection(
      resolveRerunTables(store, { rerun_of: 'mixed', only_failed: false }, 'x', { maxTables: 3 }),
    );

    expect(error.name).toBe('InvalidEventError');
    expect(error.message).toBe(
      "rerun_of: run 'mixed' has more than 3 tables to re-run, this stage's limit per run; re-run them in batches with tables_to_extract",
    );
  });

  it('is not a re-run when the event has no rerun_of', async () => {
    expect(await resolveRerunTables(store, {}, 'plain', { maxTables: 100 })).toBeUndefined();
  });
});

describe('a re-run that cannot be', () => {
  it('names rerun_of when the run does not exist', async () => {
    const error = await rejection(
      resolveRerunTables(store, { rerun_of: 'no-such-run' }, 'r', { maxTables: 100 }),
    );

    expect(error).toBeInstanceOf(RerunNotPossibleError);
    expect(error.message).toBe("rerun_of: no run 'no-such-run' in the tracking table");
  });

  it('refuses a run that is still RUNNING', async () => {
    await givenARun('still-running', { 'a.one': 'FAILED' }, false);

    const error = await rejection(
      resolveRerunTables(store, { rerun_of: 'still-running' }, 'r', { maxTables: 100 }),
    );

    expect(error).toBeInstanceOf(RerunNotPossibleError);
    expect(error.message).toMatch(
      /^rerun_of: run 'still-running' is still RUNNING; re-run it once it has ended/,
    );
  });

  it('refuses a run that failed before it had any tables, quoting why', async () => {
    await failRun(
      store,
      newRun('never-started', 0),
      Object.assign(new Error('no such key'), { name: 'ConfigNotFoundError' }),
      ENDED.toISOString(),
    );

    const error = await rejection(
      resolveRerunTables(store, { rerun_of: 'never-started' }, 'r', { maxTables: 100 }),
    );

    expect(error).toBeInstanceOf(RerunNotPossibleError);
    expect(error.message).toBe(
      "rerun_of: run 'never-started' failed before it had any tables (ConfigNotFoundError: no such key); start a new run with its input instead",
    );
  });

  it('refuses to re-run itself', async () => {
    const error = await rejection(
      resolveRerunTables(store, { rerun_of: 'mixed' }, 'mixed', { maxTables: 100 }),
    );

    expect(error).toBeInstanceOf(RerunNotPossibleError);
    expect(error.message).toBe("rerun_of: 'mixed' is this run itself; name an earlier run");
  });

  it('says there is nothing to re-run when every table succeeded or was skipped, and how to take the skipped', async () => {
    await givenARun('all-done', { 'a.one': 'SUCCEEDED', 'a.two': 'SKIPPED' });

    const error = await rejection(
      resolveRerunTables(store, { rerun_of: 'all-done' }, 'r', { maxTables: 100 }),
    );

    expect(error).toBeInstanceOf(NothingToRerunError);
    expect(error.message).toBe(
      `rerun_of: run 'all-done' has no table to re-run (1 succeeded, 1 skipped, of 2); "include_skipped": true re-runs the skipped ones`,
    );
  });
});

describe('linking a re-run to the run it re-runs', () => {
  it('lists each re-run once on the old run, however often the config manager is retried', async () => {
    await givenARun('linked', { 'a.one': 'FAILED' });

    expect(await linkRerun(store, 'linked', 'linked-r1')).toBe(true);
    expect(await linkRerun(store, 'linked', 'linked-r1')).toBe(false);
    expect(await linkRerun(store, 'linked', 'linked-r2')).toBe(true);

    expect(await readRunRecord(store, 'linked')).toMatchObject({
      status: 'FAILED',
      reruns: ['linked-r1', 'linked-r2'],
      rerun_count: 2,
    });
  });

  it(`keeps the newest ${MAX_LISTED_RERUNS} re-runs listed and counts them all`, async () => {
    await givenARun('often', { 'a.one': 'FAILED' });

    for (let i = 1; i <= MAX_LISTED_RERUNS + 2; i++) await linkRerun(store, 'often', `often-r${i}`);

    const record = await readRunRecord(store, 'often');
    expect(record!.rerun_count).toBe(MAX_LISTED_RERUNS + 2);
    expect(record!.reruns).toHaveLength(MAX_LISTED_RERUNS);
    expect(record!.reruns![0]).toBe('often-r3');
    expect(record!.reruns!.at(-1)).toBe(`often-r${MAX_LISTED_RERUNS + 2}`);
  });

  it('writes nothing when the old run is gone', async () => {
    expect(await linkRerun(store, 'vanished', 'vanished-r1')).toBe(false);
    expect(await readRunRecord(store, 'vanished')).toBeUndefined();
  });
});
