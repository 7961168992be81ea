// given/when helpers for the local commands: as a child process, as a user runs it, for the real exit code, stdout
// and stderr end to end; or in-process, the same main with the same exit code and output, for the many cases that
// need no process of their own. The child is `node --import tsx local/commands/start.ts …`: what `npm start`'s tsx
// command runs in a child of its own, without that second process in front (0.1-0.2 s less CPU per command);
// tests/local/command-line.test.ts runs the tsx command itself.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { exitCodeOf, type CommandMain, type CommandSpec } from '../../../cli/command-line';
import { START_COMMAND, startCommand } from '../../../local/commands/start';
import { PROJECT_ROOT } from '../../../local/project-root';
import type { LocalEndpoints } from '../../../local/stack/endpoints-file';
import { LOCAL_STACK_BOUND_MS, waitFor } from '../../helpers/wait-for';

const COMMANDS = join(PROJECT_ROOT, 'local', 'commands');
const NODE_WITH_TSX = ['--import', 'tsx'];

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runLocalScript(
  script: string,
  args: string[],
  timeoutMs = LOCAL_STACK_BOUND_MS,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...NODE_WITH_TSX, join(COMMANDS, script), ...args],
      { cwd: PROJECT_ROOT, timeout: timeoutMs, env: { ...process.env, DEBUG: '' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `npm start -- --json …`, never handed to a serve instance a developer may have running. */
export function start(args: string[] = []): Promise<CommandResult> {
  return runLocalScript('start.ts', ['--json', '--standalone', ...args]);
}

/** A command's main in this process, its output collected instead of written to the terminal. */
export async function runInProcess(
  spec: CommandSpec,
  main: CommandMain,
  args: string[],
): Promise<CommandResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = (stream: PassThrough) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    return () => Buffer.concat(chunks).toString('utf8');
  };
  const [out, err] = [text(stdout), text(stderr)];
  const code = await exitCodeOf(spec, main, args, { stdout, stderr });
  return { code, stdout: out(), stderr: err() };
}

/** `start` in-process: for input that is refused before a stack starts. */
export function startInProcess(args: string[]): Promise<CommandResult> {
  return runInProcess(START_COMMAND, startCommand, ['--json', '--standalone', ...args]);
}

export function spawnLocalScript(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, [...NODE_WITH_TSX, join(COMMANDS, script), ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * `npm run serve` on `dataDir` and free ports, as a child process; `ready` gives its endpoints once serve says it
 * wrote them (it does so once everything answers), and fails at once, with serve's output, if serve exits first.
 * Waiting for serve's own line rather than polling the file: a file left by a killed instance is not a ready one.
 */
export function spawnServe(dataDir: string): { child: ChildProcess; ready: Promise<LocalEndpoints> } {
  // A short long-poll window keeps every poll in these tests bounded.
  const child = spawnLocalScript('serve.ts', ['--port', '0', '--data-dir', dataDir, '--poll-window', '2']);
  // Read for as long as serve runs: a pipe nobody drains stops a chatty child once it is full.
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const ready = new Promise<LocalEndpoints>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onOutput);
      child.off('exit', onExit);
    };
    const onOutput = () => {
      if (!output.includes('Endpoints written to ')) return;
      done();
      resolve(JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as LocalEndpoints);
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new Error(`serve exited (${code ?? signal}) before it was ready:\n${output}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`serve not ready after ${LOCAL_STACK_BOUND_MS / 1000} s:\n${output}`));
    }, LOCAL_STACK_BOUND_MS);
    child.stdout?.on('data', onOutput);
    child.once('exit', onExit);
  });
  return { child, ready };
}

/**
 * Stops a serve instance as Ctrl-C does and waits until it has shut down (records flushed, data folder unlocked,
 * endpoints file removed). The child is serve's own process (no tsx process in front of it to relay the signal).
 */
export async function stopServe(child: ChildProcess, dataDir: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const path = join(dataDir, 'endpoints.json');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  await waitFor('serve to remove its endpoints file', () => !existsSync(path), LOCAL_STACK_BOUND_MS);
}

export interface SummaryJson {
  runId: string;
  status: string;
  error?: string;
  cause?: string;
  tables: {
    table: string;
    jobType: string;
    status: string;
    attempts: number;
    retries?: number;
    error?: string;
    cause?: string;
    watermark?: string;
  }[];
}

export function tableOf(summary: SummaryJson, table: string) {
  const found = summary.tables.find((t) => t.table === table);
  if (!found) throw new Error(`no ${table} in ${JSON.stringify(summary)}`);
  return found;
}
