// Runs one task's command: a program and its argument list, never a shell string (unless the operator allowed
// shell commands, which then run as `bash -c` explicitly). The command starts under runner/command-guard.js, which
// leads a process group of its own: stopping the command (cancel, lost lease, shutdown) signals the whole group, so
// whatever the command started stops too, and the guard takes the group down if the runner dies without a word.
// Only the last few KB of stderr are kept, which is what the failure report needs.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const STDERR_TAIL_BYTES = 4096;
export const COMMAND_GUARD = join(__dirname, 'command-guard.js');
/** How long a stopped command has between SIGTERM and SIGKILL, unless the caller says otherwise. */
export const DEFAULT_KILL_GRACE_MS = 10_000;

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

export interface CommandSpec {
  /** A path or a name looked up on the command's own PATH. */
  file: string;
  args: string[];
}

export interface CommandOptions {
  /** The command's whole environment: nothing of the runner's is added. */
  env: Record<string, string>;
  /** Where the command's stdout goes; the runner's own stdout by default. */
  stdout?: NodeJS.WritableStream;
  /** How long the guard waits between SIGTERM and SIGKILL when the runner disappears. */
  killGraceMs?: number;
}

export function runCommand(command: CommandSpec, options: CommandOptions): RunningCommand {
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const child = spawn(process.execPath, [COMMAND_GUARD, String(killGraceMs), command.file, ...command.args], {
    env: options.env,
    // stdin is the guard's lifeline: the runner never writes to it, and its end means the runner is gone.
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let tail = Buffer.alloc(0);
  child.stdout.on('data', (chunk: Buffer) => (options.stdout ?? process.stdout).write(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    tail = Buffer.concat([tail, chunk]);
    if (tail.length > STDERR_TAIL_BYTES) tail = tail.subarray(tail.length - STDERR_TAIL_BYTES);
  });
  // A guard that is already gone must not take the runner down with an EPIPE on its lifeline.
  child.stdin.on('error', () => undefined);
  const result = new Promise<CommandResult>((resolve) => {
    child.once('error', (error) =>
      resolve({ exitCode: 127, signal: null, stderrTail: `${tail.toString('utf8')}${error.message}` }),
    );
    child.once('close', (exitCode, signal) => {
      child.stdin.destroy();
      resolve({ exitCode, signal, stderrTail: tail.toString('utf8') });
    });
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
    stop: (killAfterMs = killGraceMs) => {
      signalGroup('SIGTERM');
      setTimeout(() => signalGroup('SIGKILL'), killAfterMs).unref();
    },
  };
}
