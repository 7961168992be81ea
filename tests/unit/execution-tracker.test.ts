// The progress counts `npm start` shows, followed from the interpreter's events: the run's own and those of the
// Distributed Maps' child executions, which carry the child's identity.
import { ExecutionTracker } from '../../local/runtime/execution-tracker';
import type { PipelineEvent } from '../../local/runtime/run-pipeline';

const TABLES = 'Iterate Through Extract Tables';
const GROUPS = 'Iterate Through Quota Groups';

const child = (map: string, index: number) => ({ map, index, name: `c-${index}` });
const event = (fields: Record<string, unknown>) => fields as unknown as PipelineEvent;

describe('following a run from its events', () => {
  it('counts the table children running, the outcomes and the retries, not the quota groups', () => {
    // Prepare
    const tracker = new ExecutionTracker();
    const table = (name: string) => ({ table: { table: name } });
    // A table child records its table's outcome, then ends (a FAILED table is a child that succeeded).
    const tableChildEnded = (index: number, status: string) => {
      tracker.onEvent(
        event({
          type: 'StateExited',
          state: { name: 'Handle Extract Job Run Status', output: { status } },
          execution: child(TABLES, index),
        }),
      );
      tracker.onEvent(event({ type: 'ExecutionSucceeded', execution: child(TABLES, index) }));
    };

    // Act
    tracker.onEvent(
      event({
        type: 'StateExited',
        state: { name: 'Extract Config Manager', output: { run: { run_id: 'r1' }, table_count: 3 } },
      }),
    );
    tracker.onEvent(event({ type: 'ExecutionStarted', execution: child(GROUPS, 0) }));
    for (const index of [0, 1, 2])
      tracker.onEvent(event({ type: 'ExecutionStarted', execution: child(TABLES, index) }));
    tracker.onEvent(
      event({
        type: 'StateRetried',
        state: { name: 'Glue Start Extract Job Run', input: table('sales.orders') },
        execution: child(TABLES, 0),
      }),
    );
    tableChildEnded(0, 'SUCCEEDED');
    tableChildEnded(1, 'FAILED');

    // Assess
    expect(tracker.runId).toBe('r1');
    expect(tracker.counts()).toEqual({ total: 3, succeeded: 1, failed: 1, running: 1 });
    expect(tracker.retries).toEqual({ 'sales.orders': 1 });
  });
});
