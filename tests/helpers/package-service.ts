// Packages the service for a stage with the real CLI (`sls package`, offline, dummy credentials) and returns
// the CloudFormation template it generated: the template is the contract with AWS, so tests read it like code.
//
// The service is copied into a temporary folder first (node_modules linked, not copied): serverless-esbuild
// builds in `<service>/.esbuild`, so two test files packaging at once in the work tree would overwrite each
// other's bundles, and packaging in place would also leave build folders in everyone's work tree.
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const ROOT = resolve(__dirname, '..', '..');

/** What `sls package` reads. A new top-level folder referenced from serverless.yml must be added here. */
const SERVICE_FILES = [
  'serverless.yml',
  'package.json',
  'tsconfig.json',
  'config',
  'resources',
  'statemachines',
  'functions',
];

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

const workDirs: string[] = [];

function copyService(): string {
  const dir = mkdtempSync(join(tmpdir(), 'extract-pipeline-package-'));
  workDirs.push(dir);
  for (const entry of SERVICE_FILES) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Runs `sls package --stage <stage>` in a private copy of the service and parses what it produced. */
export async function packageService(stage: string): Promise<PackagedService> {
  const serviceDir = copyService();
  const packageDir = join(serviceDir, '.package');
  const started = Date.now();
  try {
    await run('npx', ['--no-install', 'sls', 'package', '--stage', stage, '--package', packageDir], {
      cwd: serviceDir,
      env: PACKAGE_ENV,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`sls package --stage ${stage} failed:\n${stdout}\n${stderr}`);
  }
  const durationMs = Date.now() - started;
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
