// What a run costs in the units AWS bills (`npx tsx bench/pipeline-costs.ts [--quick]`): state transitions as
// Standard workflows bill them (every state entered, retries included, plus one per child execution a
// Distributed Map starts) and Lambda invocations, per table on each job-type path and per run, and what a run
// of 1,000 tables costs in orchestration. Measured by running the real definition locally with 1 and with N
// tables and taking the difference, so that the per-run part is separate. Glue, EMR, ECS, DynamoDB and S3
// charges are not included: they depend on the jobs, not on the orchestration.
import '../local/polyfills';
import { PassThrough } from 'node:stream';
import { DataPipelineClient } from '@aws-sdk/client-data-pipeline';
import type { LambdaHandler } from '../local/runtime/lambda-functions';
import { runLocally, uploadConfig } from '../local/runtime/run-locally';
import { LocalTaskTokens } from '../local/runtime/task-token-bridge';
import { LOCAL_REGION } from '../local/stack/emulators';
import { startLocalStack, type LocalStack } from '../local/stack/local-stack';
import {
  LOCAL_WORKER_GROUP,
  startLocalTaskRunner,
  type LocalTaskRunner,
} from '../local/stack/task-runner-endpoint';
import { parseCommandsFile } from '../runner/commands-file';
import { DEFAULT_RUNNER_OPTIONS, ExtractRunner } from '../runner/extract-runner';
import { printSection, type BenchOptions, type BenchSection, type Figures } from './figures';
import { functionSizes, PRICE_ASSUMPTION, PRICES, type FunctionSize } from './prices';

const COMMAND = 'npx tsx bench/pipeline-costs.ts';
const TASK_RUNNER_API = 'TaskRunnerApiLambdaFunction';

/** The bench runner's one approved command: a runner table that names anything else fails (and is retried). */
const RUNNER_COMMAND = 'bench-noop';
const RUNNER_COMMANDS = parseCommandsFile(
  `commands:\n  ${RUNNER_COMMAND}:\n    argv: ['true']\n`,
  'bench/pipeline-costs.ts',
);

/** One table entry of each job-type path; `invalid` is a job type no service runs (recorded FAILED). */
const PATHS: Record<string, (name: string) => string> = {
  glue: (name) => `{ name: ${name}, job_type: glue }`,
  emr: (name) => `{ name: ${name}, job_type: emr }`,
  ecs: (name) => `{ name: ${name}, job_type: ecs }`,
  runner: (name) =>
    `{ name: ${name}, job_type: runner, worker_group: ${LOCAL_WORKER_GROUP}, command: ${RUNNER_COMMAND} }`,
  invalid: (name) => `{ name: ${name}, job_type: not-a-job-type }`,
};

interface Counts {
  /** States entered, plus one per child execution started: what a Standard workflow bills. */
  transitions: number;
  /** Child executions the Distributed Map started (in `transitions` already). */
  childStarts: number;
  /** Lambda requests: the state machine's functions and, for runner tables, the task-runner endpoint. */
  invocations: number;
  /** Lambda request and duration charges, at each function's configured memory and architecture. */
  lambdaUsd: number;
}

const zero = (): Counts => ({ transitions: 0, childStarts: 0, invocations: 0, lambdaUsd: 0 });

function lambdaUsd(size: FunctionSize, durationMs: number): number {
  // Lambda bills duration rounded up to the millisecond.
  const gbSeconds = (Math.ceil(durationMs) / 1000) * (size.memoryMb / 1024);
  return PRICES.lambdaRequestUsd + gbSeconds * PRICES.lambdaGbSecondUsd[size.architecture];
}

/**
 * A runner like the bundled CLI's, whose client counts the endpoint requests a table causes: the poll that
 * hands the task over, the acknowledgement (ReportTaskProgress) and SetTaskStatus. Polls that come back empty
 * are an idle runner's cost, per runner and hour rather than per table, so they are not counted.
 */
async function countingRunner(
  endpoint: LocalTaskRunner,
  sizes: Record<string, FunctionSize>,
  record: (counted: Partial<Counts>) => void,
) {
  const { accessKeyId, secretAccessKey } = endpoint.credentials;
  const client = new DataPipelineClient({
    endpoint: endpoint.endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId, secretAccessKey },
  });
  const endpointSize = sizes[TASK_RUNNER_API]!;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const start = performance.now();
      const result = await next(args);
      const output = result.output as { taskObject?: unknown };
      if (context.commandName === 'PollForTaskCommand') {
        // A long poll's waiting is idle time; the request is what one table adds.
        if (output.taskObject) record({ invocations: 1, lambdaUsd: lambdaUsd(endpointSize, 0) });
      } else if (context.commandName !== 'ReportTaskRunnerHeartbeatCommand') {
        record({ invocations: 1, lambdaUsd: lambdaUsd(endpointSize, performance.now() - start) });
      }
      return result;
    },
    { step: 'initialize', name: 'benchCountEndpointRequests' },
  );
  const runner = new ExtractRunner(client, {
    ...DEFAULT_RUNNER_OPTIONS,
    concurrency: 8,
    workerGroup: LOCAL_WORKER_GROUP,
    commands: RUNNER_COMMANDS,
    hostname: 'bench',
    taskrunnerId: 'bench-runner',
    logger: { info: () => undefined, warn: () => undefined },
    stdout: new PassThrough(),
  });
  const running = runner.run();
  return async () => {
    runner.stop();
    await running;
    client.destroy();
  };
}

interface LocalBench {
  stack: LocalStack;
  endpoint: LocalTaskRunner;
  taskTokens: LocalTaskTokens;
}

function add(a: Counts, b: Partial<Counts>): Counts {
  return {
    transitions: a.transitions + (b.transitions ?? 0),
    childStarts: a.childStarts + (b.childStarts ?? 0),
    invocations: a.invocations + (b.invocations ?? 0),
    lambdaUsd: a.lambdaUsd + (b.lambdaUsd ?? 0),
  };
}

/** A config of `tables` tables on each of `paths`. */
function configOf(paths: string[], tables: number): string {
  const entries = paths.flatMap((path) =>
    Array.from({ length: tables }, (_, i) => `  - ${PATHS[path]!(`bench.${path}_${i}`)}`),
  );
  return `tables:\n${entries.join('\n')}\n`;
}

async function measure(
  local: LocalBench,
  sizes: Record<string, FunctionSize>,
  paths: string[],
  tables: number,
): Promise<Counts> {
  const runId = `bench-${paths.join('-')}-${tables}`;
  const config = configOf(paths, tables);
  const key = `extract-config/${runId}.yml`;
  const { stack } = local;
  await uploadConfig(stack.s3, stack.names.configBucket, key, config);

  let counts = zero();
  const record = (counted: Partial<Counts>) => {
    counts = add(counts, counted);
  };
  const real = { ...stack.handlers };
  for (const [id, handler] of Object.entries(real)) {
    const size = sizes[id];
    if (!size) throw new Error(`serverless.yml has no function for ${id}`);
    stack.handlers[id] = (async (event, context) => {
      const start = performance.now();
      try {
        return await handler(event, context);
      } finally {
        record({ invocations: 1, lambdaUsd: lambdaUsd(size, performance.now() - start) });
      }
    }) as LambdaHandler;
  }
  const stopRunner = paths.includes('runner')
    ? await countingRunner(local.endpoint, sizes, record)
    : undefined;
  try {
    const { execution: run } = await runLocally(stack, {
      input: { config_key: key, run_id: runId },
      script: {},
      taskTokens: local.taskTokens,
    });
    if (run.status !== 'SUCCEEDED') throw new Error(`bench run ${runId} failed: ${run.error} ${run.cause}`);
    // A table that failed costs what a failure costs (a runner task is retried), not what its path costs.
    const { succeeded } = run.output as { succeeded: number };
    const expected = paths.filter((path) => path !== 'invalid').length * tables;
    if (succeeded !== expected)
      throw new Error(
        `bench run ${runId}: ${succeeded} of ${expected} tables succeeded; the figures would be wrong`,
      );
    const events = run.events as { type: string; execution?: unknown }[];
    // States entered in the execution and in its children.
    const entered = events.filter((e) => e.type === 'StateEntered').length;
    // Each item of both Maps (a quota group, a table) is a child execution, and starting it is a billed
    // transition.
    const childStarts = events.filter((e) => e.type === 'ExecutionStarted' && e.execution).length;
    return add(counts, { transitions: entered + childStarts, childStarts });
  } finally {
    await stopRunner?.();
    Object.assign(stack.handlers, real);
  }
}

function describeSizes(sizes: Record<string, FunctionSize>): string {
  const byMemory = new Map<string, string[]>();
  for (const [id, size] of Object.entries(sizes)) {
    const key = `${size.memoryMb} MB ${size.architecture}`;
    byMemory.set(key, [...(byMemory.get(key) ?? []), id.replace(/LambdaFunction$/, '')]);
  }
  return [...byMemory].map(([key, ids]) => `${key}: ${ids.join(', ')}`).join('; ');
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

export async function benchPipelineCosts(options: BenchOptions): Promise<BenchSection> {
  const tables = options.quick ? 5 : 40;
  const sizes = functionSizes();
  const stack = await startLocalStack();
  // Runner tables: the local task-runner endpoint answers the task tokens the runs wait on.
  const taskTokens = new LocalTaskTokens();
  const endpoint = await startLocalTaskRunner(stack, {
    callbacks: taskTokens,
    // Short polls, so that stopping the bench's runner does not wait out a 90 s long poll.
    pollWindowMs: 1_000,
    pollIntervalMs: 25,
  });
  const local: LocalBench = { stack, endpoint, taskTokens };
  try {
    const figures: Figures = {};
    const figure = (unit: string, value: number) => ({ value, unit, command: COMMAND });
    const lines = [
      `Difference of a 1-table and a ${tables}-table run of the real definition (aws-local-stepfunctions, dynalite, s3rver).`,
      PRICE_ASSUMPTION,
      `Lambda duration: each handler call as timed locally, billed at its configured memory (${describeSizes(sizes)});`,
      'for runner tables the endpoint requests a table causes are added (idle polls are not).',
      '',
      '| path | billed transitions / table (child start included) | Lambda invocations / table | $ per run of 1,000 tables |',
      '| --- | --: | --: | --: |',
    ];
    let perRun: Counts | undefined;
    const perTableTransitions: Record<string, number> = {};
    const perTableInvocations: Record<string, number> = {};
    for (const path of Object.keys(PATHS)) {
      const one = await measure(local, sizes, [path], 1);
      const many = await measure(local, sizes, [path], tables);
      const perTable = (key: keyof Counts) => (many[key] - one[key]) / (tables - 1);
      const run = (key: keyof Counts) => one[key] - perTable(key);
      perRun ??= {
        transitions: run('transitions'),
        childStarts: 0,
        invocations: run('invocations'),
        lambdaUsd: run('lambdaUsd'),
      };
      perTableTransitions[path] = perTable('transitions');
      perTableInvocations[path] = perTable('invocations');
      const usdPer1000 =
        (perTable('transitions') * 1000 + run('transitions')) * PRICES.standardTransitionUsd +
        perTable('lambdaUsd') * 1000 +
        run('lambdaUsd');
      lines.push(
        `| ${path} | ${round(perTable('transitions'))} (${round(perTable('childStarts'))}) | ${round(perTable('invocations'))} | ${usdPer1000.toFixed(3)} |`,
      );
      figures[`cost.${path}.billed_transitions_per_table`] = figure(
        'transitions',
        round(perTable('transitions')),
      );
      figures[`cost.${path}.lambda_invocations_per_table`] = figure(
        'invocations',
        round(perTable('invocations')),
      );
      figures[`cost.${path}.usd_per_1000_tables`] = figure('USD', round(usdPer1000, 4));
    }
    // A run with one table on every path has one quota group per path; what it costs beyond its tables and the
    // one-group run's fixed part is what the further groups add.
    const paths = Object.keys(PATHS);
    const mixed = await measure(local, sizes, paths, 1);
    const mixedTables = paths.reduce((sum, path) => sum + perTableTransitions[path]!, 0);
    const perGroup = (mixed.transitions - mixedTables - perRun!.transitions) / (paths.length - 1);
    const perGroupInvocations =
      (mixed.invocations -
        paths.reduce((sum, path) => sum + perTableInvocations[path]!, 0) -
        perRun!.invocations) /
      (paths.length - 1);
    lines.push(
      '',
      `Per run with one quota group (the config manager, the groups' Map and its child, the group's tables' Map, Complete Extract Run): ${round(perRun!.transitions)} billed transitions, ${round(perRun!.invocations)} Lambda invocations.`,
      `Each further quota group (a job type or runner worker group the run uses; measured on a run with one table on each of the ${paths.length} paths): ${round(perGroup)} billed transitions, ${round(perGroupInvocations)} Lambda invocations, $${(perGroup * PRICES.standardTransitionUsd).toFixed(6)}.`,
    );
    figures['cost.per_run.billed_transitions'] = figure('transitions', round(perRun!.transitions));
    figures['cost.per_run.lambda_invocations'] = figure('invocations', round(perRun!.invocations));
    figures['cost.per_quota_group.billed_transitions'] = figure('transitions', round(perGroup));
    figures['cost.per_quota_group.lambda_invocations'] = figure('invocations', round(perGroupInvocations));
    return { title: 'Orchestration cost per table and per run', command: COMMAND, lines, figures };
  } finally {
    await endpoint.close();
    await stack.close();
  }
}

if (require.main === module) {
  benchPipelineCosts({ quick: process.argv.includes('--quick') }).then(printSection, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
