// The config manager's work before any table starts: here, which error a run that cannot start reports.
// The tracking table is a real dynalite; S3 is never reached in these cases (the event is rejected first).
import type { S3Client } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { InvalidEventError } from '../../../functions/lib/errors';
import { prepareExtractRun } from '../../../functions/lib/runs/prepare-extract-run';
import { readStageSettings } from '../../../functions/lib/config/stage-settings';
import { runKey } from '../../../functions/lib/tracking/tracking-records';
import { startRun, type TrackingStore } from '../../../functions/lib/tracking/tracking-store';
import { trackingTablePerFile } from '../../helpers/fresh-tracking-table';

jest.setTimeout(20_000);

const SETTINGS = readStageSettings({
  STAGE: 'test',
  TRACKING_TABLE: 'tracking',
  CONFIG_BUCKET: 'config-bucket',
  DEFAULT_CONFIG_KEY: 'extract-config/extract-config.yml',
});
// Any S3 call would throw: these runs must fail on the event alone.
const NO_S3 = {} as S3Client;

const trackingTable = trackingTablePerFile();
let store: TrackingStore;

beforeAll(() => {
  store = trackingTable();
});

async function runRecord(runId: string) {
  const response = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: runKey(runId), ConsistentRead: true }),
  );
  return response.Item;
}

describe('preparing an extract run', () => {
  it('records an invalid event FAILED under its run id and raises InvalidEventError', async () => {
    const attempt = prepareExtractRun(
      {
        event: { run_id: 'bad-1', tables_to_extarct: ['sales.orders'] },
        execution_name: 'exec-bad-1',
        execution_start_time: '2024-06-01T00:00:00.000Z',
      },
      { s3: NO_S3, store, settings: SETTINGS, now: () => new Date('2024-06-01T00:00:02.000Z') },
    );

    await expect(attempt).rejects.toThrow(InvalidEventError);
    expect(await runRecord('bad-1')).toMatchObject({
      status: 'FAILED',
      execution_name: 'exec-bad-1',
      error: 'InvalidEventError',
      cause: 'Invalid event: Unrecognized key: "tables_to_extarct"',
      started_at: '2024-06-01T00:00:00.000Z',
      ended_at: '2024-06-01T00:00:02.000Z',
    });
  });

  it("raises the event's own error, not the tracking table's, when the run id belongs to another execution", async () => {
    // Prepare
    await startRun(store, {
      run_id: 'daily',
      execution_name: 'first',
      trigger: 'manual',
      started_at: '2024-06-01T00:00:00.000Z',
      table_count: 0,
    });

    // Act
    const attempt = prepareExtractRun(
      {
        event: { run_id: 'daily', tables_to_extarct: ['sales.orders'] },
        execution_name: 'second',
        execution_start_time: '2024-06-02T00:00:00.000Z',
      },
      { s3: NO_S3, store, settings: SETTINGS },
    );

    // Assess
    await expect(attempt).rejects.toThrow(InvalidEventError);
    expect(await runRecord('daily')).toMatchObject({ status: 'RUNNING', execution_name: 'first' });
  });
});
