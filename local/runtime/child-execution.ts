// Who an execution is and how it ended. A Distributed Map's child is a Standard execution of its own in AWS,
// named under the state machine and the Map's Label (`<state machine>/<Label>:<name>`); its Map Run likewise.
export interface ExecutionIdentity {
  name: string;
  arn: string;
  stateMachineArn: string;
  /** A Distributed Map's child: its Map Run, the Map state and the item's index. */
  mapRunArn?: string;
  map?: string;
  index?: number;
}

export type ExecutionOutcome =
  | { status: 'SUCCEEDED'; output: unknown }
  | { status: 'FAILED' | 'TIMED_OUT' | 'ABORTED'; error: string; cause: string };

export interface StartedExecution {
  abort(): void;
  outcome: Promise<ExecutionOutcome>;
}

/** `arn:aws:states:<region>:<account>:` of an execution or state machine ARN. */
function arnPrefix(arn: string): string {
  return arn.split(':').slice(0, 5).join(':');
}

/** The state machine name of an ARN (`extract-pipeline-local`, or `extract-pipeline-local/QuotaGroups`). */
function stateMachineName(stateMachineArn: string): string {
  return stateMachineArn.split(':stateMachine:')[1] ?? stateMachineArn;
}

/** The Map Run's ARN and its children's state machine ARN, for a Map labelled `label` in `parent`. */
export function mapRunNames(parent: ExecutionIdentity, label: string, mapRunId: string) {
  const prefix = arnPrefix(parent.stateMachineArn);
  const name = `${stateMachineName(parent.stateMachineArn)}/${label}`;
  return {
    mapRunArn: `${prefix}:mapRun:${name}:${mapRunId}`,
    childStateMachineArn: `${prefix}:stateMachine:${name}`,
    childArn: (childName: string) => `${prefix}:execution:${name}:${childName}`,
  };
}
