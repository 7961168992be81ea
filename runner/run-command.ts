// Runs one task's shell command. The command gets its own process group so that stopping it (cancel, shutdown)
// also stops whatever it started; only the last few KB of stderr are kept, which is what the failure report needs.
import { spawn } from 'node:child_process';

export const STDERR_TAIL_BYTES = 4096;

export interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

export interface RunningCommand {
  result: Promise<CommandResult>;
  /** SIGTERM to the whole process group, SIGKILL if it is still there after `killAfterMs`. */
  stop(killAfterMs?: number): void;
}

export interface CommandOptions {
  env: Record<string, string>;
  /** Where the command's stdout goes; the runner's own stdout by default. */
  stdout?: NodeJS.WritableStream;
}

export function runCommand(command: string, options: CommandOptions): RunningCommand {
  const child = spawn('bash', ['-c', command], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let tail = Buffer.alloc(0);
  child.stdout.on('data', (chunk: Buffer) => (options.stdout ?? process.stdout).write(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    tail = Buffer.concat([tail, chunk]);
    if (tail.length > STDERR_TAIL_BYTES) tail = tail.subarray(tail.length - STDERR_TAIL_BYTES);
  });
  const result = new Promise<CommandResult>((resolve) => {
    child.once('error', (error) =>
      resolve({ exitCode: 127, signal: null, stderrTail: `${tail.toString('utf8')}${error.message}` }),
    );
    child.once('close', (exitCode, signal) =>
      resolve({ exitCode, signal, stderrTail: tail.toString('utf8') }),
    );
  });
  let exited = false;
  void result.then(() => (exited = true));
  const signalGroup = (signal: NodeJS.Signals) => {
    if (exited || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  return {
    result,
    stop: (killAfterMs = 5_000) => {
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), killAfterMs).unref();
    },
  };
}
