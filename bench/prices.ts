// List prices the cost figures assume, and each function's billed size from serverless.yml. Checked on
// 2026-11-25 against aws.amazon.com/step-functions/pricing ("$0.025 per 1,000 state transitions": us-east-1,
// eu-west-1 and most regions; a few cost more) and aws.amazon.com/lambda/pricing (us-east-1: $0.20 per 1M
// requests; duration per GB-second, first pricing tier). Free tiers are left out: a figure per 1,000 tables
// should not depend on what else the account runs.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../local/project-root';
import { readCloudFormationYaml } from '../local/read-cloudformation-yaml';
import { functionLogicalId } from '../local/runtime/lambda-functions';

export const PRICES = {
  standardTransitionUsd: 0.025 / 1000,
  lambdaRequestUsd: 0.2 / 1_000_000,
  lambdaGbSecondUsd: { arm64: 0.0000133334, x86_64: 0.0000166667 },
} as const;

export interface FunctionSize {
  memoryMb: number;
  architecture: keyof typeof PRICES.lambdaGbSecondUsd;
}

/** Memory and architecture of each function by logical id, as serverless.yml configures them. */
export function functionSizes(): Record<string, FunctionSize> {
  const service = readCloudFormationYaml(join(PROJECT_ROOT, 'serverless.yml')) as {
    provider: { memorySize?: number; architecture?: FunctionSize['architecture'] };
    functions: Record<string, { memorySize?: number }>;
  };
  const architecture = service.provider.architecture ?? 'x86_64';
  return Object.fromEntries(
    Object.entries(service.functions).map(([name, fn]) => [
      functionLogicalId(name),
      { memoryMb: fn.memorySize ?? service.provider.memorySize ?? 1024, architecture },
    ]),
  );
}

/** The assumption line the bench prints with every cost. */
export const PRICE_ASSUMPTION =
  'Prices: Standard workflow $0.025 per 1,000 state transitions; Lambda $0.20 per 1M requests and ' +
  `$${PRICES.lambdaGbSecondUsd.arm64} per GB-s on arm64 ($${PRICES.lambdaGbSecondUsd.x86_64} x86_64), us-east-1 list prices ` +
  '(eu-west-1 is the same), free tiers left out.';
