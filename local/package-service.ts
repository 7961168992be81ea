// Packages the service for a stage with the real CLI (`sls package`, offline, dummy credentials) and returns
// the CloudFormation template it generated: the template is the contract with AWS, so tests read it like code.
//
// The service is copied into a temporary folder first (node_modules linked, not copied): serverless-esbuild
// builds in `<service>/.esbuild`, so two test files packaging at once in the work tree would overwrite each
// other's bundles, and packaging in place would also leave build folders in everyone's work tree.
//
// The template tests read one package per stage (`packagedService`), kept under node_modules/.cache and keyed by
// a hash of every file the package is made from, so a change to any of them packages again and an unchanged
// tree is packaged once, not once per test file.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './project-root';
import { processAlive } from './process-alive';

const run = promisify(execFile);

const ROOT = PROJECT_ROOT;

/** What `sls package` reads. A new top-level folder referenced from serverless.yml must be added here. */
const SERVICE_FILES = [
  'serverless.yml',
  'esbuild-plugins.js',
  'package.json',
  'tsconfig.json',
  'config',
  'resources',
  'statemachines',
  'functions',
];

/**
 * What else decides the package without being copied: the locked dependency versions (osls, the plugins,
 * esbuild, the bundled SDK) and this file, which holds the command line and environment of `sls package`.
 */
const HASHED_ONLY = ['package-lock.json', relative(ROOT, __filename)];

// The `sls` command's own script, run by this Node: npx in front of it would only find it (about 1 s of CPU).
const SLS = require.resolve('osls/bin/serverless.js');

const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'extract-pipeline-packages');

// Only identifiers the CLI needs to run offline: never real credentials or a profile.
const PACKAGE_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_REGION: 'eu-west-1',
};

/** A CloudFormation resource, as far as the tests look at it. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
  Conditions?: Record<string, unknown>;
}

export interface PackagedService {
  stage: string;
  /** The `--package` folder: the templates and one zip per function. */
  packageDir: string;
  template: CfnTemplate;
  /** Every zip in the package folder by file name, with its size in bytes. */
  artifacts: Record<string, number>;
  /** Wall-clock time of `sls package`, for reporting only. */
  durationMs: number;
}

/** What `packagedService` stores next to a cached package. */
interface CachedPackageInfo {
  stage: string;
  durationMs: number;
}

const workDirs: string[] = [];

/** A private copy of the service; removed by removePackagedServices unless the caller removes it itself. */
function copyService(track = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'extract-pipeline-package-'));
  if (track) workDirs.push(dir);
  for (const entry of SERVICE_FILES) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Runs `sls package --stage <stage>` in a private copy of the service at serviceDir, writing to packageDir. */
async function runSlsPackage(stage: string, serviceDir: string, packageDir: string): Promise<number> {
  const started = Date.now();
  try {
    await run(process.execPath, [SLS, 'package', '--stage', stage, '--package', packageDir], {
      cwd: serviceDir,
      env: PACKAGE_ENV,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`sls package --stage ${stage} failed:\n${stdout}\n${stderr}`);
  }
  return Date.now() - started;
}

function readPackage(stage: string, packageDir: string, durationMs: number): PackagedService {
  const template = JSON.parse(
    readFileSync(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as CfnTemplate;
  const artifacts = Object.fromEntries(
    readdirSync(packageDir)
      .filter((name) => name.endsWith('.zip'))
      .map((name) => [name, statSync(join(packageDir, name)).size]),
  );
  return { stage, packageDir, template, artifacts, durationMs };
}

/** Runs `sls package --stage <stage>` afresh in a private copy of the service and parses what it produced. */
export async function packageService(stage: string): Promise<PackagedService> {
  const serviceDir = copyService();
  const packageDir = join(serviceDir, '.package');
  const durationMs = await runSlsPackage(stage, serviceDir, packageDir);
  return readPackage(stage, packageDir, durationMs);
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** A hash of the content and path of every file the package is made from, and of the Node version. */
export function serviceInputsHash(): string {
  const hash = createHash('sha256').update(process.version);
  for (const file of [...SERVICE_FILES, ...HASHED_ONLY].flatMap((entry) => filesUnder(join(ROOT, entry)))) {
    hash.update(`\0${relative(ROOT, file)}\0`).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Renames a finished package into place; a run that packaged the same inputs first keeps its copy. */
function publish(partial: string, packageDir: string): void {
  try {
    renameSync(partial, packageDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!(code === 'ENOTEMPTY' || code === 'EEXIST') || !existsSync(join(packageDir, 'packaged.json')))
      throw error;
  }
}

/**
 * Takes the lock on packaging these inputs for a stage, or returns false while another live process holds it. The
 * lock is a folder (created atomically) holding the owner's pid, so a lock left by a killed run is taken over.
 */
function tryLock(lockDir: string): boolean {
  try {
    mkdirSync(lockDir);
    writeFileSync(join(lockDir, 'pid'), String(process.pid));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const pidFile = join(lockDir, 'pid');
  const owner = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
  if (owner === undefined || processAlive(owner)) return false;
  rmSync(lockDir, { recursive: true, force: true });
  return tryLock(lockDir);
}

/** Packages a stage into the cache under the lock already taken, and releases it. */
async function packageIntoCache(stage: string, key: string, lockDir: string): Promise<void> {
  const packageDir = join(CACHE_DIR, key, stage);
  // Packaged beside its final place and renamed into it, so a package is either whole or absent.
  const partial = mkdtempSync(join(CACHE_DIR, key, `.${stage}-`));
  const serviceDir = copyService(false);
  try {
    const durationMs = await runSlsPackage(stage, serviceDir, partial);
    const info: CachedPackageInfo = { stage, durationMs };
    writeFileSync(join(partial, 'packaged.json'), JSON.stringify(info));
    publish(partial, packageDir);
  } finally {
    rmSync(partial, { recursive: true, force: true });
    rmSync(serviceDir, { recursive: true, force: true });
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * The package of a stage as `sls package` makes it from the current tree: taken from the cache when these
 * exact inputs were packaged before, otherwise packaged now and cached (packages of other inputs are removed).
 * While another process (or the template project's globalSetup) packages the same inputs, it waits for that
 * package instead of making a second one. Everything up to the first await is synchronous, so a caller that
 * does not await still holds the lock when this returns.
 */
export async function packagedService(stage: string): Promise<PackagedService> {
  const key = serviceInputsHash();
  const packageDir = join(CACHE_DIR, key, stage);
  const infoFile = join(packageDir, 'packaged.json');
  const lockDir = join(CACHE_DIR, key, `.${stage}.lock`);
  while (!existsSync(infoFile)) {
    if (!existsSync(join(CACHE_DIR, key))) {
      for (const old of existsSync(CACHE_DIR) ? readdirSync(CACHE_DIR) : []) {
        rmSync(join(CACHE_DIR, old), { recursive: true, force: true });
      }
      mkdirSync(join(CACHE_DIR, key), { recursive: true });
    }
    if (tryLock(lockDir)) {
      if (!existsSync(infoFile)) await packageIntoCache(stage, key, lockDir);
      else rmSync(lockDir, { recursive: true, force: true });
    } else {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as CachedPackageInfo;
  return readPackage(stage, packageDir, info.durationMs);
}

/** Removes the private copies made by this test file (call from afterAll). */
export function removePackagedServices(): void {
  for (const dir of workDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Resources of a type, by logical id. */
export function resourcesOfType(template: CfnTemplate, type: string): Record<string, CfnResource> {
  return Object.fromEntries(
    Object.entries(template.Resources).filter(([, resource]) => resource.Type === type),
  );
}

/** The one resource with this logical id, failing loudly when it is missing. */
export function resource(template: CfnTemplate, logicalId: string): CfnResource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`the template has no resource ${logicalId}`);
  return found;
}
