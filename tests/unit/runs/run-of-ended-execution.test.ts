// Which run an ended execution's status-change event closes (functions/lib/runs/run-of-ended-execution.ts), on
// dynalite: the event's run_id or the execution's name when the event has the input; the RUNNING run that
// execution started when Step Functions left the input out (past 248 KB).
import { closeRunRecord } from '../../../functions/lib/tracking/close-run-record';
import { runOfEndedExecution } from '../../../functions/lib/runs/run-of-ended-execution';
import { startRun, type TrackingStore } from '../../../functions/lib/tracking/tracking-store';
import { freshTrackingTablePerTest } from '../../helpers/fresh-tracking-table';

const trackingTable = freshTrackingTablePerTest();
const STARTED_AT = '2026-11-26T01:00:00.000Z';

function aRun(store: TrackingStore, runId: string, executionName: string) {
  return startRun(store, {
    run_id: runId,
    execution_name: executionName,
    trigger: 'manual',
    started_at: STARTED_AT,
    table_count: 0,
  });
}

describe('the run of an ended execution', () => {
  it("is the input's run_id, else the execution's name, when the event has the input", async () => {
    const store = trackingTable();
    expect(await runOfEndedExecution(store, { name: 'exec-1', input: '{"run_id":"daily-2026-11-26"}' })).toBe(
      'daily-2026-11-26',
    );
    expect(await runOfEndedExecution(store, { name: 'exec-1', input: '{"tables_to_extract":["a"]}' })).toBe(
      'exec-1',
    );
    expect(await runOfEndedExecution(store, { name: 'exec-1', input: 'not json' })).toBe('exec-1');
  });

  it('is the RUNNING run that execution started when the event left the input out', async () => {
    const store = trackingTable();
    await aRun(store, 'other-run', 'exec-other');
    await aRun(store, 'named-by-the-event', 'exec-big-input');

    expect(await runOfEndedExecution(store, { name: 'exec-big-input', input: null })).toBe(
      'named-by-the-event',
    );
    expect(await runOfEndedExecution(store, { name: 'exec-big-input' })).toBe('named-by-the-event');
  });

  it("falls back to the execution's name when no RUNNING run has that execution", async () => {
    const store = trackingTable();
    await aRun(store, 'closed-run', 'exec-closed');
    await closeRunRecord(
      store,
      { run_id: 'closed-run', started_at: STARTED_AT },
      {
        status: 'SUCCEEDED',
        endedAt: STARTED_AT,
        counts: { succeeded: 0, failed: 0, skipped: 0, cancelled: 0 },
        condition: 'exists',
      },
    );

    expect(await runOfEndedExecution(store, { name: 'exec-closed', input: null })).toBe('exec-closed');
  });
});
