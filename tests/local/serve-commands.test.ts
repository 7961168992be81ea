// `npm run cancel`, `npm run status` and `npm start -- --rerun-of` against one serve instance. Cancel and status: a
// run whose runner table waits for a runner nobody started shows it waiting; cancel stops it and the records say
// CANCELLED; status finds it by status and by table; the errors a user can make end with the documented exit codes.
// The re-run (after them, on the same instance): it starts on the serve instance, whose tracking table has the
// earlier run's records, extracts only the table that failed there, and `npm run status -- --run-id` shows the two
// runs linked. The cancel that stops the run, and npm start following a run there, are child processes as a user
// types them; the listings, the refusals, the re-run and the run it re-runs run the same mains in-process (the same
// exit code and output), as a process each would add only its start-up. One serve instance for both: each serve
// costs about 2 s of CPU to start, and nothing here asserts on runs it did not start itself.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createDocumentClient } from '../../functions/clients/dynamodb';
import { CANCEL_COMMAND, cancelCommand } from '../../local/commands/cancel';
import { START_COMMAND, startCommand } from '../../local/commands/start';
import { STATUS_COMMAND, statusCommand } from '../../local/commands/status';
import { listRuns } from '../../local/list-runs';
import { localDynamoDbClient, localS3Client } from '../../local/stack/emulators';
import type { LocalEndpoints } from '../../local/stack/endpoints-file';
import { listRunTables } from '../../functions/lib/tracking/tracking-store';
import { LOCAL_STACK_BOUND_MS, LOCAL_STACK_TEST_TIMEOUT_MS, waitFor } from '../helpers/wait-for';
import {
  runInProcess,
  runLocalScript,
  spawnLocalScript,
  spawnServe,
  stopServe,
  type SummaryJson,
} from './helpers/commands';

jest.setTimeout(LOCAL_STACK_TEST_TIMEOUT_MS);

const dataDir = mkdtempSync(join(tmpdir(), 'extract-pipeline-serve-commands-test-'));
let serve: ChildProcess;
let endpoints: LocalEndpoints;

// `nobody-polls` has no runner: its table waits in the queue until the run is stopped.
const CONFIG = `
tables:
  - name: onprem.waiting
    job_type: runner
    worker_group: nobody-polls
    command: write-sample-csv
  - name: sales.orders
    job_type: glue
`;

const status = (args: string[]) =>
  runInProcess(STATUS_COMMAND, statusCommand, ['--data-dir', dataDir, ...args]);
const cancel = (args: string[]) =>
  runInProcess(CANCEL_COMMAND, cancelCommand, ['--data-dir', dataDir, ...args]);

beforeAll(async () => {
  const spawned = spawnServe(dataDir);
  serve = spawned.child;
  endpoints = await spawned.ready;
});

afterAll(async () => {
  if (serve) await stopServe(serve, dataDir);
});

describe('npm run cancel and npm run status', () => {
  let runId: string;

  it('stops a run whose runner table waits, and records the unfinished table CANCELLED', async () => {
    // Prepare: a run that waits for a runner of `nobody-polls`
    const store = {
      db: createDocumentClient(localDynamoDbClient(endpoints.dynamodb)),
      tableName: endpoints.trackingTable,
    };
    await localS3Client(endpoints.s3, endpoints.credentials).send(
      new PutObjectCommand({
        Bucket: endpoints.bucket,
        Key: `${endpoints.triggerPrefix}waits.yml`,
        Body: CONFIG,
      }),
    );
    runId = await waitFor(
      'the glue table to finish while the runner table waits',
      async () => {
        const [run] = await listRuns(store, 1, 'RUNNING');
        if (!run) return undefined;
        const tables = await listRunTables(store, run.runId);
        return tables.find((t) => t.table === 'sales.orders')?.status === 'SUCCEEDED' && run.runId;
      },
      LOCAL_STACK_BOUND_MS,
      200,
    );

    const waiting = await status(['--run-id', runId]);
    expect(waiting.code).toBe(0);
    expect(waiting.stdout.replace(/\s+/g, ' ')).toMatch(
      /onprem\.waiting runner WAITING .* waiting for a runner of worker group nobody-polls \(queued \d+s ago\): no runner has ever polled it/,
    );

    // Act
    const result = await runLocalScript('cancel.ts', ['--data-dir', dataDir, '--run-id', runId, '--json']);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson & { counts: Record<string, number> };
    expect(summary).toMatchObject({
      runId,
      status: 'CANCELLED',
      error: 'RunCancelled',
      counts: { tables: 2, succeeded: 1, cancelled: 1, failed: 0, pending: 0 },
    });
    expect(summary.tables.find((t) => t.table === 'onprem.waiting')).toMatchObject({
      status: 'CANCELLED',
      error: 'RunCancelled',
    });
  });

  it('lists the cancelled run by its status, its cancelled tables, and the table across runs', async () => {
    // Act
    const runs = await status(['--status', 'cancelled', '--json']);
    const tables = await status(['--run-id', runId, '--status', 'CANCELLED']);
    const history = await status(['--table', 'onprem.waiting']);

    // Assess
    expect(runs.code).toBe(0);
    expect((JSON.parse(runs.stdout) as { runs: { runId: string; status: string }[] }).runs).toEqual([
      expect.objectContaining({ runId, status: 'CANCELLED' }),
    ]);
    expect(tables.code).toBe(0);
    expect(tables.stdout).toContain('onprem.waiting');
    expect(tables.stdout).not.toContain('sales.orders');
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(new RegExp(`${runId} .* CANCELLED +runner`));
    expect(history.stdout).toContain('RunCancelled: Execution');
  });

  it('refuses a run that already ended, an unknown run and an unknown status, with the documented exit codes', async () => {
    // Act
    const again = await cancel(['--run-id', runId]);
    const unknown = await cancel(['--run-id', 'no-such-run']);
    const missing = await cancel([]);
    const badStatus = await status(['--status', 'DONE']);

    // Assess
    expect(again).toMatchObject({ code: 1, stdout: '' });
    expect(again.stderr).toContain(`run ${runId} already ended CANCELLED at `);
    expect(again.stderr).toContain('nothing to stop');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--run-id: no run no-such-run in');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--run-id: which run to stop');
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain(
      '--status: runs have no status DONE (one of RUNNING, SUCCEEDED, FAILED, CANCELLED)',
    );
  });

  it('npm start on serve names the worker group its runner table waits for, and ends when the run is cancelled', async () => {
    // Prepare
    const config = join(dataDir, 'waits.yml');
    writeFileSync(config, CONFIG);
    const started = spawnLocalScript('start.ts', ['--data-dir', dataDir, '--config', config, '--json']);
    let stderr = '';
    let stdout = '';
    started.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    started.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => started.once('exit', resolve));

    // Act: the progress line says what the run waits for
    await waitFor(
      'npm start to say the runner table waits',
      () => stderr.includes('1 waiting for a runner of nobody-polls: no runner has ever polled it'),
      LOCAL_STACK_BOUND_MS,
      200,
    );
    const startedRunId = /Run (\S+) \(execution/.exec(stderr)![1]!;
    const cancelled = await cancel(['--run-id', startedRunId]);

    // Assess: npm start ends with the cancelled run's summary, exit 1 (not every table succeeded)
    expect(cancelled.code).toBe(0);
    expect(await exited).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ runId: startedRunId, status: 'CANCELLED' });
  });
});

describe('npm start -- --rerun-of against serve mode', () => {
  function startOnServe(args: string[]) {
    return runInProcess(START_COMMAND, startCommand, ['--json', '--data-dir', dataDir, ...args]);
  }

  it('re-runs only the table that failed, on the serve instance, and links the two runs', async () => {
    // Prepare: a run on the serve instance where events.clicks fails
    const mock = join(dataDir, 'clicks-fail.yml');
    writeFileSync(mock, "tables:\n  events.clicks:\n    fail:\n      cause: 'Essential container exited'\n");
    const first = await startOnServe(['--tables', 'sales.orders,events.clicks', '--mock', mock]);
    expect(first.code).toBe(1);
    const failed = JSON.parse(first.stdout) as SummaryJson;
    expect(failed.tables.map((t) => [t.table, t.status])).toEqual([
      ['events.clicks', 'FAILED'],
      ['sales.orders', 'SUCCEEDED'],
    ]);

    // Act: the serve instance's own job outcomes, where every table succeeds
    const rerun = await startOnServe(['--rerun-of', failed.runId]);

    // Assess
    expect(rerun.stderr).toMatch(/on the serve instance/);
    expect(rerun.code).toBe(0);
    const summary = JSON.parse(rerun.stdout) as SummaryJson & { rerunOf?: string };
    expect(summary.tables.map((t) => [t.table, t.status])).toEqual([['events.clicks', 'SUCCEEDED']]);
    expect(summary.rerunOf).toBe(failed.runId);
    const linked = await status(['--run-id', failed.runId]);
    expect(linked.code).toBe(0);
    expect(linked.stdout).toContain(`Re-run by ${summary.runId}`);
  });

  it('ends FAILED naming rerun_of when the serve instance has no such run', async () => {
    const result = await startOnServe(['--rerun-of', 'no-such-run']);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'FAILED',
      error: 'RerunNotPossibleError',
      cause: "rerun_of: no run 'no-such-run' in the tracking table",
      rerunOf: 'no-such-run',
    });
  });
});
