// `npm run cancel -- --run-id R`: stops a run. Against a deployed stage (--stage S) it finds the run's execution
// (the run record's execution_name on the stage's state machine) and calls StopExecution; the stage's
// stopped-run rule then invokes Cancel Extract Run, which records the unfinished tables CANCELLED, withdraws
// queued runner tasks, tells running runners to stop and closes the run record CANCELLED. The command waits for
// that record (--wait seconds). Locally it asks the serve instance, which aborts the execution and runs the same
// handler. Exit codes: 0 the run is closed CANCELLED; 1 no such run, it already ended, or stopping failed;
// 2 usage; 3 the execution was stopped but the run record was not closed within --wait.
//
//   npm run cancel -- --run-id R [--wait S] [--json] [--stage S | --data-dir dir]
import '../polyfills';
import {
  ExecutionDoesNotExist,
  paginateListStateMachines,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { RunRecord } from '../../functions/lib/tracking/tracking-records';
import {
  CommandError,
  helpText,
  parseCommandLine,
  runMain,
  UsageError,
  type CommandOutput,
  type CommandSpec,
} from '../../cli/command-line';
import { DEFAULT_DATA_DIR } from '../stack/endpoints-file';
import { deployedStateMachineName } from '../stack/stage-environment';
import { cancelRemoteRun } from '../serve/serve-client';
import { openTables, type OpenTables } from '../serve/open-tables';
import { formatSummary, readRunRecord, readRunSummary, summaryJson } from '../summary';

/** How long to wait for the run record to close after StopExecution, by default. */
const DEFAULT_WAIT_SECONDS = 120;
const POLL_INTERVAL_MS = 2000;
/** Exit code when the execution stopped but its run record did not close in time. */
export const NOT_CLOSED_IN_TIME = 3;

export const CANCEL_COMMAND = {
  name: 'npm run cancel',
  synopsis: ['npm run cancel -- --run-id <id> [--wait <s>] [--json] [--stage <stage> | --data-dir <dir>]'],
  options: {
    'run-id': { type: 'string', value: '<id>', description: 'the run to stop' },
    wait: {
      type: 'string',
      value: '<s>',
      description: `with --stage: how long to wait for the run record to close (default ${DEFAULT_WAIT_SECONDS})`,
    },
    json: {
      type: 'boolean',
      default: false,
      description: "print the closed run's summary as one JSON object",
    },
    stage: {
      type: 'string',
      value: '<stage>',
      description:
        'a deployed stage (region from config/<stage>.yml, AWS credentials from the default chain)',
    },
    'data-dir': {
      type: 'string',
      value: '<dir>',
      default: DEFAULT_DATA_DIR,
      description: "serve mode's data folder (default: .local); the serve instance must be running",
    },
  },
  notes: `Exit codes: 0 the run is closed CANCELLED; 1 no such run, it already ended, or it could not be stopped;
2 usage; ${NOT_CLOSED_IN_TIME} the execution was stopped but its run record was not closed within --wait.`,
} satisfies CommandSpec;

/** What a test replaces: the Step Functions client and the pause between reads of the run record. */
export interface CancelDeps {
  sfn?: SFNClient;
  sleep?: (ms: number) => Promise<void>;
}

function assertRunning(run: RunRecord | undefined, runId: string, where: string): asserts run is RunRecord {
  if (!run) throw new CommandError(`--run-id: no run ${runId} in ${where}`);
  if (run.status !== 'RUNNING')
    throw new CommandError(
      `run ${runId} already ended ${run.status}${run.ended_at ? ` at ${run.ended_at}` : ''}: nothing to stop`,
    );
}

async function stateMachineArn(sfn: SFNClient, name: string, stage: string): Promise<string> {
  for await (const page of paginateListStateMachines({ client: sfn }, {}))
    for (const machine of page.stateMachines ?? [])
      if (machine.name === name) return machine.stateMachineArn!;
  throw new CommandError(`stage ${stage}: no state machine ${name} in this account and region (deployed?)`);
}

async function stopDeployedRun(opened: OpenTables, run: RunRecord, sfn: SFNClient): Promise<void> {
  const stage = opened.stage!;
  const machine = await stateMachineArn(sfn, deployedStateMachineName(stage), stage);
  const executionArn = `${machine.replace(':stateMachine:', ':execution:')}:${run.execution_name}`;
  try {
    await sfn.send(
      new StopExecutionCommand({
        executionArn,
        error: 'RunCancelled',
        cause: `npm run cancel -- --run-id ${run.run_id}`,
      }),
    );
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist)
      throw new CommandError(`run ${run.run_id}: no execution ${executionArn} to stop`);
    throw error;
  }
}

/** Reads the run record until it is closed, or `waitMs` has passed. */
async function waitForClose(
  opened: OpenTables,
  runId: string,
  waitMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<RunRecord | undefined> {
  for (let waited = 0; ; waited += POLL_INTERVAL_MS) {
    const run = await readRunRecord(opened.store, runId);
    if (run && run.status !== 'RUNNING') return run;
    if (waited >= waitMs) return undefined;
    await sleep(POLL_INTERVAL_MS);
  }
}

export async function cancelCommand(
  args: string[],
  output: CommandOutput,
  deps: CancelDeps = {},
): Promise<number> {
  const { values: options } = parseCommandLine(CANCEL_COMMAND, args);
  if (options.help) {
    output.stdout.write(helpText(CANCEL_COMMAND));
    return 0;
  }
  const runId = options['run-id'];
  if (!runId) throw new UsageError('--run-id: which run to stop');
  const waitSeconds = options.wait === undefined ? DEFAULT_WAIT_SECONDS : Number(options.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0)
    throw new UsageError(`--wait: not a number of seconds (${options.wait})`);
  if (options.wait !== undefined && !options.stage)
    throw new UsageError('--wait: only with --stage (serve mode answers once the run is closed)');

  const opened = await openTables({ stage: options.stage, dataDir: options['data-dir']! });
  const sfn =
    deps.sfn ?? (options.stage ? new SFNClient(opened.region ? { region: opened.region } : {}) : undefined);
  try {
    const run = await readRunRecord(opened.store, runId);
    assertRunning(run, runId, opened.where);
    if (options.stage) {
      await stopDeployedRun(opened, run, sfn!);
      output.stderr.write(`Stopped execution ${run.execution_name}; waiting for the run record to close…\n`);
      const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
      const closed = await waitForClose(opened, runId, waitSeconds * 1000, sleep);
      if (!closed) {
        output.stderr.write(
          `${CANCEL_COMMAND.name}: execution ${run.execution_name} was stopped, but run ${runId} is not closed ` +
            `after ${waitSeconds} s: the cancel-run function closes it on the ABORTED event (see its log group)\n`,
        );
        return NOT_CLOSED_IN_TIME;
      }
    } else {
      if (!opened.serve)
        throw new CommandError(
          `run ${runId} is RUNNING but serve mode is not: a run of a stopped serve instance is closed at its ` +
            'next start, and a standalone `npm start` stops with Ctrl-C',
        );
      const stopped = await cancelRemoteRun(opened.serve, runId);
      if (!stopped)
        throw new CommandError(`run ${runId} is not running in the serve instance (pid ${opened.serve.pid})`);
    }
    const summary = (await readRunSummary(opened.store, runId))!;
    output.stdout.write(`${options.json ? summaryJson(summary) : formatSummary(summary)}\n`);
    return summary.status === 'CANCELLED' ? 0 : 1;
  } finally {
    sfn?.destroy();
    await opened.close();
  }
}

if (require.main === module) runMain(CANCEL_COMMAND, cancelCommand);
