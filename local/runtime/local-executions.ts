// Executions of the bridged definition in aws-local-stepfunctions: the run's own execution and each child
// execution a Distributed Map starts (map-run.ts), each a run of its own StateMachine with its own context
// (`$$.Execution`), its own abort and its own events. A child's events go to `onChildEvent` with the child's
// identity as they happen, and nothing of a child is kept once it has ended but the outcome its Map Run counts.
import type { RunOptions, StateMachineDefinition } from 'aws-local-stepfunctions';
import { StateMachine } from 'aws-local-stepfunctions';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  DISTRIBUTED_MAP_RESOURCE,
  type BridgedDefinition,
  type DistributedMapPlan,
  type MapRunInput,
} from './distributed-map-bridge';
import type { ExecutionIdentity, ExecutionOutcome, StartedExecution } from './child-execution';
import { runMapRun, type MapRunEvent } from './map-run';

/** The interpreter's event log entries (its EventLog type is not exported). */
export type InterpreterEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

type Overrides = NonNullable<RunOptions['overrides']>;
export type LocalTaskHandlers = NonNullable<Overrides['taskResourceLocalHandlers']>;

/** An event of a child execution (with its identity), or of a Map Run (with its parent's, when that is a child). */
export type ChildEvent = (InterpreterEvent | MapRunEvent) & { execution?: ExecutionIdentity };

export interface LocalExecutionsOptions {
  bridged: BridgedDefinition;
  /** Every Task state's local handler (the Distributed Map stand-ins' are added per execution). */
  handlers: LocalTaskHandlers;
  retryIntervalOverrides: Record<string, number>;
  /** Context entries every execution starts with (the task-token bridge's placeholders). */
  context: Record<string, unknown>;
  s3: () => S3Client;
  onChildEvent?: (event: ChildEvent) => void;
}

interface Machine {
  machine: StateMachine;
  /** The Distributed Map stand-ins this definition runs itself (not those of its children). */
  standIns: DistributedMapPlan[];
}

/** The stand-in Task states of a scope, through inline Maps and Parallel branches (they share its overrides). */
function standInNames(scope: { States: Record<string, unknown> }): string[] {
  const names: string[] = [];
  for (const [name, raw] of Object.entries(scope.States)) {
    const state = raw as Record<string, unknown>;
    if (state.Type === 'Task' && state.Resource === DISTRIBUTED_MAP_RESOURCE) names.push(name);
    const inline = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, unknown> } | undefined;
    if (inline) names.push(...standInNames(inline));
    for (const branch of (state.Branches as { States: Record<string, unknown> }[] | undefined) ?? [])
      names.push(...standInNames(branch));
  }
  return names;
}

/** The error and cause an execution failed with, as its ExecutionFailed event gives them. */
export function outcomeOfError(error: unknown): ExecutionOutcome {
  const failure = error as Error & { cause?: unknown };
  if (failure.name === 'ExecutionAbortedError')
    return { status: 'ABORTED', error: 'ExecutionAborted', cause: failure.message };
  if (failure.name === 'ExecutionTimeoutError')
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: failure.message };
  const inner = (failure.name === 'ExecutionError' ? failure.cause : failure) as
    (Error & { cause?: unknown }) | undefined;
  return {
    status: 'FAILED',
    error: inner?.name ?? 'Error',
    cause: String(inner?.cause ?? inner?.message ?? ''),
  };
}

export class LocalExecutions {
  private readonly machines = new Map<StateMachineDefinition, Machine>();
  /** Children not yet ended, so that a stopped run can wait until each has heard it. */
  private readonly live = new Set<Promise<unknown>>();
  private readonly plainOverrides: Overrides;

  constructor(private readonly options: LocalExecutionsOptions) {
    this.plainOverrides = {
      taskResourceLocalHandlers: options.handlers,
      retryIntervalOverrides: options.retryIntervalOverrides,
    };
  }

  private machineOf(definition: StateMachineDefinition): Machine {
    let entry = this.machines.get(definition);
    if (!entry) {
      const plans = standInNames(definition as never).map((name) => this.options.bridged.maps.get(name)!);
      // The deployed definition was validated as a whole (run-pipeline.ts); its bridged parts are not ASL.
      entry = {
        machine: new StateMachine(definition, { validationOptions: { noValidate: true } }),
        standIns: plans,
      };
      this.machines.set(definition, entry);
    }
    return entry;
  }

  /** The overrides of one execution: its own Map Runs' handlers know whose children they start. */
  private overridesFor(machine: Machine, identity: ExecutionIdentity, signal?: AbortSignal): Overrides {
    if (machine.standIns.length === 0) return this.plainOverrides;
    const handlers: LocalTaskHandlers = { ...this.options.handlers };
    for (const plan of machine.standIns)
      handlers[plan.mapName] = ((input: MapRunInput) =>
        runMapRun({
          plan,
          input,
          parent: identity,
          signal,
          s3: this.options.s3(),
          startChild: (definition, childInput, child, childSignal) =>
            this.start(definition, childInput, child, childSignal),
          onEvent: this.options.onChildEvent,
        })) as LocalTaskHandlers[string];
    return { ...this.plainOverrides, taskResourceLocalHandlers: handlers };
  }

  /**
   * Starts an execution of `definition` (the run's own, or a Map Run's child) and returns the interpreter's
   * handle. `signal` stops the Map Runs it starts; the caller aborts the execution itself.
   */
  run(definition: StateMachineDefinition, input: unknown, identity: ExecutionIdentity, signal?: AbortSignal) {
    const machine = this.machineOf(definition);
    return machine.machine.run(input as never, {
      overrides: this.overridesFor(machine, identity, signal),
      context: {
        ...this.options.context,
        Execution: { Id: identity.arn, Name: identity.name },
        StateMachine: { Id: identity.stateMachineArn, Name: identity.stateMachineArn.split(':').pop() },
      },
    });
  }

  /** Starts a child execution: its events go to onChildEvent, its outcome is all that is left of it. */
  start(
    definition: StateMachineDefinition,
    input: unknown,
    identity: ExecutionIdentity,
    signal?: AbortSignal,
  ): StartedExecution {
    const execution = this.run(definition, input, identity, signal);
    const sink = this.options.onChildEvent;
    const forwarding = sink
      ? (async () => {
          for await (const event of execution.eventLogs) {
            (event as ChildEvent).execution = identity;
            sink(event);
          }
        })()
      : undefined;
    const outcome = execution.result.then(
      (output): ExecutionOutcome => ({ status: 'SUCCEEDED', output }),
      outcomeOfError,
    );
    // The child's events are all delivered before its Map Run hears that it ended.
    const ended = forwarding
      ? outcome.then(async (result) => {
          await forwarding;
          return result;
        })
      : outcome;
    this.live.add(ended);
    void ended.finally(() => this.live.delete(ended));
    return { abort: execution.abort, outcome: ended };
  }

  /** Resolves once every child started so far has ended (and its events were delivered). */
  async idle(): Promise<void> {
    while (this.live.size > 0) await Promise.allSettled([...this.live]);
  }
}
