// Run by warm-local-caches.ts in a process of its own, as `node --import tsx`: loads every module the local tests'
// child processes load (the commands, the runner CLIs, the handlers serverless.yml names), which fills tsx's
// transform cache, and validates the deployed state machine definition, which leaves its marker
// (local/runtime/validated-definitions.ts). Nothing runs: the commands start only as a process's main module.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../local/project-root';
import { listLambdaFunctions } from '../../local/runtime/lambda-functions';
import { loadDefinition } from '../../local/runtime/load-definition';
import { validateOnce } from '../../local/runtime/validated-definitions';

const commands = join(PROJECT_ROOT, 'local', 'commands');
const entryPoints = [
  ...readdirSync(commands).map((file) => join(commands, file)),
  join(PROJECT_ROOT, 'runner', 'cli.ts'),
  join(PROJECT_ROOT, 'runner', 'credentials-cli.ts'),
  ...listLambdaFunctions().map((fn) => join(PROJECT_ROOT, fn.module)),
];
// eslint-disable-next-line @typescript-eslint/no-require-imports
for (const entryPoint of entryPoints) require(entryPoint);
validateOnce(loadDefinition());
