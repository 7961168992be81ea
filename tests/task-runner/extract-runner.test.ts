import { PassThrough } from 'node:stream';
import { ExtractRunner } from '../../runner/extract-runner';
import type { RunnerOptions } from '../../runner/extract-runner';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(20_000);

const silent = { info: () => undefined, warn: () => undefined };

describe('the extract runner against the endpoint', () => {
  let endpoint: Endpoint;
  let group = 0;

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 300, pollIntervalMs: 25 });
  });
  afterAll(() => endpoint.close());

  async function aRunner(overrides: Partial<RunnerOptions> = {}) {
    const workerGroup = `wg-runner-${++group}`;
    const credential = await endpoint.issueCredential([workerGroup]);
    const stdout = new PassThrough();
    let output = '';
    stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const runner = new ExtractRunner(endpoint.client(credential), {
      workerGroup,
      concurrency: 1,
      hostname: 'runner.test',
      taskrunnerId: `runner-${group}`,
      progressIntervalMs: 100,
      heartbeatIntervalMs: 60_000,
      shutdownGraceMs: 5_000,
      pollErrorBackoffMs: 50,
      logger: silent,
      stdout,
      ...overrides,
    });
    const running = runner.run();
    return { runner, workerGroup, running, output: () => output };
  }

  it('runs a shell command with the task fields as environment variables and reports FINISHED', async () => {
    // Prepare
    const { runner, workerGroup, running, output } = await aRunner();

    // Act
    const queued = await endpoint.enqueue({
      workerGroup,
      command: 'echo "extracting $EXTRACT_TABLE to $EXTRACT_TARGET_PATH for $EXTRACT_RUN_ID"',
      fields: { '--table': 'orders', '--target-path': 's3://lake/raw/orders/' },
    });
    await waitFor(
      'the task to finish',
      async () => (await endpoint.task(queued.taskId))?.status === 'FINISHED',
    );
    runner.stop();
    await running;

    // Assess
    expect(output()).toContain('extracting orders to s3://lake/raw/orders/ for run-2026-11-25');
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toMatchObject([
      { kind: 'success', output: { status: 'SUCCEEDED' } },
    ]);
  });

  it('reports FAILED with ExitCode<N> and the tail of stderr when the command fails', async () => {
    // Prepare
    const { runner, workerGroup, running } = await aRunner();

    // Act
    const queued = await endpoint.enqueue({
      workerGroup,
      command:
        'for i in $(seq 1 2000); do echo "noise line $i" >&2; done; echo "ORA-12541: no listener" >&2; exit 3',
    });
    await waitFor('the task to fail', async () => (await endpoint.task(queued.taskId))?.status === 'FAILED');
    runner.stop();
    await running;

    // Assess
    const [failure] = endpoint.callbacks.outcomes(queued.taskToken);
    expect(failure).toMatchObject({ kind: 'failure', error: 'ExitCode3' });
    const cause = (JSON.parse((failure as { cause: string }).cause) as { reason: string }).reason;
    expect(cause).toMatch(/^Command exited with code 3\./);
    expect(cause).toMatch(/ORA-12541: no listener\n$/);
    expect(cause).not.toContain('noise line 1\n');
    expect(cause.length).toBeLessThan(4096 + 200);
  });

  it('kills the command when the endpoint answers canceled', async () => {
    // Prepare
    const { runner, workerGroup, running } = await aRunner();
    const queued = await endpoint.enqueue({ workerGroup, command: 'sleep 30' });
    await waitFor(
      'the task to be acknowledged',
      async () => (await endpoint.task(queued.taskId))?.acknowledged,
    );

    // Act
    endpoint.callbacks.goneTokens.add(queued.taskToken);
    await waitFor('the runner to record the cancellation', () =>
      runner.outcomes.find((outcome) => outcome.taskId === queued.taskId),
    );
    runner.stop();
    await running;

    // Assess
    expect(runner.outcomes).toEqual([{ taskId: queued.taskId, status: 'CANCELED' }]);
    expect(await endpoint.task(queued.taskId)).toMatchObject({ status: 'CANCELED' });
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toEqual([]);
  });

  it('on stop lets a running task finish and takes no new one', async () => {
    // Prepare
    const { runner, workerGroup, running } = await aRunner();
    const first = await endpoint.enqueue({ workerGroup, command: 'sleep 0.5; echo done' });
    await waitFor(
      'the first task to be acknowledged',
      async () => (await endpoint.task(first.taskId))?.acknowledged,
    );

    // Act
    runner.stop();
    const second = await endpoint.enqueue({ workerGroup, command: 'echo second' });
    await running;

    // Assess
    expect((await endpoint.task(first.taskId))?.status).toBe('FINISHED');
    expect((await endpoint.task(second.taskId))?.status).toBe('QUEUED');
  });

  it('after the grace period stops the command and reports FAILED with RunnerShutdown', async () => {
    // Prepare
    const { runner, workerGroup, running } = await aRunner({ shutdownGraceMs: 100 });
    const queued = await endpoint.enqueue({ workerGroup, command: 'sleep 30' });
    await waitFor(
      'the task to be acknowledged',
      async () => (await endpoint.task(queued.taskId))?.acknowledged,
    );

    // Act
    runner.stop();
    await running;

    // Assess
    expect(await endpoint.task(queued.taskId)).toMatchObject({ status: 'FAILED' });
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toMatchObject([
      { kind: 'failure', error: 'RunnerShutdown' },
    ]);
  });

  it('runs up to --concurrency tasks at once', async () => {
    // Prepare
    const { runner, workerGroup, running } = await aRunner({ concurrency: 2 });
    const a = await endpoint.enqueue({ workerGroup, command: 'sleep 30' });
    const b = await endpoint.enqueue({ workerGroup, command: 'sleep 30' });

    // Act
    await waitFor('both tasks to be acknowledged', async () => {
      const [ta, tb] = [await endpoint.task(a.taskId), await endpoint.task(b.taskId)];
      return ta?.acknowledged && tb?.acknowledged;
    });
    endpoint.callbacks.goneTokens.add(a.taskToken);
    endpoint.callbacks.goneTokens.add(b.taskToken);
    await waitFor('both cancellations', () => runner.outcomes.length === 2 || undefined);
    runner.stop();
    await running;

    // Assess
    expect(runner.outcomes.map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
  });
});
