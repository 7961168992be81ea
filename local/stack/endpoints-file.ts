// `.local/endpoints.json`: where a running serve instance can be reached, for `npm start`, `npm run status`,
// scripts and other tools (any S3 client, boto3 against the task-runner endpoint).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root';

export const DEFAULT_DATA_DIR = join(PROJECT_ROOT, '.local');

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface LocalEndpoints {
  s3: string;
  bucket: string;
  triggerPrefix: string;
  /** The task-runner endpoint (Data Pipeline JSON protocol), when serve mode could start it. */
  taskRunner?: string;
  dynamodb: string;
  trackingTable: string;
  region: string;
  /** For S3 and DynamoDB. */
  credentials: Credentials;
  /** For the task-runner endpoint: a runner credential, as `runner-credentials` issues when deployed. */
  runnerCredentials?: Credentials & { workerGroups: string[] };
  /** Serve mode's control endpoint (start a run, replay an upload event); 127.0.0.1 only. */
  control: string;
  pid: number;
}

export function endpointsPath(dataDir: string): string {
  return join(dataDir, 'endpoints.json');
}

export function readEndpoints(dataDir: string): LocalEndpoints | undefined {
  const path = endpointsPath(dataDir);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LocalEndpoints;
  } catch {
    return undefined;
  }
}

export function writeEndpoints(dataDir: string, endpoints: LocalEndpoints): void {
  writeFileSync(endpointsPath(dataDir), `${JSON.stringify(endpoints, null, 2)}\n`);
}

export function removeEndpoints(dataDir: string): void {
  rmSync(endpointsPath(dataDir), { force: true });
}
