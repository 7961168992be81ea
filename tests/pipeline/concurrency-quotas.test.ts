// Concurrency quotas through the real state machine: the stage sets how many tables of each job type run at once,
// and the definition's quota groups (one Distributed Map Run per job type, MaxConcurrency from the stage) keep
// each type to its own quota while the types run alongside. Observed where the jobs start: the Glue and ECS
// states' calls, answered by a backend that holds the first wave of jobs until every group has filled its quota;
// and for a runner worker group, by the runner's own command, which fails if another extract is running.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createJobBackend, type JobBackend, type ServiceJobType } from '../../local/runtime/job-backend';
import { parseCommandsFile } from '../../runner/commands-file';
import { startPipeline, WORKER_GROUP, type Pipeline } from '../helpers/pipeline-harness';

jest.setTimeout(60_000);

const QUOTAS = { glue: 2, ecs: 3 };
const GLUE_TABLES = Array.from({ length: 6 }, (_, i) => `sales.glue_${i}`);
const ECS_TABLES = Array.from({ length: 4 }, (_, i) => `sales.ecs_${i}`);
const RUNNER_TABLES = Array.from({ length: 3 }, (_, i) => `onprem.runner_${i}`);
// A worker group whose source database takes one extract at a time, served by a runner that could take three.
const RUNNER_QUOTA = 1;
const scratch = mkdtempSync(join(tmpdir(), 'extract-pipeline-quota-test-'));

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline({
    concurrency: { glue: QUOTAS.glue, ecs: QUOTAS.ecs, workerGroups: { [WORKER_GROUP]: RUNNER_QUOTA } },
  });
  await pipeline.given.anExtractConfig(
    `tables:\n${[
      ...GLUE_TABLES.map((name) => `  - { name: ${name}, job_type: glue }`),
      ...ECS_TABLES.map((name) => `  - { name: ${name}, job_type: ecs }`),
      '  - { name: legacy.feed, job_type: dms }',
    ].join('\n')}\n`,
    'extract-config/quotas.yml',
  );
});

afterAll(async () => {
  await pipeline?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * A job backend that counts the jobs of each type running at once. The first `firstWave` jobs of each type are
 * held until all of them have started, so the run shows both that a type reaches its quota and that the types
 * run side by side; a definition that ran more of a type at once, or the types one after another, would show
 * a count above the quota, or never fill the wave (and time out).
 */
function watchingBackend(firstWave: Record<'glue' | 'ecs', number>) {
  const inner = createJobBackend();
  const running: Record<string, number> = { glue: 0, ecs: 0, emr: 0 };
  const most: Record<string, number> = { glue: 0, ecs: 0, emr: 0 };
  const started: Record<string, number> = { glue: 0, ecs: 0, emr: 0 };
  let bothRunning = false;
  let releaseWave!: () => void;
  const waveFilled = new Promise<void>((resolve) => (releaseWave = resolve));
  const backend: JobBackend = {
    calls: inner.calls,
    async run(jobType: ServiceJobType, request) {
      running[jobType]! += 1;
      started[jobType]! += 1;
      most[jobType] = Math.max(most[jobType]!, running[jobType]!);
      if (running.glue! > 0 && running.ecs! > 0) bothRunning = true;
      try {
        if (started.glue! >= firstWave.glue && started.ecs! >= firstWave.ecs) releaseWave();
        if (started[jobType]! <= firstWave[jobType as 'glue' | 'ecs']) await waveFilled;
        return await inner.run(jobType, request);
      } finally {
        running[jobType]! -= 1;
      }
    },
  };
  return { backend, most, bothRunning: () => bothRunning };
}

describe('concurrency quotas', () => {
  it('runs at most each job type’s quota of tables at once, the job types alongside each other', async () => {
    // Prepare
    const watch = watchingBackend(QUOTAS);

    // Act
    const run = await pipeline.when.theRunStarts(
      { config_key: 'extract-config/quotas.yml', run_id: 'quotas' },
      {},
      undefined,
      watch.backend,
    );

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ table_count: 11, succeeded: 10, failed: 1 });
    expect(watch.most).toEqual({ glue: QUOTAS.glue, ecs: QUOTAS.ecs, emr: 0 });
    expect(watch.bothRunning()).toBe(true);
    expect(run.backend.calls.filter((call) => call.jobType === 'glue')).toHaveLength(6);
    expect(run.backend.calls.filter((call) => call.jobType === 'ecs')).toHaveLength(4);
  });

  it('writes one items file per job type present, each with its quota, and none for absent types', async () => {
    // Prepare
    const s3 = new S3Client({ forcePathStyle: true });
    const read = async (key: string) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: pipeline.names.configBucket, Key: key }));
      return JSON.parse(await object.Body!.transformToString()) as unknown;
    };

    // Act
    const groups = (await read('runs/quotas/groups.json')) as { items: { key: string } }[];

    // Assess
    expect(groups).toEqual([
      expect.objectContaining({ group: 'glue', max_concurrency: 2, table_count: 6 }),
      expect.objectContaining({ group: 'ecs', max_concurrency: 3, table_count: 4 }),
      // The table no service runs goes straight to the status handler, at the stage's maxConcurrency.
      expect.objectContaining({ group: 'invalid', max_concurrency: 4, table_count: 1 }),
    ]);
    expect(groups.map((group) => group.items.key)).toEqual([
      'runs/quotas/tables/glue.json',
      'runs/quotas/tables/ecs.json',
      'runs/quotas/tables/invalid.json',
    ]);
    const glueTables = (await read('runs/quotas/tables/glue.json')) as { table: string }[];
    expect(glueTables.map((job) => job.table)).toEqual(GLUE_TABLES);
    s3.destroy();
  });

  it("runs at most a worker group's quota of runner tables at once, whatever its runners could take", async () => {
    // Prepare: the command holds a lock while it runs, and fails if another extract holds it already.
    await pipeline.given.anExtractConfig(
      `tables:\n${RUNNER_TABLES.map(
        (name) =>
          `  - { name: ${name}, job_type: runner, worker_group: ${WORKER_GROUP}, command: extract-alone }`,
      ).join('\n')}\n`,
      'extract-config/runner-quota.yml',
    );
    const lock = join(scratch, 'extracting');
    const runner = await pipeline.given.aRunner(
      parseCommandsFile(
        `commands:\n  extract-alone:\n    argv: [bash, -c, 'mkdir "${lock}" || exit 9; sleep 0.2; rmdir "${lock}"']\n`,
        'runner-commands.yml',
      ),
      3,
    );

    // Act
    const run = await pipeline.when
      .theRunStarts({ config_key: 'extract-config/runner-quota.yml', run_id: 'runner-quota' })
      .finally(() => runner.stop());

    // Assess: every table ran on its first attempt, so no two ever ran at once
    expect(run.status).toBe('SUCCEEDED');
    expect(run.output).toMatchObject({ table_count: 3, succeeded: 3, failed: 0 });
    const records = await pipeline.then.tableRecords('runner-quota');
    expect(Object.values(records).map((record) => [record.status, record.attempts])).toEqual([
      ['SUCCEEDED', 1],
      ['SUCCEEDED', 1],
      ['SUCCEEDED', 1],
    ]);
  });
});
