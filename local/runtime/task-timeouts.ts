// Task states without TimeoutSeconds. Step Functions sets no timeout on them ("By default, the Amazon States
// Language doesn't specify timeouts", Step Functions guide, "Using timeouts to avoid stuck executions"): a Lambda
// task ends when the function returns or its own timeout stops it. aws-local-stepfunctions applies the States
// Language spec's 60 s instead, which fails a config manager that reads a 100,000-table config on a busy machine.
// So the loaded definition's timeout-less Task states get the longest timer Node can set, here and nowhere else.
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** setTimeout's ceiling (2^31 - 1 ms, about 24.8 days): a longer delay would fire at once. */
export const NO_TASK_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

type State = Record<string, unknown>;

/** Sets TimeoutSeconds on every Task state that has neither it nor TimeoutSecondsPath, in place. */
export function removeDefaultTaskTimeouts(definition: StateMachineDefinition): StateMachineDefinition {
  const visit = (scope: { States: Record<string, State> }) => {
    for (const state of Object.values(scope.States)) {
      if (state.Type === 'Task' && !('TimeoutSeconds' in state) && !('TimeoutSecondsPath' in state))
        state.TimeoutSeconds = NO_TASK_TIMEOUT_SECONDS;
      const processor = (state.ItemProcessor ?? state.Iterator) as
        { States: Record<string, State> } | undefined;
      if (processor) visit(processor);
      for (const branch of (state.Branches as { States: Record<string, State> }[] | undefined) ?? [])
        visit(branch);
    }
  };
  visit(definition as unknown as { States: Record<string, State> });
  return definition;
}
