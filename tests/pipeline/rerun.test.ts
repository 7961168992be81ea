// Re-running what failed (`rerun_of`) through the real statemachines/ definition: the config manager reads the
// earlier run's records from the real tracking table (dynalite), the config as it is now from s3rver, and the
// re-run is an ordinary run of the chosen tables. Only Glue, EMR and ECS are scripted.
import { startPipeline, type Pipeline } from '../helpers/pipeline-harness';
import type { TableStatus } from '../../functions/lib/jobs/job-outcome';
import { completeRun } from '../../functions/lib/runs/complete-run';
import { recordTableOutcome } from '../../functions/lib/tracking/tracking-store';
import { startListedRun } from '../helpers/listed-runs';

jest.setTimeout(60_000);

const CONFIG_KEY = 'extract-config/rerun.yml';
const CONFIG = `
tables:
  - name: sales.orders
    job_type: glue
  - name: sales.order_lines
    job_type: glue
  - name: crm.accounts
    job_type: emr
  - name: events.clicks
    job_type: ecs
  - name: finance.ledger
    job_type: glue
`;
const TABLES = ['sales.orders', 'sales.order_lines', 'crm.accounts', 'events.clicks', 'finance.ledger'];

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline();
  await pipeline.given.anExtractConfig(CONFIG, CONFIG_KEY);
  // A nightly run where two jobs fail and a table is asked for that the config does not have.
  await pipeline.when.theRunStarts(
    { config_key: CONFIG_KEY, tables_to_extract: [...TABLES, 'hr.salaries'], run_id: 'nightly' },
    {
      tables: {
        'sales.order_lines': { fail: { error: 'States.TaskFailed', cause: 'JDBC connection refused' } },
        'crm.accounts': { fail: { error: 'States.TaskFailed', cause: 'Spark driver OOM' } },
      },
    },
  );
});

afterAll(async () => {
  await pipeline?.close();
});

type LoggedEvent = { type: string; state?: { name: string } };

function statesEntered(events: unknown[]): string[] {
  return (events as LoggedEvent[]).filter((e) => e.type === 'StateEntered').map((e) => e.state!.name);
}

describe('re-running a run', () => {
  it('extracts exactly the tables that did not succeed, and links the two runs', async () => {
    // Prepare
    const nightly = await pipeline.then.tableRecords('nightly');
    const notSucceeded = Object.values(nightly)
      .filter((record) => record.status !== 'SUCCEEDED')
      .map((record) => record.table)
      .sort();
    expect(notSucceeded).toEqual(['crm.accounts', 'hr.salaries', 'sales.order_lines']);

    // Act
    const run = await pipeline.when.theRunStarts({ rerun_of: 'nightly', run_id: 'nightly-rerun' });

    // Assess: only those tables ran, with the config the old run read
    expect(Object.keys(await pipeline.then.tableRecords('nightly-rerun')).sort()).toEqual(notSucceeded);
    expect(run.backend.calls.map((call) => call.table).sort()).toEqual(['crm.accounts', 'sales.order_lines']);
    expect(run.output).toMatchObject({ run_id: 'nightly-rerun', table_count: 3, succeeded: 2, failed: 1 });
    expect(await pipeline.then.runRecord('nightly-rerun')).toMatchObject({
      rerun_of: 'nightly',
      config_key: CONFIG_KEY,
      table_count: 3,
    });
    expect(await pipeline.then.runRecord('nightly')).toMatchObject({
      status: 'FAILED',
      reruns: ['nightly-rerun'],
      rerun_count: 1,
    });
    // The table the config never had fails again, saying which run named it.
    expect((await pipeline.then.tableRecords('nightly-rerun'))['hr.salaries']).toMatchObject({
      status: 'FAILED',
      error: 'TableNotInConfigError',
      cause: "hr.salaries: rerun_of: run 'nightly' had this table, which is no longer in the extract config",
    });
  });

  it('lists a re-run once, and chooses the same tables, when its config manager runs again for the same execution', async () => {
    // Prepare: the invocation is repeated, as a Lambda retry or a redrive that re-enters the state does
    const real = pipeline.handlers.ConfigManagerLambdaFunction!;
    pipeline.handlers.ConfigManagerLambdaFunction = async (event, context) => {
      await real(event, context);
      return real(event, context);
    };
    try {
      // Act
      const run = await pipeline.when.theRunStarts({ rerun_of: 'nightly', run_id: 'nightly-twice' });

      // Assess
      expect(run.output).toMatchObject({ run_id: 'nightly-twice', table_count: 3 });
    } finally {
      pipeline.handlers.ConfigManagerLambdaFunction = real;
    }
    expect(Object.keys(await pipeline.then.tableRecords('nightly-twice')).sort()).toEqual([
      'crm.accounts',
      'hr.salaries',
      'sales.order_lines',
    ]);
    expect((await pipeline.then.runRecord('nightly'))!.reruns).toEqual(['nightly-rerun', 'nightly-twice']);
  });

  it('re-runs every table of the run with only_failed false', async () => {
    const run = await pipeline.when.theRunStarts({
      rerun_of: 'nightly',
      only_failed: false,
      run_id: 'nightly-all',
    });

    expect(Object.keys(await pipeline.then.tableRecords('nightly-all')).sort()).toEqual(
      [...TABLES, 'hr.salaries'].sort(),
    );
    expect(run.output).toMatchObject({ table_count: 6, succeeded: 5, failed: 1 });
    expect((await pipeline.then.runRecord('nightly'))!.reruns).toEqual([
      'nightly-rerun',
      'nightly-twice',
      'nightly-all',
    ]);
  });

  it('reads the config as it is now: a table removed since then ends FAILED naming it', async () => {
    // Prepare: a run of its own config, whose failed table is then taken out of it
    const key = 'extract-config/shrinking.yml';
    await pipeline.given.anExtractConfig(CONFIG, key);
    await pipeline.when.theRunStarts(
      { config_key: key, tables_to_extract: ['sales.orders', 'finance.ledger'], run_id: 'before-change' },
      { tables: { 'sales.orders': { fail: {} }, 'finance.ledger': { fail: {} } } },
    );
    await pipeline.given.anExtractConfig(
      'tables:\n  - name: sales.orders\n    job_type: glue\n    glue: { job_name: extract-test-large }\n',
      key,
    );

    // Act
    const run = await pipeline.when.theRunStarts({ rerun_of: 'before-change', run_id: 'after-change' });

    // Assess
    expect(run.backend.calls.map((call) => [call.table, call.request.JobName])).toEqual([
      ['sales.orders', 'extract-test-large'],
    ]);
    expect((await pipeline.then.tableRecords('after-change'))['finance.ledger']).toMatchObject({
      status: 'FAILED',
      error: 'TableNotInConfigError',
      cause: expect.stringContaining("finance.ledger: rerun_of: run 'before-change' had this table"),
    });
  });

  it('takes the skipped tables too with include_skipped', async () => {
    // Prepare: a finished run whose runner precondition skipped one table, as the status handler records it
    const old = { run_id: 'with-skipped', started_at: '2024-06-01T00:00:00.000Z', max_concurrency: 2 };
    const outcomes: Record<string, Exclude<TableStatus, 'PENDING'>> = {
      'sales.orders': 'SUCCEEDED',
      'finance.ledger': 'SKIPPED',
      'events.clicks': 'FAILED',
    };
    const jobs = Object.keys(outcomes).map((table) => ({ table, job_type: 'glue' }));
    const newRun = { execution_name: 'exec-with-skipped', trigger: 'manual', config_key: CONFIG_KEY };
    await startListedRun(
      pipeline.store,
      pipeline.s3,
      { ...old, ...newRun },
      jobs,
      pipeline.names.configBucket,
    );
    const ended = new Date('2024-06-01T01:00:00.000Z');
    for (const job of jobs)
      await recordTableOutcome(
        pipeline.store,
        old,
        job,
        { status: outcomes[job.table]!, attempts: 1 },
        ended,
      );
    await completeRun(pipeline.store, pipeline.s3, old, ended);

    // Act
    await pipeline.when.theRunStarts({ rerun_of: 'with-skipped', run_id: 'failed-only' });
    await pipeline.when.theRunStarts({
      rerun_of: 'with-skipped',
      include_skipped: true,
      run_id: 'with-the-skipped',
    });

    // Assess
    expect(Object.keys(await pipeline.then.tableRecords('failed-only'))).toEqual(['events.clicks']);
    expect(Object.keys(await pipeline.then.tableRecords('with-the-skipped')).sort()).toEqual([
      'events.clicks',
      'finance.ledger',
    ]);
  });
});

describe('a re-run that cannot start', () => {
  it('fails the execution with a FAILED run record naming rerun_of when the run does not exist', async () => {
    const run = await pipeline.when.theRunStarts({ rerun_of: 'no-such-run', run_id: 'rerun-unknown' });

    expect(run).toMatchObject({ status: 'FAILED', error: 'RerunNotPossibleError' });
    expect(statesEntered(run.events)).toEqual(
      expect.arrayContaining(['Extract Config Manager', 'Record Failed Run', 'Extract Run Failed']),
    );
    expect(statesEntered(run.events)).not.toContain('Iterate Through Extract Tables');
    expect(await pipeline.then.runRecord('rerun-unknown')).toMatchObject({
      status: 'FAILED',
      rerun_of: 'no-such-run',
      table_count: 0,
      error: 'RerunNotPossibleError',
      cause: "rerun_of: no run 'no-such-run' in the tracking table",
    });
  });

  it('refuses a run that is still running, and leaves it alone', async () => {
    // Prepare: a run whose execution has not ended
    await startListedRun(
      pipeline.store,
      pipeline.s3,
      {
        run_id: 'in-flight',
        execution_name: 'exec-in-flight',
        trigger: 'manual',
        config_key: CONFIG_KEY,
        started_at: '2024-06-01T00:00:00.000Z',
      },
      [{ table: 'sales.orders', job_type: 'glue' }],
      pipeline.names.configBucket,
    );

    // Act
    const run = await pipeline.when.theRunStarts({ rerun_of: 'in-flight', run_id: 'rerun-in-flight' });

    // Assess
    expect(run).toMatchObject({ status: 'FAILED', error: 'RerunNotPossibleError' });
    expect((await pipeline.then.runRecord('rerun-in-flight'))!.cause).toMatch(
      /^rerun_of: run 'in-flight' is still RUNNING; re-run it once it has ended/,
    );
    const inFlight = await pipeline.then.runRecord('in-flight');
    expect(inFlight).toMatchObject({ status: 'RUNNING' });
    expect(inFlight!.reruns).toBeUndefined();
  });

  it('fails with NothingToRerunError when every table of the run succeeded', async () => {
    await pipeline.when.theRunStarts({
      config_key: CONFIG_KEY,
      tables_to_extract: ['sales.orders'],
      run_id: 'clean',
    });

    const run = await pipeline.when.theRunStarts({ rerun_of: 'clean', run_id: 'rerun-clean' });

    expect(run).toMatchObject({ status: 'FAILED', error: 'NothingToRerunError' });
    expect(await pipeline.then.runRecord('rerun-clean')).toMatchObject({
      status: 'FAILED',
      rerun_of: 'clean',
      cause: "rerun_of: run 'clean' has no table to re-run (1 succeeded, 0 skipped, of 1)",
    });
  });
});
