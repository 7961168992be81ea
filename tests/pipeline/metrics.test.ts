// The handlers' metrics as CloudWatch would receive them: the embedded-metric-format blobs Powertools Metrics
// builds on each invocation's flush, captured instead of written (local mode turns the output off because stdout
// belongs to the summary). One table per run, so that no two invocations share the metrics buffer, as in Lambda.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPipeline, type Pipeline } from '../helpers/pipeline-harness';

const SAMPLE_CONFIG = readFileSync(join(__dirname, '..', 'events', 'extract-config.yml'), 'utf8');

jest.setTimeout(30_000);

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

let pipeline: Pipeline;
const flushed: Emf[] = [];

beforeAll(async () => {
  pipeline = await startPipeline();
  await pipeline.given.anExtractConfig(SAMPLE_CONFIG);
  // Loaded after the stack has set the handlers' environment (STAGE), as Lambda sets it before any module loads.
  const { metrics } = await import('../../functions/powertools');
  jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => {
    if (metrics.hasStoredMetrics()) flushed.push(metrics.serializeMetrics() as unknown as Emf);
    metrics.clearMetrics();
    metrics.clearDimensions();
    metrics.clearMetadata();
    return metrics;
  });
});

afterAll(async () => {
  jest.restoreAllMocks();
  await pipeline?.close();
});

/** The flushed blob that carries `name`, with its dimensions and value. */
function metric(name: string): { namespace: string; dimensions: string[]; values: Record<string, unknown> } {
  const blob = flushed.find((emf) =>
    emf._aws.CloudWatchMetrics[0]!.Metrics.some((entry) => entry.Name === name),
  );
  if (!blob) throw new Error(`no ${name} metric was flushed`);
  const directive = blob._aws.CloudWatchMetrics[0]!;
  return { namespace: directive.Namespace, dimensions: directive.Dimensions[0]!, values: blob };
}

describe('metrics', () => {
  it('counts a failed table per job type, the run, and its failed tables', async () => {
    // Act
    await pipeline.when.theRunStarts(
      { tables_to_extract: ['sales.orders'], run_id: 'metrics-one-fails' },
      { tables: { 'sales.orders': { fail: { cause: 'boom' } } } },
    );

    // Assess
    const failed = metric('TablesFailed');
    expect(failed.namespace).toBe('extract-pipeline');
    expect(failed.dimensions.sort()).toEqual(['JobType', 'service', 'stage']);
    expect(failed.values).toMatchObject({
      TablesFailed: 1,
      JobType: 'glue',
      service: 'extract-pipeline',
      stage: 'local',
    });
    expect(metric('RunsStarted').values).toMatchObject({ RunsStarted: 1, stage: 'local' });
    const perRun = metric('FailedTablesPerRun');
    expect(perRun.dimensions.sort()).toEqual(['service', 'stage']);
    expect(perRun.values).toMatchObject({ FailedTablesPerRun: 1, RunsCompleted: 1 });
  });
});
