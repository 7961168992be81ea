// Bundle size and cold load time per function (`npx tsx bench/bundles.ts [--quick]`), from the artifacts
// `sls package` really produces: each zip is unpacked and its handler module loaded in fresh Node processes
// with the function's own environment, which is the part of a Lambda cold start that the bundle decides
// (local/packaged-functions.ts says how it matches the runtime). Load time is printed twice: wall-clock, and the
// CPU time the process spent, which moves less when other work shares the machine; the load average is printed
// with them.
//
// A bundle's on-demand chunks (what its sources import with import()) are loaded after it in the same process
// and timed apart; the cold start figure adds those that the function's common path loads (ON_DEMAND).
//
// --instructions adds each cold start's machine instructions, counted under valgrind (one load each, a few
// minutes in all): CPU time moves by a tenth or more with what else runs on the machine, the instruction count by
// about 1%, so it is the figure for comparing two builds measured at different times.
import { existsSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { packagedService } from '../local/package-service';
import {
  canCountInstructions,
  countInstructionsOfLoad,
  emptyHandler,
  loadInFreshProcess,
  onDemandParts,
  packagedFunction,
  unpackZip,
  type Load,
  type OnDemandPart,
  type PackagedFunction,
} from '../local/packaged-functions';
import { median, printSection, type BenchOptions, type BenchSection, type Figures } from './figures';

const COMMAND = 'npx tsx bench/bundles.ts';

/**
 * When a function's code loads an on-demand part (the source file it imports with import()), and whether its
 * common path does. A part not listed here is counted in the cold start figure.
 */
type OnDemandUse = { when: string; commonPath: boolean };
const loadedOn = (use: OnDemandUse, ...sources: string[]) =>
  Object.fromEntries(sources.map((source) => [source, use]));
const TABLE_LIST_READ = loadedOn(
  { when: 'the first run with tables left without a record', commonPath: false },
  'functions/clients/s3.ts',
  'functions/lib/runs/read-run-table-list.ts',
);
const ON_DEMAND: Record<string, Record<string, OnDemandUse>> = {
  handleJobRunStatus: loadedOn(
    { when: 'the first Glue, EMR or ECS table with a watermark report', commonPath: false },
    'functions/clients/s3.ts',
    'functions/lib/watermarks/watermark-report.ts',
  ),
  cancelRun: TABLE_LIST_READ,
  // The stages' default config key is YAML: a run started without one loads the parser, a JSON config does not.
  configManager: loadedOn(
    { when: 'the first config that is not plain JSON', commonPath: true },
    'functions/lib/config/parse-config-document.ts',
  ),
  completeRun: {
    ...loadedOn(
      { when: 'the first run with failed tables', commonPath: false },
      'functions/clients/sns.ts',
      'functions/lib/runs/publish-run-failures.ts',
    ),
    ...TABLE_LIST_READ,
  },
  reclaimExpiredTasks: loadedOn(
    { when: 'the first task whose attempts are spent', commonPath: false },
    'functions/clients/sfn.ts',
    'functions/lib/task-runner/step-functions-callbacks.ts',
  ),
};

const loadAverage = () =>
  loadavg()
    .map((load) => load.toFixed(1))
    .join(' ');

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const kb = (bytes: number) => (bytes / 1024).toFixed(0);

export async function benchBundles(
  options: BenchOptions,
  { instructions = false }: { instructions?: boolean } = {},
): Promise<BenchSection> {
  const loads = options.quick ? 3 : 7;
  // The template tests' package cache: a tree packaged before (same inputs) is not packaged again.
  const packaged = await packagedService('dev');
  const figures: Figures = {};
  const loadBefore = loadAverage();
  const lines = [
    `sls package --stage dev took ${(packaged.durationMs / 1000).toFixed(1)} s (reused while the sources are unchanged); load = import() of the handler module in a fresh Node ${process.version} process whose ES module loader is up, as the Lambda runtime's is; median (and least) of ${loads}, the functions in turns`,
    'on demand = each chunk the function imports with import(), loaded after it; cold start = load + the on-demand chunks of its common path',
    '',
    '| function | zip KB | code KB (in the zip) | maps KB (outside the zip) | load ms (wall) | load ms (CPU) | on demand, + ms (CPU) | cold start ms (CPU) |',
    '| --- | --: | --: | --: | --: | --: | --- | --: |',
  ];
  const notes: string[] = [];
  const functions = Object.keys(packaged.artifacts)
    .sort()
    .map((zip) => {
      const { dir, files } = unpackZip(join(packaged.packageDir, zip));
      const fn = packagedFunction(packaged.template, zip, files);
      return {
        zip,
        dir,
        files,
        fn,
        parts: onDemandParts(packaged.packageDir, fn.module),
        runs: [] as Load[],
      };
    });
  try {
    // In turns rather than one function after the other: the machine's load then weighs on every function alike.
    for (let round = 0; round < loads; round++)
      for (const measured of functions)
        measured.runs.push(loadInFreshProcess(measured.dir, measured.fn, measured.parts));
    for (const { zip, dir, files, fn, parts, runs } of functions) {
      const zipBytes = packaged.artifacts[zip]!;
      const codeBytes = sum(files.map((file) => statSync(join(dir, file)).size));
      const mapBytes = sum(
        files
          .map((file) => join(packaged.packageDir, 'sourcemaps', `${file}.map`))
          .filter((map) => existsSync(map))
          .map((map) => statSync(map).size),
      );
      const wallMs = median(runs.map((run) => run.wallMs));
      const cpuMs = median(runs.map((run) => run.cpuMs));
      const leastCpuMs = Math.min(...runs.map((run) => run.cpuMs));
      const partMs = parts.map((_, index) => median(runs.map((run) => run.onDemandCpuMs[index]!)));
      const described = parts.map(
        (part) =>
          ON_DEMAND[fn.name]?.[part.source] ?? {
            when: 'a path not described in the bench',
            commonPath: true,
          },
      );
      const onCommonPath = sum(partMs.filter((_, index) => described[index]!.commonPath));
      const coldMs = cpuMs + onCommonPath;
      const onDemand = parts
        .map((part, index) => `${part.source.replace(/^functions\//, '')} +${partMs[index]!.toFixed(0)}`)
        .join(', ');
      lines.push(
        `| ${fn.name} | ${kb(zipBytes)} | ${kb(codeBytes)} | ${kb(mapBytes)} | ${wallMs.toFixed(0)} | ${cpuMs.toFixed(0)} (${leastCpuMs.toFixed(0)}) | ${onDemand || '-'} | ${coldMs.toFixed(0)} (${(leastCpuMs + onCommonPath).toFixed(0)}) |`,
      );
      parts.forEach((part, index) => {
        const { when, commonPath } = described[index]!;
        notes.push(
          `${fn.name} loads ${part.source} on ${when}: ${commonPath ? 'its common path, counted in its cold start' : 'not its common path'}`,
        );
      });
      const figure = (unit: string, value: number) => ({ value: Math.round(value), unit, command: COMMAND });
      const timed = (value: number) => ({ ...figure('ms', value), note: `load average ${loadBefore}` });
      figures[`bundle.${fn.name}.zip_bytes`] = figure('bytes', zipBytes);
      figures[`bundle.${fn.name}.code_bytes`] = figure('bytes', codeBytes);
      figures[`bundle.${fn.name}.load_ms`] = timed(wallMs);
      figures[`bundle.${fn.name}.load_cpu_ms`] = timed(cpuMs);
      figures[`bundle.${fn.name}.load_cpu_least_ms`] = timed(leastCpuMs);
      parts.forEach((part, index) => {
        const key = part.source.replace(/^functions\//, '').replace(/\.ts$/, '');
        figures[`bundle.${fn.name}.on_demand.${key}.cpu_ms`] = timed(partMs[index]!);
      });
      figures[`bundle.${fn.name}.cold_start_cpu_ms`] = timed(coldMs);
    }
    if (instructions) lines.push('', ...countInstructions(functions, figures));
  } finally {
    for (const { dir } of functions) rmSync(dir, { recursive: true, force: true });
  }
  lines.push('', ...notes, `load average (1, 5, 15 min): ${loadBefore} before, ${loadAverage()} after`);
  return { title: 'Function bundles (sls package --stage dev)', command: COMMAND, lines, figures };
}

interface Measured {
  dir: string;
  fn: PackagedFunction;
  parts: OnDemandPart[];
}

/** Each function's cold start in instructions (--instructions), above a module with an empty handler. */
function countInstructions(functions: Measured[], figures: Figures): string[] {
  if (!canCountInstructions()) return ['valgrind not found: instructions not counted (--instructions)'];
  const [first] = functions;
  if (!first) return [];
  const baseline = countInstructionsOfLoad(first.dir, emptyHandler(first.dir, first.fn), []);
  const lines = [
    `instructions of the cold start (load + the on-demand chunks of its common path) under valgrind --tool=callgrind, above the ${(baseline / 1e6).toFixed(0)} M of a module with an empty handler; ${COMMAND} --instructions`,
    '',
    '| function | cold start, M instructions |',
    '| --- | --: |',
  ];
  for (const { dir, fn, parts } of functions) {
    const common = parts.filter((part) => ON_DEMAND[fn.name]?.[part.source]?.commonPath ?? true);
    const millions = (countInstructionsOfLoad(dir, fn, common) - baseline) / 1e6;
    lines.push(`| ${fn.name} | ${millions.toFixed(0)} |`);
    figures[`bundle.${fn.name}.cold_start_instructions`] = {
      value: Math.round(millions),
      unit: 'M instructions',
      command: `${COMMAND} --instructions`,
    };
  }
  return lines;
}

if (require.main === module) {
  benchBundles(
    { quick: process.argv.includes('--quick') },
    { instructions: process.argv.includes('--instructions') },
  ).then(printSection, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
