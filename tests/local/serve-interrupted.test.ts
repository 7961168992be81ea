// A serve instance killed with a run in flight: the run's execution died with it, so the next start closes the run
// FAILED (RunInterrupted) and `npm run status` says so, instead of listing it RUNNING forever.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createDocumentClient } from '../../functions/clients/dynamodb';
import { listRuns, type RunListing } from '../../local/list-runs';
import { STATUS_COMMAND, statusCommand } from '../../local/commands/status';
import { localDynamoDbClient, localS3Client } from '../../local/stack/emulators';
import type { LocalEndpoints } from '../../local/stack/endpoints-file';
import { LOCAL_STACK_BOUND_MS, LOCAL_STACK_TEST_TIMEOUT_MS, waitFor } from '../helpers/wait-for';
import { runInProcess, spawnServe, stopServe, type SummaryJson } from './helpers/commands';

jest.setTimeout(LOCAL_STACK_TEST_TIMEOUT_MS);

const dataDir = mkdtempSync(join(tmpdir(), 'extract-pipeline-serve-interrupted-'));
const children: ChildProcess[] = [];

/** A runner table no runner serves: its run stays in flight until serve stops. */
const WAITING_CONFIG = `version: 1
tables:
  - name: onprem.waiting
    job_type: runner
    worker_group: nobody-serves-this
    source_type: oracle
    command: echo never
`;

function startServe(): Promise<LocalEndpoints> {
  const { child, ready } = spawnServe(dataDir);
  children.push(child);
  return ready;
}

function runsOf(endpoints: LocalEndpoints): Promise<RunListing[]> {
  const db = createDocumentClient(localDynamoDbClient(endpoints.dynamodb));
  return listRuns({ db, tableName: endpoints.trackingTable }, 20);
}

afterAll(async () => {
  const last = children.at(-1);
  if (last) await stopServe(last, dataDir);
});

describe('serve mode killed with a run in flight', () => {
  it('closes the run FAILED with RunInterrupted at the next start, and status shows it', async () => {
    // Prepare: a run whose runner table waits, then serve killed as by kill -9.
    const first = await startServe();
    await localS3Client(first.s3).send(
      new PutObjectCommand({
        Bucket: first.bucket,
        Key: `${first.triggerPrefix}waiting.yml`,
        Body: WAITING_CONFIG,
      }),
    );
    const [inFlight] = await waitFor(
      'the run to be in flight',
      async () => {
        const runs = await runsOf(first);
        return runs[0]?.status === 'RUNNING' && runs[0].counts.tables === 1 ? runs : undefined;
      },
      LOCAL_STACK_BOUND_MS,
      200,
    );
    const killed = new Promise((resolve) => children[0]!.once('exit', resolve));
    process.kill(first.pid, 'SIGKILL');
    await killed;

    // Act
    await startServe();
    const listed = await runInProcess(STATUS_COMMAND, statusCommand, ['--data-dir', dataDir, '--json']);
    const one = await runInProcess(STATUS_COMMAND, statusCommand, [
      '--data-dir',
      dataDir,
      '--run-id',
      inFlight!.runId,
      '--json',
    ]);

    // Assess
    expect(listed.code).toBe(0);
    const { runs } = JSON.parse(listed.stdout) as { runs: RunListing[] };
    expect(runs.find((run) => run.runId === inFlight!.runId)).toMatchObject({
      status: 'FAILED',
      error: 'RunInterrupted',
      counts: { tables: 1, failed: 1 },
    });
    const summary = JSON.parse(one.stdout) as SummaryJson;
    expect(summary).toMatchObject({ status: 'FAILED', error: 'RunInterrupted' });
    expect(summary.cause).toMatch(/serve mode stopped before this run ended/);
    expect(summary.tables).toEqual([
      expect.objectContaining({ table: 'onprem.waiting', status: 'FAILED', error: 'RunInterrupted' }),
    ]);
  });
});
