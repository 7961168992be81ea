// Maps the state machine's function references to handler code using serverless.yml itself, so the local
// runtime calls exactly the handlers that are deployed, with no second list to keep in step.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root';
import { readCloudFormationYaml } from '../read-cloudformation-yaml';

export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

export interface LambdaFunctionInfo {
  /** The key under `functions:` in serverless.yml. */
  name: string;
  /** CloudFormation logical id, as the definition's Fn::GetAtt names it. */
  logicalId: string;
  /** Module path relative to the project root, without extension. */
  module: string;
  exportName: string;
}

/** Serverless's logical id rule: upper-case first letter, `-` → `Dash`, `_` → `Underscore`, + `LambdaFunction`. */
export function functionLogicalId(name: string): string {
  const normalized = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

export function listLambdaFunctions(
  serverlessYmlPath = join(PROJECT_ROOT, 'serverless.yml'),
): LambdaFunctionInfo[] {
  const document = readCloudFormationYaml(serverlessYmlPath) as {
    functions?: Record<string, { handler?: string }>;
  };
  const functions = document.functions ?? {};
  return Object.entries(functions).map(([name, config]) => {
    const handler = String(config.handler);
    const dot = handler.lastIndexOf('.');
    return {
      name,
      logicalId: functionLogicalId(name),
      module: handler.slice(0, dot),
      exportName: handler.slice(dot + 1),
    };
  });
}

export function loadLambdaHandler(info: LambdaFunctionInfo): LambdaHandler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(join(PROJECT_ROOT, info.module)) as Record<string, LambdaHandler>;
  const handler = loaded[info.exportName];
  if (typeof handler !== 'function')
    throw new Error(`${info.module}.${info.exportName} is not a function (serverless.yml ${info.name})`);
  return handler;
}
