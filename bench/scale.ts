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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TrackingStore } from '../functions/lib/tracking/tracking-store';
import { listRunTables } from '../functions/lib/tracking/tracking-store';
import { PROJECT_ROOT } from '../local/project-root';
import { uploadConfig } from '../local/runtime/run-locally';
import { startLocalStack } from '../local/stack/local-stack';
import type { HandlerFigures } from './invoke-handler';
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

/** An extract config of `tables` Glue tables, as a generated config would look. */
export function scaleConfig(tables: number): string {
  const lines = ['version: 1', 'tables:'];
  for (let i = 0; i < tables; i++)
    lines.push(`  - { name: bench.table_${String(i).padStart(6, '0')}, job_type: glue }`);
  return `${lines.join('\n')}\n`;
}

/** Every job succeeds at once: the figures are the pipeline's own cost, not the jobs'. */
const SCALE_MOCK = 'default:\n  seconds: 0\n';

interface Measured<T> {
  wallMs: number;
  peakRssBytes: number;
  /** The load average before and after. */
  load: string;
  result: T;
}

/** Runs a TypeScript entry point in a fresh Node process and reads its peak RSS (bench/report-peak-rss.ts). */
async function measureProcess(
  dir: string,
  script: string,
  args: string[],
): Promise<Measured<{ code: number | null; stdout: string; stderr: string }>> {
  const rssFile = join(dir, `peak-rss-${process.hrtime.bigint()}`);
  const loadBefore = load();
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './bench/report-peak-rss.ts', script, ...args],
    { cwd: PROJECT_ROOT, env: { ...process.env, BENCH_PEAK_RSS_FILE: rssFile }, stdio: 'pipe' },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - started;
  return {
    wallMs,
    peakRssBytes: Number(readFileSync(rssFile, 'utf8')),
    load: `${loadBefore} before, ${load()} after`,
    result: { code, stdout, stderr },
  };
}

async function localRun(dir: string, tables: number) {
  const config = join(dir, `config-${tables}.yml`);
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

async function invokeHandler(dir: string, functionName: string, event: unknown) {
  const out = join(dir, `${functionName}.json`);
  const measured = await measureProcess(dir, 'bench/invoke-handler.ts', [
    functionName,
    JSON.stringify(event),
    out,
  ]);
  if (measured.result.code !== 0)
    throw new Error(`${functionName}: exit ${measured.result.code}: ${measured.result.stderr.slice(-2000)}`);
  const figures = JSON.parse(readFileSync(out, 'utf8')) as HandlerFigures;
  if (figures.error) throw new Error(`${functionName}: ${figures.error.name}: ${figures.error.message}`);
  return { ...measured, figures };
}

/** Gives every table of the run an outcome, as the Map would have (setup, not measured). */
async function recordEveryOutcome(store: TrackingStore, runId: string): Promise<void> {
  const records = await listRunTables(store, runId);
  const batches: (typeof records)[] = [];
  for (let i = 0; i < records.length; i += 25) batches.push(records.slice(i, i + 25));
  const endedAt = new Date().toISOString();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let batch = batches.pop(); batch; batch = batches.pop()) {
        let requests = batch.map((record) => ({
          PutRequest: { Item: { ...record, status: 'SUCCEEDED', attempts: 1, ended_at: endedAt } },
        }));
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
  const stack = await startLocalStack({ stageSettings: { maxTablesPerRun: tables } });
  try {
    await uploadConfig(stack.s3, stack.names.configBucket, stack.names.defaultConfigKey, scaleConfig(tables));
    const sizes = functionSizes();
    const runId = `bench-scale-${tables}`;
    const configManager = await invokeHandler(dir, 'configManager', {
      event: { trigger: 'manual', run_id: runId },
      execution_name: runId,
      execution_start_time: new Date().toISOString(),
    });
    const prepared = configManager.figures.output as { run: unknown; table_count: number };
    await recordEveryOutcome(stack.store, runId);
    const completeRun = await invokeHandler(dir, 'completeRun', { run: prepared.run });

    const report = (
      key: string,
      label: string,
      measured: { wallMs: number; peakRssBytes: number; load: string; figures: HandlerFigures },
      memoryMb: number,
    ) => {
      const command = `${COMMAND} (${label})`;
      figures[`scale.${key}_${tables}_tables.wall_s`] = {
        value: seconds(measured.wallMs),
        unit: 's',
        command,
        note: `handler ${seconds(measured.figures.wallMs)} s of a ${LAMBDA_TIMEOUT_S} s timeout; ${callCounts(measured.figures.calls)}; ${measured.load}`,
      };
      figures[`scale.${key}_${tables}_tables.peak_rss_mb`] = {
        value: mb(measured.peakRssBytes),
        unit: 'MB',
        command,
        note: `of the function's ${memoryMb} MB; ${measured.load}`,
      };
      lines.push(
        `${label}: ${seconds(measured.figures.wallMs)} s in the handler (${seconds(measured.wallMs)} s with its process start), ` +
          `peak RSS ${mb(measured.peakRssBytes)} MB of ${memoryMb} MB; ${callCounts(measured.figures.calls)} (${measured.load})`,
      );
    };
    report(
      'config_manager',
      `config manager, ${tables.toLocaleString('en')} tables`,
      configManager,
      sizes.ConfigManagerLambdaFunction!.memoryMb,
    );
    report(
      'complete_run',
      `Complete Extract Run, ${tables.toLocaleString('en')} recorded tables`,
      completeRun,
      sizes.CompleteRunLambdaFunction!.memoryMb,
    );
    const floor = Math.ceil(prepared.table_count / PARTITION_WCU_PER_SECOND);
    figures[`scale.config_manager_${tables}_tables.pending_writes_floor_s`] = {
      value: floor,
      unit: 's',
      command: COMMAND,
      note: `computed: ${prepared.table_count.toLocaleString('en')} PENDING records in one partition key at DynamoDB's ${PARTITION_WCU_PER_SECOND.toLocaleString('en')} WCU/s per partition`,
    };
    lines.push(
      `DynamoDB floor (computed, not measured): ${prepared.table_count.toLocaleString('en')} PENDING writes to one partition key ` +
        `at ${PARTITION_WCU_PER_SECOND.toLocaleString('en')} WCU/s take at least ${floor} s of the config manager's ${LAMBDA_TIMEOUT_S} s`,
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
      figures[`${key}.peak_rss_mb`] = { value: mb(run.peakRssBytes), unit: 'MB', command: run.command, note };
      lines.push(
        `${tables.toLocaleString('en')} tables: ${seconds(run.wallMs)} s, peak RSS ${mb(run.peakRssBytes)} MB (${run.load})  $ ${run.command}`,
      );
    }
    if (options.quick)
      lines.push(`(--quick: 10,000 and 100,000 tables and the handlers not measured; run ${COMMAND})`);
    else await handlerFigures(dir, lines, figures);
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
