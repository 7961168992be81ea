// `npm run bench`: the project's figures, printed, never asserted — cost units per table, bundle size and load
// time per function, and task hand-off latency of the task-runner endpoint.
import '../local/polyfills';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { benchBundles } from './bundles';
import { printSection } from './figures';
import { benchPipelineCosts } from './pipeline-costs';

async function main(): Promise<void> {
  console.log(`# extract-pipeline bench (${new Date().toISOString()}, Node ${process.version})`);
  await benchPipelineCosts();
  printSection(await benchBundles({ quick: false }));
  console.log('\n## Task hand-off (10 pollers, 1,000 tasks, official Data Pipeline client)');
  const handoff = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'task-handoff.ts')], {
    stdio: 'inherit',
  });
  if (handoff.status !== 0) throw new Error('task hand-off bench failed');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
