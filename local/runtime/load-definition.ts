// Loads the deployed state machine definition for the local interpreter: the same file serverless.yml deploys,
// with each `Fn::GetAtt: [<LogicalId>, Arn]` (resolved by CloudFormation when deployed) replaced by the
// logical id, which the local runtime maps to the function's handler.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../project-root';

export const DEFINITION_PATH = join(PROJECT_ROOT, 'statemachines', 'extract-pipeline.asl.yml');

function resolveIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && Object.keys(record).length === 1) return String(getAtt[0]);
    return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, resolveIntrinsics(inner)]));
  }
  return value;
}

export function loadDefinition(path: string = DEFINITION_PATH): StateMachineDefinition {
  return resolveIntrinsics(parse(readFileSync(path, 'utf8'))) as StateMachineDefinition;
}

export interface TaskStateInfo {
  name: string;
  resource: string;
  /** For `lambda:invoke` states: the function's logical id. */
  functionId?: string;
  retryable: boolean;
}

/** Every Task state, including those inside Map item processors (state names are unique machine-wide). */
export function listTaskStates(definition: { States: Record<string, unknown> }): TaskStateInfo[] {
  const tasks: TaskStateInfo[] = [];
  for (const [name, raw] of Object.entries(definition.States)) {
    const state = raw as Record<string, unknown>;
    if (state.Type === 'Task') {
      const parameters = (state.Parameters ?? {}) as Record<string, unknown>;
      tasks.push({
        name,
        resource: String(state.Resource),
        functionId: typeof parameters.FunctionName === 'string' ? parameters.FunctionName : undefined,
        retryable: Array.isArray(state.Retry),
      });
    }
    const processor = (state.ItemProcessor ?? state.Iterator) as
      { States: Record<string, unknown> } | undefined;
    if (processor) tasks.push(...listTaskStates(processor));
  }
  return tasks;
}
