// `npm run bench [-- --quick] [-- --json]`: the project's figures, printed, never asserted. Each part also runs
// on its own (the command printed with it): orchestration cost per table and per run, bundle size and load time
// per function, task hand-off latency of the task-runner endpoint, extract config validation of 200,000 entries,
// and the scale figures' slot.
// --quick: a subset that runs in under a minute (small cost runs, fewer loads, no hand-off bench).
// --json: every figure as one JSON object keyed by figure name, and nothing else on stdout.
import '../local/polyfills';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { benchBundles } from './bundles';
import { benchConfigValidation } from './config-validation';
import { printSection, type BenchOptions, type BenchSection, type Figures } from './figures';
import { benchPipelineCosts } from './pipeline-costs';
import { benchScale } from './scale';

const HANDOFF_COMMAND = 'npx tsx bench/task-handoff.ts';

/** Flattens the hand-off bench's JSON report into figures (`handOffLatencyMs.p50` → handoff.hand_off_latency_ms.p50). */
function handoffFigures(report: Record<string, unknown>, prefix = 'handoff'): Figures {
  const figures: Figures = {};
  for (const [key, value] of Object.entries(report)) {
    const name = `${prefix}.${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;
    if (value && typeof value === 'object')
      Object.assign(figures, handoffFigures(value as Record<string, unknown>, name));
    else if (typeof value === 'number') {
      const unit = /ms/i.test(name) ? 'ms' : /per_second/.test(name) ? 'per second' : 'count';
      figures[name] = { value, unit, command: HANDOFF_COMMAND };
    }
  }
  return figures;
}

/** The endpoint's hand-off bench runs in its own process (its own DynamoDB and server); it prints JSON. */
async function benchTaskHandoff(): Promise<BenchSection> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'task-handoff.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${HANDOFF_COMMAND} failed (exit ${code}):\n${output}`);
  const report = JSON.parse(output.slice(output.indexOf('{'))) as Record<string, unknown>;
  return {
    title: 'Task hand-off (10 pollers, official Data Pipeline client, local endpoint and DynamoDB)',
    command: HANDOFF_COMMAND,
    lines: output.trim().split('\n'),
    figures: handoffFigures(report),
  };
}

async function main(): Promise<void> {
  const options: BenchOptions = { quick: process.argv.includes('--quick') };
  const json = process.argv.includes('--json');
  // With --json, stdout carries the JSON object alone: handlers' logs and progress go to stderr meanwhile.
  const writeStdout = process.stdout.write.bind(process.stdout);
  if (json) process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

  const report = (section: BenchSection) => {
    if (!json) printSection(section);
    return section.figures;
  };
  if (!json)
    console.log(
      `# extract-pipeline bench (${new Date().toISOString()}, Node ${process.version}${options.quick ? ', --quick' : ''})`,
    );
  const figures: Figures = {
    ...report(await benchPipelineCosts(options)),
    ...report(await benchBundles(options)),
    ...(options.quick ? {} : report(await benchTaskHandoff())),
    ...report(benchConfigValidation()),
    ...report(await benchScale(options)),
  };
  if (options.quick && !json)
    console.log('\n(--quick: task hand-off not measured; run npx tsx bench/task-handoff.ts)');
  if (json) writeStdout(`${JSON.stringify(figures, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
