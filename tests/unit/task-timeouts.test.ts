// Task states without TimeoutSeconds keep none locally, as in Step Functions, instead of the interpreter's 60 s.
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { loadDefinition } from '../../local/runtime/load-definition';
import { NO_TASK_TIMEOUT_SECONDS, removeDefaultTaskTimeouts } from '../../local/runtime/task-timeouts';

type State = Record<string, unknown>;
type Scope = { States: Record<string, State> };

describe('Task states without a timeout', () => {
  it('get no 60 s timeout, inside a Map too, while a timeout the definition sets stays', () => {
    // Prepare
    const definition = {
      StartAt: 'Long Lambda',
      States: {
        'Long Lambda': { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'Each' },
        Each: {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'Job',
            States: {
              Job: {
                Type: 'Task',
                Resource: 'arn:aws:states:::glue:startJobRun.sync',
                TimeoutSeconds: 600,
                Next: 'Record',
              },
              Record: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true },
            },
          },
          Next: 'By Path',
        },
        'By Path': {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          TimeoutSecondsPath: '$.t',
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    } as unknown as StateMachineDefinition;

    // Act
    const states = (removeDefaultTaskTimeouts(definition) as unknown as Scope).States;

    // Assess
    const inner = (states.Each!.ItemProcessor as Scope).States;
    expect(states['Long Lambda']!.TimeoutSeconds).toBe(NO_TASK_TIMEOUT_SECONDS);
    expect(inner.Record!.TimeoutSeconds).toBe(NO_TASK_TIMEOUT_SECONDS);
    expect(inner.Job!.TimeoutSeconds).toBe(600);
    expect(states['By Path']).not.toHaveProperty('TimeoutSeconds');
    expect(states.Done).not.toHaveProperty('TimeoutSeconds');
  });

  it('lets the deployed config manager run as long as its function may', () => {
    const states = (removeDefaultTaskTimeouts(loadDefinition()) as unknown as Scope).States;

    expect(states['Extract Config Manager']!.TimeoutSeconds).toBe(NO_TASK_TIMEOUT_SECONDS);
    // A node timer of that many milliseconds still fits in 32 bits, so it does not fire at once.
    expect(NO_TASK_TIMEOUT_SECONDS * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
  });
});
