// `npm start -- --rerun-of <run id>` against serve mode, as a user types it: the re-run starts on the serve
// instance, whose tracking table has the earlier run's records, extracts only the table that failed there, and
// `npm run status -- --run-id` shows the two runs linked. The re-run is a child process as a user types it; the
// run it re-runs, the refusal and status run the same mains in-process.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { START_COMMAND, startCommand } from '../../local/commands/start';
import { STATUS_COMMAND, statusCommand } from '../../local/commands/status';
import { LOCAL_STACK_TEST_TIMEOUT_MS } from '../helpers/wait-for';
import { runInProcess, runLocalScript, spawnServe, stopServe, type SummaryJson } from './helpers/commands';

jest.setTimeout(LOCAL_STACK_TEST_TIMEOUT_MS);

const dataDir = mkdtempSync(join(tmpdir(), 'extract-pipeline-serve-rerun-test-'));
let serve: ChildProcess | undefined;

beforeAll(async () => {
  const { child, ready } = spawnServe(dataDir);
  serve = child;
  await ready;
});

afterAll(async () => {
  if (serve) await stopServe(serve, dataDir);
});

function startOnServe(args: string[]) {
  return runInProcess(START_COMMAND, startCommand, ['--json', '--data-dir', dataDir, ...args]);
}

describe('npm start -- --rerun-of against serve mode', () => {
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
    const rerun = await runLocalScript('start.ts', [
      '--json',
      '--data-dir',
      dataDir,
      '--rerun-of',
      failed.runId,
    ]);

    // Assess
    expect(rerun.stderr).toMatch(/on the serve instance/);
    expect(rerun.code).toBe(0);
    const summary = JSON.parse(rerun.stdout) as SummaryJson & { rerunOf?: string };
    expect(summary.tables.map((t) => [t.table, t.status])).toEqual([['events.clicks', 'SUCCEEDED']]);
    expect(summary.rerunOf).toBe(failed.runId);
    const status = await runInProcess(STATUS_COMMAND, statusCommand, [
      '--run-id',
      failed.runId,
      '--data-dir',
      dataDir,
    ]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Re-run by ${summary.runId}`);
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
