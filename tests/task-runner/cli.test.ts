import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { PollForTaskCommand } from '@aws-sdk/client-data-pipeline';
import { main as runnerCli, parseRunnerArgs } from '../../runner/cli';
import { main as credentialsCli } from '../../runner/credentials-cli';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/stack/emulators';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';
import { LOCAL_STACK_BOUND_MS, LOCAL_STACK_TEST_TIMEOUT_MS, waitFor } from '../helpers/wait-for';

// The runner CLI runs in a child process: its bounds are the generous ones only a hang reaches.
jest.setTimeout(LOCAL_STACK_TEST_TIMEOUT_MS);

const ROOT = join(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'extract-runner-cli-test-'));
const PID_FILE = join(scratch, 'command.pid');
const COMMANDS_FILE = join(scratch, 'runner-commands.yml');
writeFileSync(
  COMMANDS_FILE,
  `commands:
  say-hello:
    argv: [bash, -c, 'echo "hello from $EXTRACT_TABLE"']
  run-until-stopped:
    argv: [bash, -c, 'echo $$ > ${PID_FILE}; exec sleep 300']
`,
);

/** Alive and not a zombie: a zombie has ended, only its exit status is still unread. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('the package bins', () => {
  let endpoint: Endpoint;

  beforeAll(async () => {
    endpoint = await anEndpoint({ pollWindowMs: 300, pollIntervalMs: 25 });
  });
  afterAll(() => endpoint.close());

  async function credentials(...args: string[]): Promise<unknown> {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const previous = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
    try {
      const code = await credentialsCli(
        [
          ...args,
          '--table',
          endpoint.tableName,
          '--endpoint',
          endpoint.dynamoEndpoint,
          '--region',
          LOCAL_REGION,
        ],
        { stdout: out, stderr: process.stderr },
      );
      expect(code).toBe(0);
    } finally {
      process.env = previous;
    }
    return JSON.parse(text);
  }

  it('runner-credentials creates, lists and revokes a key that the endpoint then honours and refuses', async () => {
    // Act
    const created = (await credentials(
      'create',
      '--worker-group',
      'wg-cli-a',
      '--worker-group',
      'wg-cli-b',
    )) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    const granted = await endpoint.client(created).send(new PollForTaskCommand({ workerGroup: 'wg-cli-b' }));
    const listed = (await credentials('list')) as { accessKeyId: string; workerGroups: string[] }[];
    await credentials('revoke', '--access-key-id', created.accessKeyId);
    const revoked = endpoint.client(created).send(new PollForTaskCommand({ workerGroup: 'wg-cli-a' }));

    // Assess
    expect(granted.taskObject).toBeUndefined();
    expect(listed).toContainEqual(
      expect.objectContaining({ accessKeyId: created.accessKeyId, workerGroups: ['wg-cli-a', 'wg-cli-b'] }),
    );
    expect(JSON.stringify(listed)).not.toContain(created.secretAccessKey);
    await expect(revoked).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  async function aRunnerProcess(workerGroup: string) {
    const credential = await endpoint.issueCredential([workerGroup]);
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin', 'extract-runner.js'),
        ...['--endpoint', endpoint.endpoint, '--worker-group', workerGroup, '--commands', COMMANDS_FILE],
        ...['--shutdown-grace', '300', '--kill-grace', '1'],
      ],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: credential.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credential.secretAccessKey,
          AWS_REGION: LOCAL_REGION,
          AWS_PROFILE: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited, stdout: () => stdout, stderr: () => stderr };
  }

  /** Starts the runner's long command and returns its pid, as the command itself wrote it. */
  async function aRunningCommand(workerGroup: string) {
    const runner = await aRunnerProcess(workerGroup);
    const queued = await endpoint.enqueue({ workerGroup, command: 'run-until-stopped' });
    const pid = await waitFor(
      'the command to start',
      () => (existsSync(PID_FILE) ? Number(readFileSync(PID_FILE, 'utf8')) || undefined : undefined),
      LOCAL_STACK_BOUND_MS,
    );
    return { ...runner, queued, pid };
  }

  it('extract-runner runs from the bin wrapper, finishes a task and exits 0 on SIGTERM', async () => {
    // Prepare
    const { child, exited, stdout } = await aRunnerProcess('wg-cli-runner');
    const queued = await endpoint.enqueue({ workerGroup: 'wg-cli-runner', command: 'say-hello' });

    // Act
    await waitFor(
      'the task to finish',
      async () => (await endpoint.task(queued.taskId))?.status === 'FINISHED',
      LOCAL_STACK_BOUND_MS,
    );
    child.kill('SIGTERM');

    // Assess
    expect(await exited).toBe(0);
    expect(stdout()).toContain('hello from orders');
  });

  describe('no command outlives its runner', () => {
    let pid: number | undefined;
    afterEach(() => {
      if (pid !== undefined && isRunning(pid)) process.kill(pid, 'SIGKILL');
      pid = undefined;
      writeFileSync(PID_FILE, '');
    });

    it('a SIGKILLed runner takes its command with it', async () => {
      // Prepare
      const running = await aRunningCommand('wg-cli-sigkill');
      pid = running.pid;

      // Act
      running.child.kill('SIGKILL');
      await running.exited;

      // Assess
      await waitFor(
        'the command to end with its runner',
        () => !isRunning(running.pid) || undefined,
        LOCAL_STACK_BOUND_MS,
      );
    });

    it('a second SIGTERM stops the running command at once and reports it FAILED', async () => {
      // Prepare
      const running = await aRunningCommand('wg-cli-sigterm');
      pid = running.pid;

      // Act
      running.child.kill('SIGTERM');
      await waitFor(
        'the runner to start draining',
        () => running.stderr().includes('Stopping: no new tasks'),
        LOCAL_STACK_BOUND_MS,
      );
      running.child.kill('SIGTERM');

      // Assess
      expect(await running.exited).toBe(0);
      expect(isRunning(running.pid)).toBe(false);
      expect(endpoint.callbacks.outcomes(running.queued.taskToken)).toMatchObject([
        { kind: 'failure', error: 'RunnerShutdown' },
      ]);
    });
  });

  it('refuses a plain-http endpoint that is not loopback, with one line naming it', async () => {
    // Prepare
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));

    // Act
    const code = await runnerCli(
      [
        ...['--endpoint', 'http://runner-endpoint.example.com', '--worker-group', 'g'],
        ...['--commands', COMMANDS_FILE],
      ],
      { stdout, stderr },
    );

    // Assess
    expect(code).toBe(1);
    expect(text).toBe(
      'extract-runner: --endpoint http://runner-endpoint.example.com: refused, the endpoint must use https:// (plain http:// only to 127.0.0.0/8, ::1 or localhost).\n',
    );
    for (const endpoint of [
      'http://127.0.0.1:8080',
      'http://localhost:1',
      'http://[::1]:2',
      'https://x.example',
    ])
      expect(
        parseRunnerArgs(['--endpoint', endpoint, '--worker-group', 'g', '--allow-shell'])?.endpoint,
      ).toBe(endpoint);
  });

  it('rejects a runner command line without an endpoint, a worker group or the commands it may run', () => {
    const endpoint = ['--endpoint', 'https://x.example'];
    expect(() => parseRunnerArgs(['--worker-group', 'g'])).toThrow(
      /--endpoint and --worker-group are required/,
    );
    expect(() => parseRunnerArgs([...endpoint, '--worker-group', 'g'])).toThrow(/--commands is required/);
    expect(() =>
      parseRunnerArgs([...endpoint, '--worker-group', 'g', '--commands', 'c.yml', '--concurrency', '0']),
    ).toThrow(/--concurrency/);
    expect(
      parseRunnerArgs([...endpoint, '--worker-group', 'g', '--commands', 'c.yml', '--concurrency', '4']),
    ).toMatchObject({ concurrency: 4, workerGroup: 'g', commandsFile: 'c.yml', allowShell: false });
  });
});
