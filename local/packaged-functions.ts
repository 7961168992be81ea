// A packaged function as Lambda sees it: its zip unpacked, its handler module found as the nodejs22.x runtime
// finds it, and loaded in a fresh Node process with the function's environment. The bundle bench times the load;
// the template tests check that every handler and its on-demand chunks load from their zip alone.
//
// As in Lambda, Node's ES module loader is up before the handler module is imported: the runtime's own entry is
// an ES module (aws-lambda-nodejs-runtime-interface-client, src/index.mjs), so that cost is not the bundle's.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { unzipSync } from 'fflate';
import type { CfnTemplate } from './package-service';

export interface PackagedFunction {
  name: string;
  /** The handler module inside the zip, e.g. functions/config-manager.mjs. */
  module: string;
  exportName: string;
  environment: NodeJS.ProcessEnv;
}

/** A zip's content written to a new temporary folder (the caller removes it). */
export function unpackZip(zipFile: string): { dir: string; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'extract-pipeline-bundle-'));
  const entries = unzipSync(readFileSync(zipFile));
  const files = Object.keys(entries).filter((name) => !name.endsWith('/'));
  for (const name of files) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), entries[name]!);
  }
  return { dir, files: files.sort() };
}

/**
 * The function behind a zip, with its environment (CloudFormation references become placeholders), given the
 * files in the zip.
 */
export function packagedFunction(template: CfnTemplate, zip: string, files: string[]): PackagedFunction {
  const name = zip.replace(/\.zip$/, '');
  const logicalId = `${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`;
  const properties = template.Resources[logicalId]?.Properties as
    { Handler: string; Environment?: { Variables?: Record<string, unknown> } } | undefined;
  if (!properties) throw new Error(`the template has no ${logicalId} for ${zip}`);
  const dot = properties.Handler.lastIndexOf('.');
  const variables = properties.Environment?.Variables ?? {};
  // The runtime's lookup order for the handler's module: .js, then .mjs, then .cjs.
  const module = ['.js', '.mjs', '.cjs']
    .map((extension) => `${properties.Handler.slice(0, dot)}${extension}`)
    .find((file) => files.includes(file));
  if (!module) throw new Error(`${zip} holds no module for its handler ${properties.Handler}`);
  return {
    name,
    module,
    exportName: properties.Handler.slice(dot + 1),
    environment: Object.fromEntries(
      Object.entries(variables).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : 'bench-placeholder',
      ]),
    ),
  };
}

/** A chunk that the function's code loads with import(), and the source file it was built from. */
export interface OnDemandPart {
  source: string;
  /** Its path inside the zip. */
  file: string;
}

/**
 * The chunks a bundle's own sources import on demand, from the esbuild metafile that `sls package` keeps beside
 * the source maps (esbuild-plugins.js). The dependencies' own import()s (the SDK's browser user-agent parser and
 * event-stream code) are not among them: they never run in these functions.
 */
export function onDemandParts(packageDir: string, module: string): OnDemandPart[] {
  const metafileFile = join(packageDir, 'sourcemaps', `${module.replace(/\.[cm]?js$/, '')}.meta.json`);
  if (!existsSync(metafileFile)) return [];
  const metafile = JSON.parse(readFileSync(metafileFile, 'utf8')) as {
    outputs: Record<string, { entryPoint?: string }>;
  };
  const outputs = Object.entries(metafile.outputs).filter(([file]) => !file.endsWith('.map'));
  const entry = outputs.find(([file]) => file.endsWith(`/${module}`));
  if (!entry) throw new Error(`${metafileFile} has no output ${module}`);
  return outputs
    .filter(([file, output]) => file !== entry[0] && output.entryPoint?.startsWith('functions/'))
    .map(([file, output]) => ({
      source: output.entryPoint!,
      file: join(dirname(module), relative(dirname(entry[0]), file)),
    }))
    .sort((a, b) => a.source.localeCompare(b.source));
}

export interface Load {
  wallMs: number;
  cpuMs: number;
  /** CPU time of each on-demand chunk, loaded one after the other after the handler module. */
  onDemandCpuMs: number[];
}

/** The script that loads a handler module and its on-demand chunks, printing a Load as JSON. */
function loadScript(dir: string, fn: PackagedFunction, onDemand: OnDemandPart[]): string {
  return [
    "const { pathToFileURL } = require('node:url');",
    'const cpuMs = (since) => { const used = process.cpuUsage(since); return (used.user + used.system) / 1e3; };',
    "import('data:text/javascript,export {}').then(async () => {",
    '  const cpu = process.cpuUsage(), start = process.hrtime.bigint();',
    `  const file = ${JSON.stringify(join(dir, fn.module))};`,
    "  const loaded = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : require(file);",
    '  const wallMs = Number(process.hrtime.bigint() - start) / 1e6, loadCpuMs = cpuMs(cpu);',
    `  if (typeof loaded[${JSON.stringify(fn.exportName)}] !== 'function') throw new Error('no handler export');`,
    '  const onDemandCpuMs = [];',
    `  for (const part of ${JSON.stringify(onDemand.map((part) => join(dir, part.file)))}) {`,
    '    const before = process.cpuUsage();',
    '    await import(pathToFileURL(part).href);',
    '    onDemandCpuMs.push(cpuMs(before));',
    '  }',
    '  console.log(JSON.stringify({ wallMs, cpuMs: loadCpuMs, onDemandCpuMs }));',
    '}).catch((error) => { console.error(error); process.exit(1); });',
  ].join('\n');
}

function loadEnvironment(fn: PackagedFunction): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-west-1',
    ...fn.environment,
    // Node 20 here, nodejs22.x in Lambda: the SDK's reminder is noise.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * Loads a handler module (in an unpacked zip at dir) in a fresh Node process, checks that it exports the handler,
 * then loads the given on-demand chunks; throws with the child's error if any of it fails.
 */
export function loadInFreshProcess(dir: string, fn: PackagedFunction, onDemand: OnDemandPart[]): Load {
  const output = execFileSync(process.execPath, ['-e', loadScript(dir, fn, onDemand)], {
    env: loadEnvironment(fn),
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  return JSON.parse(output) as Load;
}

/** Whether valgrind, which countInstructionsOfLoad needs, is installed. */
export function canCountInstructions(): boolean {
  return spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * The machine instructions of the same load under valgrind (callgrind), for the whole process: unlike CPU time,
 * they hardly move with the machine's load, so two bundles measured at different times compare. The caller
 * subtracts a load of a module that exports an empty handler (emptyHandler).
 */
export function countInstructionsOfLoad(dir: string, fn: PackagedFunction, onDemand: OnDemandPart[]): number {
  // --smc-check: V8 writes the machine code it runs into anonymous memory.
  const result = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--smc-check=all-non-file',
      '--callgrind-out-file=/dev/null',
      process.execPath,
      '-e',
      loadScript(dir, fn, onDemand),
    ],
    { env: loadEnvironment(fn), encoding: 'utf8' },
  );
  const collected = /Collected : (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !collected) throw new Error(`valgrind failed for ${fn.name}: ${result.stderr}`);
  return Number(collected[1]);
}

/** A module exporting a handler that does nothing, in dir: the baseline for countInstructionsOfLoad. */
export function emptyHandler(dir: string, fn: PackagedFunction): PackagedFunction {
  writeFileSync(join(dir, 'empty-handler.mjs'), `export const ${fn.exportName} = () => {};\n`);
  return { ...fn, name: 'empty handler', module: 'empty-handler.mjs' };
}
