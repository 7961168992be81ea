// Which run an ended execution's status-change event is about. The config manager keys a run by the event's
// run_id, else by the execution's name (runIdOf), so the event's input names it. But Step Functions leaves input
// and output out of the EventBridge event (null) when together they pass 248 KB, as a long tables_to_extract list
// does: a run_id given there is unknown, and taking the execution's name would leave the real run RUNNING, its
// tables unclosed and its leases held. Then the RUNNING run that this execution started is looked up on the
// by-status index.
import { runningRuns } from '../tracking/running-runs';
import type { TrackingStore } from '../tracking/tracking-store';
import { runIdOf } from './run-id';

function parseInput(input: string): unknown {
  try {
    return JSON.parse(input);
  } catch {
    return undefined;
  }
}

/** The run id of the execution that ended: from its input when the event has it, else looked up. */
export async function runOfEndedExecution(
  store: TrackingStore,
  execution: { name: string; input?: string | null },
): Promise<string> {
  if (typeof execution.input === 'string') return runIdOf(parseInput(execution.input), execution.name);
  for await (const run of runningRuns(store, execution.name)) return run.run_id;
  return runIdOf(undefined, execution.name);
}
