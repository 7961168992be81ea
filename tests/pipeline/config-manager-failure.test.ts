// Whatever stops the Extract Config Manager (its own error, a crash, a Lambda timeout, running out of memory), the
// run ends with a FAILED run record that says why: the real definition's Catch and Record Failed Run, with the
// real completeRun handler against dynalite.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTableListLocation, writeRunTableList } from '../../functions/lib/runs/run-table-list';
import { failRun } from '../../functions/lib/tracking/tracking-store';
import { startPipeline, type Pipeline } from '../helpers/pipeline-harness';

const SAMPLE_CONFIG = readFileSync(join(__dirname, '..', 'events', 'extract-config.yml'), 'utf8');

jest.setTimeout(30_000);

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline();
  await pipeline.given.anExtractConfig(SAMPLE_CONFIG);
});

afterAll(async () => {
  await pipeline?.close();
});

type LoggedEvent = { type: string; state?: { name: string } };

function statesEntered(events: unknown[]): string[] {
  return (events as LoggedEvent[]).filter((e) => e.type === 'StateEntered').map((e) => e.state!.name);
}

/** An error as Step Functions reports it for a Lambda that died: the name is the error, the message its cause. */
function lambdaDeath(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('a config manager that dies', () => {
  it.each([
    ['times out', lambdaDeath('Sandbox.Timedout', 'Task timed out after 300.00 seconds')],
    ['runs out of memory', lambdaDeath('Lambda.Unknown', 'Runtime exited with error: signal: killed')],
    ['crashes', new TypeError("Cannot read properties of undefined (reading 'tables')")],
    ['is stopped by the state timeout', lambdaDeath('States.Timeout', 'The task timed out')],
  ])('%s: the run still ends FAILED with a run record that says why', async (_label, death) => {
    // Prepare
    const runId = `died-${death.name.replace(/[^a-z]/gi, '').toLowerCase()}`;
    const real = pipeline.handlers.ConfigManagerLambdaFunction!;
    pipeline.handlers.ConfigManagerLambdaFunction = async () => {
      throw death;
    };
    try {
      // Act
      const run = await pipeline.when.theRunStarts({ tables_to_extract: ['sales.orders'], run_id: runId });

      // Assess: the execution fails with the config manager's own error, after recording it
      expect(run).toMatchObject({ status: 'FAILED', error: death.name });
      expect(statesEntered(run.events)).toEqual(
        expect.arrayContaining(['Extract Config Manager', 'Record Failed Run', 'Extract Run Failed']),
      );
      expect(await pipeline.then.runRecord(runId)).toMatchObject({
        status: 'FAILED',
        error: death.name,
        cause: death.message,
        trigger: 'manual',
      });
    } finally {
      pipeline.handlers.ConfigManagerLambdaFunction = real;
    }
  });

  it('fails every table of its list when it died after recording the run', async () => {
    // Prepare: the real config manager writes the table list and the run record, then the invocation dies
    const real = pipeline.handlers.ConfigManagerLambdaFunction!;
    pipeline.handlers.ConfigManagerLambdaFunction = async (event, context) => {
      await real(event, context);
      throw lambdaDeath('Sandbox.Timedout', 'Task timed out after 300.00 seconds');
    };
    try {
      // Act
      const run = await pipeline.when.theRunStarts({
        tables_to_extract: ['sales.orders', 'crm.accounts'],
        run_id: 'died-after-start',
      });

      // Assess
      expect(run).toMatchObject({ status: 'FAILED', error: 'Sandbox.Timedout' });
      expect(await pipeline.then.runRecord('died-after-start')).toMatchObject({
        status: 'FAILED',
        error: 'Sandbox.Timedout',
        table_count: 2,
      });
      const tables = await pipeline.then.tableRecords('died-after-start');
      expect(Object.values(tables).map((t) => [t.table, t.status, t.error])).toEqual(
        expect.arrayContaining([
          ['sales.orders', 'FAILED', 'RunFailed'],
          ['crm.accounts', 'FAILED', 'RunFailed'],
        ]),
      );
    } finally {
      pipeline.handlers.ConfigManagerLambdaFunction = real;
    }
  });

  it('fails every table of the list of a run whose config manager recorded its own failure after writing it', async () => {
    // Prepare: the real config manager writes the table list and the run, then fails after its own failRun
    // (as when the items file cannot be written): the run record is already FAILED when Record Failed Run runs.
    const real = pipeline.handlers.ConfigManagerLambdaFunction!;
    pipeline.handlers.ConfigManagerLambdaFunction = async (event, context) => {
      await real(event, context);
      const started = (await pipeline.then.runRecord('failed-after-pending'))!;
      const own = Object.assign(new Error('Access Denied writing runs/failed-after-pending/groups.json'), {
        name: 'AccessDenied',
      });
      await failRun(pipeline.store, { ...started, table_count: 2 }, own, new Date().toISOString());
      throw own;
    };
    try {
      // Act
      const run = await pipeline.when.theRunStarts({
        tables_to_extract: ['sales.orders', 'crm.accounts'],
        run_id: 'failed-after-pending',
      });

      // Assess: the config manager's record stays, and no table is left without an outcome
      expect(run).toMatchObject({ status: 'FAILED', error: 'AccessDenied' });
      expect(await pipeline.then.runRecord('failed-after-pending')).toMatchObject({
        status: 'FAILED',
        error: 'AccessDenied',
      });
      const tables = await pipeline.then.tableRecords('failed-after-pending');
      expect(Object.values(tables).map((t) => [t.table, t.status, t.error, t.cause])).toEqual(
        expect.arrayContaining([
          ['sales.orders', 'FAILED', 'RunFailed', expect.stringContaining('AccessDenied: Access Denied')],
          ['crm.accounts', 'FAILED', 'RunFailed', expect.stringContaining('AccessDenied: Access Denied')],
        ]),
      );
    } finally {
      pipeline.handlers.ConfigManagerLambdaFunction = real;
    }
  });

  it('records a run with no tables when it died after writing its table list but before the run record', async () => {
    // Prepare: the table list is written (as the config manager writes it first), then the invocation dies
    const real = pipeline.handlers.ConfigManagerLambdaFunction!;
    pipeline.handlers.ConfigManagerLambdaFunction = async (event) => {
      const { execution_name: executionName } = event as { execution_name: string };
      await writeRunTableList(
        pipeline.s3,
        runTableListLocation(
          { configBucket: pipeline.names.configBucket, runItemsPrefix: 'runs/' },
          'died-before-record',
          executionName,
        ),
        [{ table: 'sales.orders', job_type: 'glue' }],
      );
      throw lambdaDeath('Sandbox.Timedout', 'Task timed out after 300.00 seconds');
    };
    try {
      // Act
      const run = await pipeline.when.theRunStarts({
        tables_to_extract: ['sales.orders'],
        run_id: 'died-before-record',
      });
      const rerun = await (async () => {
        pipeline.handlers.ConfigManagerLambdaFunction = real;
        return pipeline.when.theRunStarts({ rerun_of: 'died-before-record', run_id: 'rerun-of-died' });
      })();

      // Assess: no table started, so the run has none; a re-run is refused with the way forward
      expect(run).toMatchObject({ status: 'FAILED', error: 'Sandbox.Timedout' });
      expect(await pipeline.then.runRecord('died-before-record')).toMatchObject({
        status: 'FAILED',
        table_count: 0,
        error: 'Sandbox.Timedout',
      });
      expect(await pipeline.then.runRecord('died-before-record')).not.toHaveProperty('table_list');
      expect(await pipeline.then.tableRecords('died-before-record')).toEqual({});
      expect(rerun).toMatchObject({ status: 'FAILED', error: 'RerunNotPossibleError' });
      expect((await pipeline.then.runRecord('rerun-of-died'))!.cause).toMatch(
        /failed before it had any tables.*start a new run with its input/,
      );
    } finally {
      pipeline.handlers.ConfigManagerLambdaFunction = real;
    }
  });

  it("keeps the config manager's own, fuller record of an invalid config", async () => {
    await pipeline.given.anExtractConfig('tables: {not: a list}\n', 'extract-config/broken.yml');

    const run = await pipeline.when.theRunStarts({
      config_key: 'extract-config/broken.yml',
      run_id: 'own-record',
    });

    expect(run).toMatchObject({ status: 'FAILED', error: 'ConfigValidationError' });
    expect(statesEntered(run.events)).toContain('Record Failed Run');
    expect(await pipeline.then.runRecord('own-record')).toMatchObject({
      status: 'FAILED',
      error: 'ConfigValidationError',
      config_key: 'extract-config/broken.yml',
    });
  });
});
