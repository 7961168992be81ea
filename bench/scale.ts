// Scale figures (issue 12), `npx tsx bench/scale.ts [--quick]`: wall time and peak memory of `npm start` runs of
// 1,000, 10,000 and 100,000 tables, and of the config manager and Complete Extract Run handlers at 100,000 tables
// against the local stack's S3 and DynamoDB, each in a process of its own so that its peak RSS is its own.
// The local emulators answer faster than S3 and DynamoDB do, and do not throttle; so the handler times are a
// bound on the handlers' own work, and DynamoDB's partition throughput is added to them as a computed floor (see
// docs/limits.md). `--local 1000,10000` runs only those local runs, `--handlers` only the handlers,
// `--handler-tables N` measures the handlers at N tables. Each figure carries the machine's load average when it was taken: on a shared machine the wall
// times follow it. --quick: the 1,000-table run only.
import '../local/polyfills';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_YAML_BYTES } from '../functions/lib/config/parse-config-document';
import { runTables } from '../functions/lib/runs/run-tables';
import { tableHistoryIndexKey, tableKey } from '../functions/lib/tracking/tracking-records';
import { readRunRecord, type TrackingStore } from '../functions/lib/tracking/tracking-store';
import { PROJECT_ROOT } from '../local/project-root';
import { uploadConfig } from '../local/runtime/run-locally';
import { startLocalStack } from '../local/stack/local-stack';
import type { HandlerFigures } from './invoke-handler';
import type { ProcessUsage } from './report-process-usage';
import { printSection, type BenchOptions, type BenchSection, type Figures } from './figures';
import { functionSizes } from './prices';

const COMMAND = 'npx tsx bench/scale.ts';
/** `--handler-tables N` measures the handlers at another size (the figure names say which). */
function handlerTables(): number {
  const index = process.argv.indexOf('--handler-tables');
  return index > 0 ? Number(process.argv[index + 1]) : 100_000;
}
/** DynamoDB's documented write limit of one partition ("Understanding DynamoDB warm throughput"). */
const PARTITION_WCU_PER_SECOND = 1_000;
const LAMBDA_TIMEOUT_S = 300;

const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));
const seconds = (ms: number) => Math.round(ms / 100) / 10;
/** The 1-minute load average (of this machine's cores), said next to every figure. */
const load = () => `load ${loadavg()[0]!.toFixed(1)}`;

const tableName = (i: number, schema = 'bench') => `${schema}.table_${String(i).padStart(6, '0')}`;

/** An extract config of `tables` Glue tables, generated as JSON (the config manager reads JSON with JSON.parse). */
export function scaleConfig(tables: number, schema?: string): string {
  const entries = Array.from({ length: tables }, (_, i) => ({
    name: tableName(i, schema),
    job_type: 'glue',
  }));
  return JSON.stringify({ version: 1, tables: entries }, null, 1);
}

/**
 * The same config written as YAML, under other table names: the JSON run still holds its tables' leases (it is
 * never completed), and a run of the same names would measure TableAlreadyRunning refusals instead.
 */
export function scaleConfigYaml(tables: number): string {
  const lines = ['version: 1', 'tables:'];
  for (let i = 0; i < tables; i++) lines.push(`  - { name: ${tableName(i, 'bench_yaml')}, job_type: glue }`);
  return `${lines.join('\n')}\n`;
}

/** The most tables a YAML config of scaleConfigYaml's shape lists within MAX_YAML_BYTES (more is refused). */
export function yamlTableCount(tables: number): number {
  const header = Buffer.byteLength(scaleConfigYaml(0));
  const perTable = Buffer.byteLength(scaleConfigYaml(1)) - header;
  return Math.min(tables, Math.floor((MAX_YAML_BYTES - header) / perTable));
}

/** Every job succeeds at once: the figures are the pipeline's own cost, not the jobs'. */
const SCALE_MOCK = 'default:\n  seconds: 0\n';

interface Measured<T> {
  wallMs: number;
  peakRssBytes: number;
  /** User + system CPU time of the process: on a shared machine, steadier than the wall time. */
  cpuMs: number;
  /** The load average before and after. */
  load: string;
  result: T;
}

/** Runs a TypeScript entry point in a fresh Node process and reads its peak RSS and CPU time (report-process-usage.ts). */
async function measureProcess(
  dir: string,
  script: string,
  args: string[],
  nodeOptions: string[] = [],
): Promise<Measured<{ code: number | null; stdout: string; stderr: string }>> {
  const id = process.hrtime.bigint();
  const usageFile = join(dir, `usage-${id}.json`);
  // stdout to a file, not a pipe: a command's exit does not wait for a pipe to drain, and a summary of
  // 10,000 tables is several hundred kilobytes (a file is written synchronously).
  const stdoutFile = join(dir, `stdout-${id}`);
  const stdoutFd = openSync(stdoutFile, 'w');
  const loadBefore = load();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...nodeOptions, '--import', 'tsx', '--import', './bench/report-process-usage.ts', script, ...args],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, BENCH_USAGE_FILE: usageFile },
      stdio: ['ignore', stdoutFd, 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - started;
  closeSync(stdoutFd);
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as ProcessUsage;
  return {
    wallMs,
    ...usage,
    load: `${loadBefore} before, ${load()} after`,
    result: { code, stdout: readFileSync(stdoutFile, 'utf8'), stderr },
  };
}

async function localRun(dir: string, tables: number) {
  const config = join(dir, `config-${tables}.json`);
  const mock = join(dir, 'mock.yml');
  writeFileSync(config, scaleConfig(tables));
  writeFileSync(mock, SCALE_MOCK);
  const args = ['--standalone', '--config', config, '--mock', mock, '--max-tables', String(tables), '--json'];
  const measured = await measureProcess(dir, 'local/commands/start.ts', args);
  const { code, stdout, stderr } = measured.result;
  const counts = (JSON.parse(stdout || '{}') as { counts?: { succeeded?: number } }).counts;
  if (code !== 0 || counts?.succeeded !== tables)
    throw new Error(`npm start of ${tables} tables: exit ${code}, ${stderr.slice(-2000)}`);
  return { ...measured, command: `npm start -- ${args.join(' ')}` };
}

/**
 * One handler invocation in its own process, its V8 heap capped at the function's memory so that it fails where
 * the function would run out of memory (`outOfMemory`) instead of growing past it on this machine.
 */
async function invokeHandler(dir: string, functionName: string, memoryMb: number, event: unknown) {
  const out = join(dir, `${functionName}-${process.hrtime.bigint()}.json`);
  const measured = await measureProcess(
    dir,
    'bench/invoke-handler.ts',
    [functionName, JSON.stringify(event), out],
    [`--max-old-space-size=${memoryMb}`],
  );
  const { code, stderr } = measured.result;
  if (code !== 0 && /heap out of memory/i.test(stderr)) return { ...measured, outOfMemory: true as const };
  if (code !== 0) throw new Error(`${functionName}: exit ${code}: ${stderr.slice(-2000)}`);
  const figures = JSON.parse(readFileSync(out, 'utf8')) as HandlerFigures;
  if (figures.error) throw new Error(`${functionName}: ${figures.error.name}: ${figures.error.message}`);
  return { ...measured, figures, outOfMemory: false as const };
}

type HandlerRun = Awaited<ReturnType<typeof invokeHandler>>;

/**
 * Gives the tables of the run's table list an outcome, as the Map would have (setup, not measured), all but one in
 * `leaveOneIn` of them (0: every table).
 */
async function recordOutcomes(store: TrackingStore, s3: S3Client, runId: string, leaveOneIn = 0) {
  const run = (await readRunRecord(store, runId))!;
  const endedAt = new Date().toISOString();
  const records = [];
  let index = 0;
  for await (const entry of runTables(s3, run)!) {
    if (leaveOneIn > 0 && index++ % leaveOneIn === 0) continue;
    records.push({
      ...tableKey(runId, entry.table),
      ...tableHistoryIndexKey(entry.table, run.started_at, runId),
      entity: 'table',
      run_id: runId,
      ...entry,
      status: 'SUCCEEDED',
      run_started_at: run.started_at,
      attempts: 1,
      ended_at: endedAt,
    });
  }
  const batches: (typeof records)[] = [];
  for (let i = 0; i < records.length; i += 25) batches.push(records.slice(i, i + 25));
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let batch = batches.pop(); batch; batch = batches.pop()) {
        let requests = batch.map((Item) => ({ PutRequest: { Item } }));
        while (requests.length > 0) {
          const response = await store.db.send(
            new BatchWriteCommand({ RequestItems: { [store.tableName]: requests } }),
          );
          requests = (response.UnprocessedItems?.[store.tableName] ?? []) as typeof requests;
        }
      }
    }),
  );
}

function callCounts(calls: Record<string, number>): string {
  return Object.entries(calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name} ${count.toLocaleString('en')}`)
    .join(', ');
}

async function handlerFigures(dir: string, lines: string[], figures: Figures): Promise<void> {
  const tables = handlerTables();
  const count = tables.toLocaleString('en');
  const stack = await startLocalStack({ stageSettings: { maxTablesPerRun: tables } });
  try {
    const { configBucket, defaultConfigKey } = stack.names;
    const yamlKey = `extract-config/bench-${tables}.yml`;
    await uploadConfig(stack.s3, configBucket, defaultConfigKey, scaleConfig(tables));
    const yamlTables = yamlTableCount(tables);
    await uploadConfig(stack.s3, configBucket, yamlKey, scaleConfigYaml(yamlTables));
    const sizes = functionSizes();
    const configManagerMb = sizes.ConfigManagerLambdaFunction!.memoryMb;
    const completeRunMb = sizes.CompleteRunLambdaFunction!.memoryMb;
    const prepare = (runId: string, configKey?: string) =>
      invokeHandler(dir, 'configManager', configManagerMb, {
        event: { trigger: 'manual', run_id: runId, ...(configKey ? { config_key: configKey } : {}) },
        execution_name: runId,
        execution_start_time: new Date().toISOString(),
      });

    const report = (key: string, label: string, measured: HandlerRun, memoryMb: number) => {
      const command = `${COMMAND} --handlers  (${label})`;
      const name = `scale.${key}`;
      if (measured.outOfMemory) {
        figures[`${name}.wall_s`] = { value: 'out of memory', unit: 's', command, note: measured.load };
        figures[`${name}.peak_rss_mb`] = { value: 'out of memory', unit: 'MB', command, note: measured.load };
        lines.push(
          `${label}: out of memory at ${memoryMb} MB after ${seconds(measured.wallMs)} s (${measured.load})`,
        );
        return;
      }
      const calls = callCounts(measured.figures.calls);
      figures[`${name}.wall_s`] = {
        value: seconds(measured.figures.wallMs),
        unit: 's',
        command,
        note: `in the handler, of a ${LAMBDA_TIMEOUT_S} s timeout; ${calls}; ${measured.load}`,
      };
      figures[`${name}.peak_rss_mb`] = {
        value: mb(measured.peakRssBytes),
        unit: 'MB',
        command,
        note: `of the function's ${memoryMb} MB (heap capped at it); ${measured.load}`,
      };
      lines.push(
        `${label}: ${seconds(measured.figures.wallMs)} s in the handler of ${LAMBDA_TIMEOUT_S} s, ` +
          `peak RSS ${mb(measured.peakRssBytes)} MB of ${memoryMb} MB, process CPU ${seconds(measured.cpuMs)} s; ${calls} (${measured.load})`,
      );
    };

    const runId = `bench-${tables}`;
    const configManager = await prepare(runId);
    report(
      `config_manager_${tables}_tables`,
      `config manager, ${count} tables (JSON config)`,
      configManager,
      configManagerMb,
    );
    if (configManager.outOfMemory) throw new Error('the config manager ran out of memory on the JSON config');
    const yaml = await prepare(`bench-yaml-${tables}`, yamlKey);
    report(
      `config_manager_yaml_${yamlTables}_tables`,
      `config manager, ${yamlTables.toLocaleString('en')} tables (YAML config, the most its ${MAX_YAML_BYTES}-byte limit holds)`,
      yaml,
      configManagerMb,
    );

    await recordOutcomes(stack.store, stack.s3, runId);
    const run = (configManager.figures.output as { run: unknown }).run;
    const completed = await invokeHandler(dir, 'completeRun', completeRunMb, { run });
    report(
      `complete_run_${tables}_tables`,
      `Complete Extract Run, ${count} tables with outcomes`,
      completed,
      completeRunMb,
    );

    // Tables without a record: each is failed by its own conditional write into the run's partition. A run of
    // other tables (the first still holds its leases), a tenth of them left without an outcome.
    const leftoverTables = Math.ceil(tables / 10);
    const leftoverKey = `extract-config/bench-leftovers-${tables}.json`;
    await uploadConfig(stack.s3, configBucket, leftoverKey, scaleConfig(tables, 'bench_left'));
    const leftoverRunId = `bench-leftovers-${tables}`;
    const leftoverRun = await prepare(leftoverRunId, leftoverKey);
    if (leftoverRun.outOfMemory) throw new Error('the config manager ran out of memory on the JSON config');
    await recordOutcomes(stack.store, stack.s3, leftoverRunId, 10);
    const leftovers = await invokeHandler(dir, 'completeRun', completeRunMb, {
      run: (leftoverRun.figures.output as { run: unknown }).run,
    });
    report(
      `complete_run_${tables}_tables_${leftoverTables}_unrecorded`,
      `Complete Extract Run, ${count} tables, ${leftoverTables.toLocaleString('en')} of them without a record`,
      leftovers,
      completeRunMb,
    );

    const floor = Math.ceil(leftoverTables / PARTITION_WCU_PER_SECOND);
    figures[`scale.complete_run_${tables}_tables_${leftoverTables}_unrecorded.partition_floor_s`] = {
      value: floor,
      unit: 's',
      command: COMMAND,
      note: `computed: ${leftoverTables.toLocaleString('en')} leftover records in one partition key at DynamoDB's ${PARTITION_WCU_PER_SECOND.toLocaleString('en')} WCU/s per partition`,
    };
    lines.push(
      `DynamoDB floor (computed, not measured): the config manager writes one run record and ${count} leases (each ` +
        `its own partition key); Complete Extract Run's ${leftoverTables.toLocaleString('en')} leftover records go to ` +
        `one partition key at ${PARTITION_WCU_PER_SECOND.toLocaleString('en')} WCU/s: at least ${floor} s of the ${LAMBDA_TIMEOUT_S} s ` +
        `(${Math.ceil(tables / PARTITION_WCU_PER_SECOND)} s if no table of ${count} got an outcome)`,
    );
  } finally {
    await stack.close();
  }
}

export async function benchScale(
  options: BenchOptions & {
    /** The local runs of these sizes (default 1,000, 10,000 and 100,000; --quick 1,000). */
    localRuns?: number[];
    /** Measure the config manager and Complete Extract Run (not with --quick). */
    handlers?: boolean;
  },
): Promise<BenchSection> {
  const dir = mkdtempSync(join(tmpdir(), 'extract-pipeline-bench-scale-'));
  const figures: Figures = {};
  const lines: string[] = [
    "Generated configs of N Glue tables, every job succeeding at once (the pipeline's cost, not the jobs').",
  ];
  try {
    for (const tables of options.localRuns ?? (options.quick ? [1_000] : [1_000, 10_000, 100_000])) {
      const run = await localRun(dir, tables);
      const key = `scale.local_run_${tables}_tables`;
      const note = run.load;
      figures[`${key}.wall_s`] = { value: seconds(run.wallMs), unit: 's', command: run.command, note };
      figures[`${key}.cpu_s`] = { value: seconds(run.cpuMs), unit: 's', command: run.command, note };
      figures[`${key}.peak_rss_mb`] = { value: mb(run.peakRssBytes), unit: 'MB', command: run.command, note };
      lines.push(
        `${tables.toLocaleString('en')} tables: ${seconds(run.wallMs)} s (CPU ${seconds(run.cpuMs)} s), peak RSS ${mb(run.peakRssBytes)} MB (${run.load})  $ ${run.command}`,
      );
    }
    if (options.handlers ?? !options.quick) await handlerFigures(dir, lines, figures);
    else lines.push(`(the handlers not measured here; run ${COMMAND} --handlers)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    title:
      'Scale: local runs of 1,000 / 10,000 / 100,000 tables; config manager and Complete Extract Run at 100,000',
    command: `${COMMAND}${options.quick ? ' --quick' : ''}`,
    lines,
    figures,
  };
}

/** `--local 1000,10000`: only these local runs; `--handlers`: only the handlers. */
function commandLineOptions() {
  const value = (flag: string) => {
    const index = process.argv.indexOf(flag);
    return index > 0 ? process.argv[index + 1] : undefined;
  };
  const local = value('--local');
  const handlersOnly = process.argv.includes('--handlers');
  return {
    quick: process.argv.includes('--quick'),
    ...(local ? { localRuns: local.split(',').map(Number) } : handlersOnly ? { localRuns: [] } : {}),
    ...(handlersOnly ? { handlers: true } : local ? { handlers: false } : {}),
  };
}

if (require.main === module) {
  benchScale(commandLineOptions()).then(printSection, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
