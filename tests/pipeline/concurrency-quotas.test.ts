// Concurrency quotas through the real state machine: the stage sets how many tables of each job type run at once,
// and the definition's quota groups (one Distributed Map Run per job type, MaxConcurrency from the stage) keep
// each type to its own quota while the types run alongside. Observed where the jobs start: the Glue and ECS
// states' calls, answered by a backend that holds the first wave of jobs until every group has filled its quota.
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createJobBackend, type JobBackend, type ServiceJobType } from '../../local/runtime/job-backend';
import { startPipeline, type Pipeline } from '../helpers/pipeline-harness';

jest.setTimeout(60_000);

const QUOTAS = { glue: 2, ecs: 3 };
const GLUE_TABLES = Array.from({ length: 6 }, (_, i) => `sales.glue_${i}`);
const ECS_TABLES = Array.from({ length: 4 }, (_, i) => `sales.ecs_${i}`);

let pipeline: Pipeline;

beforeAll(async () => {
  pipeline = await startPipeline({ concurrency: { glue: QUOTAS.glue, ecs: QUOTAS.ecs } });
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
});
