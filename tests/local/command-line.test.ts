// The commands behave alike on the command line: --help and -h print their usage on stdout and exit 0; an
// unknown option exits 2 with the usage line and the closest option on stderr. In-process for each command, and
// once per command as the user runs it (a child process), which also shows the SDK's Node-version warning is off.
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type CommandSpec } from '../../cli/command-line';
import { SERVE_COMMAND, serveCommand } from '../../local/commands/serve';
import { START_COMMAND, startCommand } from '../../local/commands/start';
import { STATUS_COMMAND, statusCommand } from '../../local/commands/status';
import { VALIDATE_COMMAND, validateCommand } from '../../local/commands/validate';
import { PROJECT_ROOT } from '../../local/project-root';
import { deployedStageTable } from '../../local/stack/stage-environment';
import { EXTRACT_RUNNER_COMMAND, main as extractRunner } from '../../runner/cli';
import { main as runnerCredentials, RUNNER_CREDENTIALS_COMMAND } from '../../runner/credentials-cli';
import { runInProcess, type CommandResult } from './helpers/commands';
import { LOCAL_STACK_BOUND_MS, LOCAL_STACK_TEST_TIMEOUT_MS } from '../helpers/wait-for';

jest.setTimeout(LOCAL_STACK_TEST_TIMEOUT_MS);

/** The runner CLIs' mains already turn errors into exit codes, as the bin wrapper calls them. */
async function runRunnerMain(
  main: (args: string[], output: { stdout: PassThrough; stderr: PassThrough }) => Promise<number>,
  args: string[],
): Promise<CommandResult> {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  let [out, err] = ['', ''];
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const code = await main(args, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

const COMMANDS: { spec: CommandSpec; run: (args: string[]) => Promise<CommandResult>; near: string }[] = [
  { spec: START_COMMAND, run: (args) => runInProcess(START_COMMAND, startCommand, args), near: 'config' },
  { spec: SERVE_COMMAND, run: (args) => runInProcess(SERVE_COMMAND, serveCommand, args), near: 'port' },
  { spec: STATUS_COMMAND, run: (args) => runInProcess(STATUS_COMMAND, statusCommand, args), near: 'stage' },
  {
    spec: VALIDATE_COMMAND,
    run: (args) => runInProcess(VALIDATE_COMMAND, validateCommand, args),
    near: 'stage',
  },
  { spec: EXTRACT_RUNNER_COMMAND, run: (args) => runRunnerMain(extractRunner, args), near: 'endpoint' },
  { spec: RUNNER_CREDENTIALS_COMMAND, run: (args) => runRunnerMain(runnerCredentials, args), near: 'stage' },
];

/** A typo of `near`: its last two letters swapped. */
const typo = (name: string) => `--${name.slice(0, -2)}${name.at(-1)}${name.at(-2)}`;

describe.each(COMMANDS.map((command) => [command.spec.name, command] as const))('%s', (_name, command) => {
  it.each(['--help', '-h'])(
    'prints its usage and every option on stdout for %s and exits 0',
    async (flag) => {
      // Act
      const result = await command.run([flag]);

      // Assess
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`^Usage: ${command.spec.synopsis[0]!.split(' ')[0]}`));
      for (const option of Object.keys(command.spec.options)) expect(result.stdout).toContain(`--${option}`);
    },
  );

  it('refuses an unknown option with the usage line and the closest option, exit 2', async () => {
    // Act
    const result = await command.run([typo(command.near), 'x']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `${command.spec.name}: unknown option ${typo(command.near)} (did you mean --${command.near}?)\n`,
    );
    expect(result.stderr).toContain(`Usage: ${command.spec.synopsis[0]}\n`);
  });
});

function runAsUser(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  const tsx = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
  const [program, programArgs] = file.endsWith('.js')
    ? [process.execPath, [join(PROJECT_ROOT, file), ...args]]
    : [tsx, [join(PROJECT_ROOT, file), ...args]];
  return new Promise((resolve) => {
    execFile(
      program,
      programArgs,
      { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, timeout: LOCAL_STACK_BOUND_MS },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('the commands as a user runs them', () => {
  it.concurrent.each([
    ['npm start', 'local/commands/start.ts'],
    ['npm run serve', 'local/commands/serve.ts'],
    ['npm run status', 'local/commands/status.ts'],
    ['runner-credentials', 'bin/runner-credentials.js'],
  ])('%s -h prints its usage and exits 0', async (_name, file) => {
    // Act
    const result = await runAsUser(file, ['-h']);

    // Assess
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: /);
  });

  it.concurrent(
    'extract-runner without credentials exits 1 with one line naming the variables, and no SDK warning',
    async () => {
      // Act
      const result = await runAsUser(
        'bin/extract-runner.js',
        [
          '--endpoint',
          'http://127.0.0.1:9',
          '--worker-group',
          'nobody',
          '--commands',
          'local/sample/runner-commands.yml',
        ],
        {
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
          AWS_PROFILE: 'extract-pipeline-no-such-profile',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      );

      // Assess
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        'extract-runner: no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) to a key from runner-credentials create\n',
      );
    },
  );
});

describe('--stage for the operator tools', () => {
  it("finds a deployed stage's tables and region without an AWS account or AWS_REGION", () => {
    // Act
    const queue = deployedStageTable('prod', 'taskQueueTable');
    const tracking = deployedStageTable('dev', 'trackingTable');

    // Assess
    expect(queue).toEqual({ tableName: 'extract-pipeline-prod-task-queue', region: 'eu-west-1' });
    expect(tracking).toEqual({ tableName: 'extract-pipeline-dev-tracking', region: 'eu-west-1' });
  });

  it('runner-credentials refuses --stage together with --table, and no table at all', async () => {
    // Prepare
    delete process.env.TASK_QUEUE_TABLE;

    // Act
    const both = await runRunnerMain(runnerCredentials, ['list', '--stage', 'prod', '--table', 't']);
    const neither = await runRunnerMain(runnerCredentials, ['list']);

    // Assess
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^runner-credentials: --stage and --table: give one or the other\n/);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/^runner-credentials: no table: pass --stage or --table/);
  });
});

describe('a command whose output outlasts the pipe', () => {
  it('exits only after its whole output was taken, even by a slow reader', async () => {
    // Prepare: the reader takes nothing for the first half second, so the pipe is full when main returns
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'helpers', 'large-output-command.ts')],
      {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), 500);

    // Act
    let received = 0;
    child.stdout.on('data', (chunk: Buffer) => (received += chunk.length));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    // Assess
    expect(code).toBe(0);
    expect(received).toBe(4_000_000);
  });
});
