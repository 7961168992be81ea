// Bundle size and cold load time per function (`npx tsx bench/bundles.ts [--quick]`), from the artifacts
// `sls package` really produces: each zip is unpacked and its handler module required in fresh Node processes
// with the function's own environment, which is the part of a Lambda cold start that the bundle decides.
// Load time is printed twice: wall-clock, and the CPU time the process spent, which stays put when other work
// shares the machine (wall-clock does not).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagedService, type CfnTemplate } from '../local/package-service';
import { median, printSection, type BenchOptions, type BenchSection, type Figures } from './figures';

const COMMAND = 'npx tsx bench/bundles.ts';

interface PackagedFunction {
  name: string;
  /** The handler module inside the zip, e.g. functions/config-manager.js. */
  module: string;
  exportName: string;
  environment: NodeJS.ProcessEnv;
}

/** The function behind a zip, with its environment; CloudFormation references become placeholders. */
function packagedFunction(template: CfnTemplate, zip: string): PackagedFunction {
  const name = zip.replace(/\.zip$/, '');
  const logicalId = `${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`;
  const properties = template.Resources[logicalId]?.Properties as
    { Handler: string; Environment?: { Variables?: Record<string, unknown> } } | undefined;
  if (!properties) throw new Error(`the template has no ${logicalId} for ${zip}`);
  const dot = properties.Handler.lastIndexOf('.');
  const variables = properties.Environment?.Variables ?? {};
  return {
    name,
    module: `${properties.Handler.slice(0, dot)}.js`,
    exportName: properties.Handler.slice(dot + 1),
    environment: Object.fromEntries(
      Object.entries(variables).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : 'bench-placeholder',
      ]),
    ),
  };
}

interface Load {
  wallMs: number;
  cpuMs: number;
}

/** Requires the handler module in a fresh process and checks that it exports the handler. */
function coldLoad(file: string, exportName: string, environment: NodeJS.ProcessEnv): Load {
  const script = [
    'const cpu = process.cpuUsage(), start = process.hrtime.bigint();',
    `const loaded = require(${JSON.stringify(file)});`,
    'const wallMs = Number(process.hrtime.bigint() - start) / 1e6, used = process.cpuUsage(cpu);',
    `if (typeof loaded[${JSON.stringify(exportName)}] !== 'function') throw new Error('no handler export');`,
    'console.log(JSON.stringify({ wallMs, cpuMs: (used.user + used.system) / 1e3 }));',
  ].join('\n');
  const output = execFileSync(process.execPath, ['-e', script], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'eu-west-1',
      ...environment,
      // Node 20 here, nodejs22.x in Lambda: the SDK's reminder is noise in a figure.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  return JSON.parse(output) as Load;
}

export async function benchBundles(options: BenchOptions): Promise<BenchSection> {
  const loads = options.quick ? 3 : 7;
  // The template tests' package cache: a tree packaged before (same inputs) is not packaged again.
  const packaged = await packagedService('dev');
  const figures: Figures = {};
  const lines = [
    `sls package --stage dev took ${(packaged.durationMs / 1000).toFixed(1)} s (reused while the sources are unchanged); load = require() of the handler module in a fresh Node ${process.version} process, median of ${loads}`,
    '',
    '| function | zip KB | bundle KB | map KB (outside the zip) | load ms (wall) | load ms (CPU) |',
    '| --- | --: | --: | --: | --: | --: |',
  ];
  for (const zip of Object.keys(packaged.artifacts).sort()) {
    const fn = packagedFunction(packaged.template, zip);
    const dir = mkdtempSync(join(tmpdir(), 'extract-pipeline-bundle-'));
    try {
      execFileSync('unzip', ['-q', join(packaged.packageDir, zip), '-d', dir]);
      const file = join(dir, fn.module);
      const runs = Array.from({ length: loads }, () => coldLoad(file, fn.exportName, fn.environment));
      const map = join(packaged.packageDir, 'sourcemaps', `${fn.module}.map`);
      const kb = (bytes: number) => (bytes / 1024).toFixed(0);
      const zipBytes = packaged.artifacts[zip]!;
      const bundleBytes = statSync(file).size;
      const mapBytes = existsSync(map) ? statSync(map).size : 0;
      const wallMs = median(runs.map((run) => run.wallMs));
      const cpuMs = median(runs.map((run) => run.cpuMs));
      lines.push(
        `| ${fn.name} | ${kb(zipBytes)} | ${kb(bundleBytes)} | ${kb(mapBytes)} | ${wallMs.toFixed(0)} | ${cpuMs.toFixed(0)} |`,
      );
      const figure = (unit: string, value: number) => ({
        value: Math.round(value),
        unit,
        command: COMMAND,
      });
      figures[`bundle.${fn.name}.zip_bytes`] = figure('bytes', zipBytes);
      figures[`bundle.${fn.name}.bundle_bytes`] = figure('bytes', bundleBytes);
      figures[`bundle.${fn.name}.load_ms`] = figure('ms', wallMs);
      figures[`bundle.${fn.name}.load_cpu_ms`] = figure('ms', cpuMs);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { title: 'Function bundles (sls package --stage dev)', command: COMMAND, lines, figures };
}

if (require.main === module) {
  benchBundles({ quick: process.argv.includes('--quick') }).then(printSection, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
