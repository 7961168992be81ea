// extract-runner on a configuration no retry can mend (a wrong secret, a worker group its key is not granted)
// stops at start with one line and exit 1, instead of polling with it forever.
import { PassThrough } from 'node:stream';
import { main as extractRunner } from '../../runner/cli';
import { LOCAL_REGION } from '../../local/stack/emulators';
import { anEndpoint, type Endpoint } from './helpers/given';

jest.setTimeout(20_000);

describe('extract-runner with a configuration error', () => {
  let endpoint: Endpoint;
  const saved = { ...process.env };

  beforeAll(async () => {
    endpoint = await anEndpoint();
  });
  afterAll(() => endpoint.close());
  afterEach(() => {
    process.env = { ...saved };
  });

  async function runWith(key: { accessKeyId: string; secretAccessKey: string }, workerGroup: string) {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: key.accessKeyId,
      AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
      AWS_REGION: LOCAL_REGION,
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    const [stdout, stderr] = [new PassThrough(), new PassThrough()];
    let err = '';
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const args = ['--endpoint', endpoint.endpoint, '--worker-group', workerGroup];
    const code = await extractRunner([...args, '--commands', 'local/sample/runner-commands.yml'], {
      stdout,
      stderr,
    });
    return { code, stderr: err };
  }

  it('exits 1 naming the refusal when the secret is wrong', async () => {
    // Prepare
    const key = await endpoint.issueCredential(['wg-config-a']);

    // Act
    const result = await runWith({ ...key, secretAccessKey: `${key.secretAccessKey}x` }, 'wg-config-a');

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `extract-runner: ${endpoint.endpoint} refused this runner: The request signature is not valid.\n`,
    );
  });

  it('exits 1 naming the worker group its key is not granted', async () => {
    // Prepare
    const key = await endpoint.issueCredential(['wg-config-a']);

    // Act
    const result = await runWith(key, 'wg-config-b');

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `extract-runner: ${endpoint.endpoint} refused this runner: Access key ${key.accessKeyId} is not granted the worker group 'wg-config-b'.\n`,
    );
  });
});
