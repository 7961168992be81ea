// Bundle size and cold load time per function, from the artifacts `sls package` really produces: each zip is
// unpacked and its handler module required in a fresh Node process (median of several), which is the part of a
// Lambda cold start that the bundle decides.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageService, removePackagedServices, type CfnTemplate } from '../tests/helpers/package-service';

const LOADS = 7;

function findHandlerFile(dir: string): string {
  const functionsDir = join(dir, 'functions');
  const file = readdirSync(functionsDir).find((name) => name.endsWith('.js'));
  if (!file) throw new Error(`no bundle in ${functionsDir}`);
  return join(functionsDir, file);
}

/** The function's environment from the template; CloudFormation references become placeholders. */
function functionEnvironment(template: CfnTemplate, zip: string): NodeJS.ProcessEnv {
  const name = zip.replace(/\.zip$/, '');
  const logicalId = `${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`;
  const properties = template.Resources[logicalId]?.Properties as
    { Environment?: { Variables?: Record<string, unknown> } } | undefined;
  const variables = properties?.Environment?.Variables ?? {};
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : 'bench-placeholder',
    ]),
  );
}

function medianLoadMs(file: string, env: NodeJS.ProcessEnv): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const times = Array.from({ length: LOADS }, () =>
    Number(
      execFileSync(process.execPath, ['-e', script], {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          ...env,
          NODE_OPTIONS: '',
          // Node 20 here, nodejs22.x in Lambda: the SDK's reminder is noise in a figure.
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    ),
  ).sort((a, b) => a - b);
  return times[Math.floor(LOADS / 2)]!;
}

export async function benchBundles(): Promise<void> {
  const packaged = await packageService('dev');
  try {
    console.log(`\n## Bundles (sls package --stage dev: ${(packaged.durationMs / 1000).toFixed(1)} s)`);
    console.log('function | zip bytes | bundle bytes | load ms (median of 7, Node ' + process.version + ')');
    for (const zip of Object.keys(packaged.artifacts).sort()) {
      const dir = mkdtempSync(join(tmpdir(), 'extract-pipeline-bundle-'));
      execFileSync('unzip', ['-q', join(packaged.packageDir, zip), '-d', dir]);
      const file = findHandlerFile(dir);
      console.log(
        `${zip.replace(/\.zip$/, '')} | ${packaged.artifacts[zip]} | ${statSync(file).size} | ${medianLoadMs(file, functionEnvironment(packaged.template, zip)).toFixed(1)}`,
      );
    }
  } finally {
    removePackagedServices();
  }
}
