// The bundled runner CLI (`bin/extract-runner.js`), one child process per worker group, polling the local
// task-runner endpoint with the local runner key in its environment — exactly how a self-hosted runner is started
// next to a deployed stage, so `npm start` really runs its runner tables' commands.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { LOCAL_REGION } from './emulators';
import { PROJECT_ROOT } from '../project-root';
import type { Credentials } from './endpoints-file';

export const RUNNER_CLI = join(PROJECT_ROOT, 'bin', 'extract-runner.js');
/** The commands the local runners may run: the sample runner table's `write-sample-csv`. */
export const LOCAL_RUNNER_COMMANDS = join(PROJECT_ROOT, 'local', 'sample', 'runner-commands.yml');
/** After SIGTERM a runner lets its tasks finish; at the end of a run there are none, so this is only a backstop. */
const STOP_TIMEOUT_MS = 10_000;
const STDERR_TAIL_CHARS = 2_000;

export interface LocalRunners {
  /** SIGTERM to every runner, then waits for them to exit. */
  stop(): Promise<void>;
}

export function startLocalRunners(options: {
  endpoint: string;
  credentials: Credentials;
  workerGroups: string[];
  /** The runners' logs and their commands' output on stderr (stdout belongs to the summary). */
  verbose: boolean;
  log: (line: string) => void;
}): LocalRunners {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
    AWS_REGION: LOCAL_REGION,
  };
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_PROFILE;
  let stopping = false;
  const children: ChildProcess[] = options.workerGroups.map((workerGroup) => {
    const child = spawn(
      process.execPath,
      [
        RUNNER_CLI,
        ...['--endpoint', options.endpoint, '--worker-group', workerGroup, '--hostname', 'npm-start'],
        ...['--commands', LOCAL_RUNNER_COMMANDS],
      ],
      {
        cwd: PROJECT_ROOT,
        env,
        stdio: ['ignore', options.verbose ? 2 : 'ignore', options.verbose ? 2 : 'pipe'],
      },
    );
    let tail = '';
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (tail = `${tail}${chunk.toString('utf8')}`.slice(-STDERR_TAIL_CHARS)),
    );
    child.once('exit', (code, signal) => {
      // A runner that dies on its own leaves its tables waiting: say so, with what it printed last.
      if (!stopping)
        options.log(
          `Runner for worker group ${workerGroup} exited (${signal ?? `code ${code}`})${tail ? `:\n${tail.trim()}` : ''}`,
        );
    });
    return child;
  });
  return {
    async stop() {
      stopping = true;
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
              child.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
