// Follows a run through the interpreter's event stream (the execution's own and its Distributed Maps' child
// executions'): how many tables there are, how many table children are running, which tables have an outcome,
// and how often the state machine retried each table's job state (a throttled start leaves no trace in the
// tracking table, since the service never ran; this is where it shows).
import type { PipelineEvent } from './run-pipeline';
import type { ProgressCounts } from '../progress';

// State names from statemachines/extract-pipeline.asl.yml.
const CONFIG_MANAGER = 'Extract Config Manager';
const RECORD_OUTCOME = 'Handle Extract Job Run Status';
const OUTCOME_NOT_RECORDED = 'Outcome Not Recorded';
/** Each of its child executions is one table. */
const TABLES_MAP = 'Iterate Through Extract Tables';
const CHILD_ENDED = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimeout',
]);

interface StateEvent {
  type: string;
  state?: { name: string; input?: unknown; output?: unknown };
  execution?: { map?: string };
}

export class ExecutionTracker {
  runId?: string;
  private total?: number;
  private running = 0;
  private succeeded = 0;
  private failed = 0;
  readonly retries: Record<string, number> = {};

  onEvent(raw: PipelineEvent): void {
    const event = raw as StateEvent;
    if (event.execution?.map === TABLES_MAP) {
      if (event.type === 'ExecutionStarted') this.running++;
      else if (CHILD_ENDED.has(event.type)) this.running--;
    }
    if (event.type === 'StateRetried') {
      const table = (event.state?.input as { table?: { table?: string } } | undefined)?.table?.table;
      if (table) this.retries[table] = (this.retries[table] ?? 0) + 1;
    }
    if (event.type !== 'StateExited' || !event.state) return;
    const output = event.state.output as Record<string, unknown> | undefined;
    if (event.state.name === CONFIG_MANAGER) {
      const prepared = output as { run?: { run_id?: string }; table_count?: number } | undefined;
      this.runId = prepared?.run?.run_id;
      this.total = prepared?.table_count;
    } else if (event.state.name === RECORD_OUTCOME) {
      if (output?.status === 'SUCCEEDED' || output?.status === 'SKIPPED') this.succeeded++;
      else this.failed++;
    } else if (event.state.name === OUTCOME_NOT_RECORDED) {
      this.failed++;
    }
  }

  counts(): ProgressCounts {
    return {
      total: this.total,
      succeeded: this.succeeded,
      failed: this.failed,
      running: this.running,
    };
  }
}
