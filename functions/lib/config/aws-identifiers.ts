// Identifier rules that the stage settings file (stage-config-file.ts) and a table's overrides (extract-config.ts)
// both apply. zod/mini like the other schemas the Lambdas load (docs/design.md, cold load).
import * as z from 'zod/mini';
import '../zod-english';

export const GLUE_WORKER_TYPES = ['Standard', 'G.025X', 'G.1X', 'G.2X', 'G.4X', 'G.8X', 'Z.2X'] as const;

export const iamRoleArn = z
  .string()
  .check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'));
export const emrApplicationId = z
  .string()
  .check(z.regex(/^[0-9a-z]+$/, 'must be an EMR Serverless application id'));
export const subnetId = z.string().check(z.regex(/^subnet-[0-9a-f]+$/, 'must be a subnet id'));
export const securityGroupId = z.string().check(z.regex(/^sg-[0-9a-f]+$/, 'must be a security group id'));
