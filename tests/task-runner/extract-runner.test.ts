import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseCommandsFile } from '../../runner/commands-file';
import { ExtractRunner } from '../../runner/extract-runner';
import type { RunnerOptions } from '../../runner/extract-runner';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(20_000);

const silent = { info: () => undefined, warn: () => undefined };
const scratch = mkdtempSync(join(tmpdir(), 'extract-runner-test-'));

// What the runner's operator approved. The scripts are the operator's (fixed arguments); a table only names one.
const COMMANDS = parseCommandsFile(
  `
environment: [ORACLE_HOME]
commands:
  print-fields:
    argv: [bash, -c, 'echo "extracting $EXTRACT_TABLE to $EXTRACT_TARGET_PATH for $EXTRACT_RUN_ID"']
  fail-noisily:
    argv: [bash, -c, 'for i in $(seq 1 2000); do echo "noise line $i" >&2; done; echo "ORA-12541: no listener" >&2; exit 3']
  sleep:
    argv: [sleep, 30]
  sleep-then-echo:
    argv: [bash, -c, 'sleep 0.5; echo done']
  echo-second:
    argv: [echo, second]
  print-environment:
    argv: [env]
  print-arguments:
    argv: [printf, '[%s]', 'a b', '$EXTRACT_TABLE', '; touch ${scratch}/injected']
  report-watermark:
    argv: [bash, -c, 'echo "$EXTRACT_WATERMARK_FILE"; echo $(( EXTRACT_LAST_WATERMARK + 1 )) >"$EXTRACT_WATERMARK_FILE"']
  report-nothing:
    argv: [bash, -c, 'echo "file: \${EXTRACT_WATERMARK_FILE:-none}"']
`,
  'test-commands.yml',
);

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
      killGraceMs: 1_000,
      commands: COMMANDS,
      allowShell: false,
      logger: silent,
      stdout,
      ...overrides,
    });
    const running = runner.run();
    return { runner, workerGroup, running, output: () => output };
  }

  it('runs the approved command the task names with the task fields as environment variables and reports FINISHED', async () => {
    // Prepare
    const { runner, workerGroup, running, output } = await aRunner();

    // Act
    const queued = await endpoint.enqueue({
      workerGroup,
      command: 'print-fields',
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

  it("reports the watermark a watermark table's command wrote to EXTRACT_WATERMARK_FILE, then FINISHED, and removes the file", async () => {
    // Prepare
    const { runner, workerGroup, running, output } = await aRunner();

    // Act
    const queued = await endpoint.enqueue({
      workerGroup,
      command: 'report-watermark',
      fields: { '--table': 'orders', '--watermark_column': 'id', '--last_watermark': '41' },
    });
    await waitFor(
      'the task to finish',
      async () => (await endpoint.task(queued.taskId))?.status === 'FINISHED',
    );
    runner.stop();
    await running;

    // Assess: the watermark went in ReportTaskProgress fields and on with the outcome.
    expect(endpoint.callbacks.outcomes(queued.taskToken)).toMatchObject([
      { kind: 'success', output: { status: 'SUCCEEDED', watermark: '42' } },
    ]);
    const file = output().trim();
    expect(file).toMatch(/extract-watermark-.*\/watermark$/);
    expect(existsSync(file)).toBe(false);
  });

  it('finishes a watermark table whose command wrote no watermark, without one, and says so', async () => {
    // Prepare
    const warnings: string[] = [];
    const { runner, workerGroup, running, output } = await aRunner({
      logger: { info: () => undefined, warn: (message) => warnings.push(message) },
    });

    // Act: a watermark table, then a table without one (no file is offered).
    const watermarked = await endpoint.enqueue({
      workerGroup,
      command: 'report-nothing',
      fields: { '--table': 'orders', '--watermark_column': 'id' },
    });
    const plain = await endpoint.enqueue({ workerGroup, command: 'report-nothing' });
    await waitFor(
      'both tasks to finish',
      async () =>
        (await endpoint.task(watermarked.taskId))?.status === 'FINISHED' &&
        (await endpoint.task(plain.taskId))?.status === 'FINISHED',
    );
    runner.stop();
    await running;

    // Assess
    const outcomes = endpoint.callbacks.outcomes(watermarked.taskToken);
    expect(outcomes).toMatchObject([{ kind: 'success', output: { status: 'SUCCEEDED' } }]);
    expect(outcomes[0]).not.toHaveProperty('output.watermark');
    expect(warnings).toEqual(['No watermark to report']);
    expect(output()).toMatch(/file: \/.*extract-watermark-.*\/watermark\nfile: none\n/);
  });

  it('reports FAILED with ExitCode<N> and the tail of stderr when the command fails', async () => {
    // Prepare
    const { runner, workerGroup, running } = await aRunner();

    // Act
    const queued = await endpoint.enqueue({
      workerGroup,
      command: 'fail-noisily',
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
    const queued = await endpoint.enqueue({ workerGroup, command: 'sleep' });
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
    const first = await endpoint.enqueue({ workerGroup, command: 'sleep-then-echo' });
    await waitFor(
      'the first task to be acknowledged',
      async () => (await endpoint.task(first.taskId))?.acknowledged,
    );

    // Act
    runner.stop();
    const second = await endpoint.enqueue({ workerGroup, command: 'echo-second' });
    await running;

    // Assess
    expect((await endpoint.task(first.taskId))?.status).toBe('FINISHED');
    expect((await endpoint.task(second.taskId))?.status).toBe('QUEUED');
  });

  it('after the grace period stops the command and reports FAILED with RunnerShutdown', async () => {
    // Prepare
    const { runner, workerGroup, running } = await aRunner({ shutdownGraceMs: 100 });
    const queued = await endpoint.enqueue({ workerGroup, command: 'sleep' });
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
    const a = await endpoint.enqueue({ workerGroup, command: 'sleep' });
    const b = await endpoint.enqueue({ workerGroup, command: 'sleep' });

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

  it('refuses a command its operator did not approve: nothing runs, the task ends FAILED naming the command', async () => {
    // Prepare
    const { runner, workerGroup, running } = await aRunner();
    const leak = join(scratch, 'leaked-environment');

    // Act
    const queued = await endpoint.enqueue({ workerGroup, command: `env > ${leak}` });
    await waitFor('the task to fail', async () => (await endpoint.task(queued.taskId))?.status === 'FAILED');
    runner.stop();
    await running;

    // Assess
    expect(existsSync(leak)).toBe(false);
    const [failure] = endpoint.callbacks.outcomes(queued.taskToken);
    expect(failure).toMatchObject({ kind: 'failure', error: 'CommandNotApproved' });
    expect((JSON.parse((failure as { cause: string }).cause) as { reason: string }).reason).toContain(
      `"env > ${leak}" is not one this runner's operator approved`,
    );
  });

  it("gives the command the allowed environment and the task's values, never the runner's credentials", async () => {
    // Prepare: the runner's own environment, as the CLI would have it.
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIARUNNER',
      AWS_SECRET_ACCESS_KEY: 'runner-secret-key',
      ORACLE_HOME: '/opt/oracle',
      UNLISTED_SETTING: 'not-for-commands',
    });
    try {
      const { runner, workerGroup, running, output } = await aRunner();

      // Act
      const queued = await endpoint.enqueue({ workerGroup, command: 'print-environment' });
      await waitFor(
        'the task to finish',
        async () => (await endpoint.task(queued.taskId))?.status === 'FINISHED',
      );
      runner.stop();
      await running;

      // Assess
      const variables = output().trim().split('\n');
      expect(variables).toEqual(
        expect.arrayContaining(['ORACLE_HOME=/opt/oracle', 'EXTRACT_TABLE=orders', `PATH=${saved.PATH}`]),
      );
      expect(output()).not.toMatch(/AWS_|runner-secret-key|UNLISTED_SETTING/);
    } finally {
      process.env = saved;
    }
  });

  it('passes fixed arguments as separate argv elements, never through a shell', async () => {
    // Prepare
    const { runner, workerGroup, running, output } = await aRunner();

    // Act
    const queued = await endpoint.enqueue({ workerGroup, command: 'print-arguments' });
    await waitFor(
      'the task to finish',
      async () => (await endpoint.task(queued.taskId))?.status === 'FINISHED',
    );
    runner.stop();
    await running;

    // Assess
    expect(output()).toBe(`[a b][$EXTRACT_TABLE][; touch ${scratch}/injected]`);
    expect(existsSync(join(scratch, 'injected'))).toBe(false);
  });

  it("runs a free shell command only when the operator allowed shell, and still without the runner's key", async () => {
    // Prepare
    const saved = { ...process.env };
    process.env.AWS_SECRET_ACCESS_KEY = 'runner-secret-key';
    try {
      const { runner, workerGroup, running, output } = await aRunner({ allowShell: true });

      // Act
      const queued = await endpoint.enqueue({
        workerGroup,
        command: 'echo "shell for $EXTRACT_TABLE, key ${AWS_SECRET_ACCESS_KEY:-none}"',
      });
      await waitFor(
        'the task to finish',
        async () => (await endpoint.task(queued.taskId))?.status === 'FINISHED',
      );
      runner.stop();
      await running;

      // Assess
      expect(output()).toBe('shell for orders, key none\n');
    } finally {
      process.env = saved;
    }
  });
});
