// What a run costs in the units AWS bills: state transitions (Standard workflows bill every state entered,
// retries included) and Lambda invocations, per table on each job type and per run. Measured by running the
// real definition locally with 1 and with N tables and taking the difference, so per-run overhead is separate.
import '../local/polyfills';
import { bridgeDistributedMaps } from '../local/runtime/distributed-map-bridge';
import type { LambdaHandler } from '../local/runtime/lambda-functions';
import { loadDefinition } from '../local/runtime/load-definition';
import { runLocally, uploadConfig } from '../local/runtime/run-locally';
import { startLocalStack, type LocalStack } from '../local/stack/local-stack';

const TABLES = 40;

// The local Distributed Map bridge's synthetic reader states do not exist in AWS (the Map reads its items
// itself), so they are not counted. Each table's states run in its own child execution in AWS, billed the same.
const BRIDGE_STATES = new Set(
  bridgeDistributedMaps(loadDefinition()).readers.map((reader) => reader.stateName),
);

interface Counts {
  transitions: number;
  invocations: number;
}

async function measure(stack: LocalStack, jobType: string, tables: number, runId: string): Promise<Counts> {
  const names = Array.from({ length: tables }, (_, i) => `bench.${jobType}_${i}`);
  const config = `tables:\n${names.map((name) => `  - { name: ${name}, job_type: ${jobType} }`).join('\n')}\n`;
  const key = `extract-config/bench-${runId}.yml`;
  await uploadConfig(stack.s3, stack.names.configBucket, key, config);

  let invocations = 0;
  const real = { ...stack.handlers };
  for (const [id, handler] of Object.entries(real)) {
    stack.handlers[id] = (async (event, context) => {
      invocations++;
      return handler(event, context);
    }) as LambdaHandler;
  }
  try {
    const { execution: run } = await runLocally(stack, {
      input: { config_key: key, run_id: runId },
      script: {},
    });
    if (run.status !== 'SUCCEEDED') throw new Error(`bench run ${runId} failed: ${run.error} ${run.cause}`);
    const transitions = (run.events as { type: string; state?: { name: string } }[]).filter(
      (e) => e.type === 'StateEntered' && !BRIDGE_STATES.has(e.state?.name ?? ''),
    ).length;
    return { transitions, invocations };
  } finally {
    Object.assign(stack.handlers, real);
  }
}

export async function benchPipelineCosts(): Promise<void> {
  const stack = await startLocalStack();
  try {
    console.log(`\n## Cost units per table (difference of a 1-table and a ${TABLES}-table run)`);
    console.log(
      'job type | state transitions / table | Lambda invocations / table | per run: transitions, invocations',
    );
    for (const jobType of ['glue', 'emr', 'ecs']) {
      const one = await measure(stack, jobType, 1, `bench-${jobType}-1`);
      const many = await measure(stack, jobType, TABLES, `bench-${jobType}-${TABLES}`);
      const perTable = (key: keyof Counts) => (many[key] - one[key]) / (TABLES - 1);
      const perRun = (key: keyof Counts) => one[key] - perTable(key);
      console.log(
        `${jobType} | ${perTable('transitions')} | ${perTable('invocations')} | ${perRun('transitions')}, ${perRun('invocations')}`,
      );
    }
  } finally {
    await stack.close();
  }
}
