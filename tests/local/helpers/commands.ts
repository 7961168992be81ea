// given/when helpers for the local commands: each one runs as a child process, exactly as a user types it
// (`npx tsx local/commands/start.ts …`), so the tests see the real exit code, stdout and stderr.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../local/project-root';

const COMMANDS = join(PROJECT_ROOT, 'local', 'commands');
const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runLocalScript(script: string, args: string[], timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      [join(COMMANDS, script), ...args],
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

export function spawnLocalScript(script: string, args: string[]): ChildProcess {
  return spawn(TSX, [join(COMMANDS, script), ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  }[];
}

export function tableOf(summary: SummaryJson, table: string) {
  const found = summary.tables.find((t) => t.table === table);
  if (!found) throw new Error(`no ${table} in ${JSON.stringify(summary)}`);
  return found;
}
