import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { PollForTaskCommand } from '@aws-sdk/client-data-pipeline';
import { parseRunnerArgs } from '../../runner/cli';
import { main as credentialsCli } from '../../runner/credentials-cli';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/stack/emulators';
import { anEndpoint } from './helpers/given';
import type { Endpoint } from './helpers/given';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(20_000);

const ROOT = join(__dirname, '..', '..');

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

  it('extract-runner runs from the bin wrapper, finishes a task and exits 0 on SIGTERM', async () => {
    // Prepare
    const credential = await endpoint.issueCredential(['wg-cli-runner']);
    const queued = await endpoint.enqueue({
      workerGroup: 'wg-cli-runner',
      command: 'echo "hello from $EXTRACT_TABLE"',
    });
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin', 'extract-runner.js'),
        '--endpoint',
        endpoint.endpoint,
        '--worker-group',
        'wg-cli-runner',
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
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    // Act
    await waitFor(
      'the task to finish',
      async () => (await endpoint.task(queued.taskId))?.status === 'FINISHED',
      15_000,
    );
    child.kill('SIGTERM');

    // Assess
    expect(await exited).toBe(0);
    expect(stdout).toContain('hello from orders');
  });

  it('rejects a runner command line without an endpoint or worker group', () => {
    expect(() => parseRunnerArgs(['--worker-group', 'g'])).toThrow(
      /--endpoint and --worker-group are required/,
    );
    expect(() =>
      parseRunnerArgs(['--endpoint', 'http://x', '--worker-group', 'g', '--concurrency', '0']),
    ).toThrow(/--concurrency/);
    expect(
      parseRunnerArgs(['--endpoint', 'http://x', '--worker-group', 'g', '--concurrency', '4']),
    ).toMatchObject({
      concurrency: 4,
      workerGroup: 'g',
    });
  });
});
