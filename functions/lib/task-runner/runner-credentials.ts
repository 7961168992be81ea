// Runner credentials: SigV4 key pairs that the stage issues per worker group, kept in the task-queue table
// (encrypted at rest with KMS). `secretSource` leaves room for keeping secrets in Secrets Manager later without
// changing callers: lookups go through getActiveRunnerCredential only.
import { randomBytes } from 'node:crypto';
import { GetCommand, paginateQuery, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AccessDeniedException } from './protocol-errors';
import { isConditionFailure } from '../is-condition-failure';

export interface RunnerCredentialsDeps {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  now: () => number;
}

export interface RunnerCredential {
  accessKeyId: string;
  workerGroups: string[];
  createdAt: string;
  revokedAt?: string;
  description?: string;
}

export interface IssuedRunnerCredential extends RunnerCredential {
  secretAccessKey: string;
}

export interface ActiveRunnerCredential extends RunnerCredential {
  secretAccessKey: string;
}

export class RunnerCredentialNotFoundError extends Error {
  override name = 'RunnerCredentialNotFoundError';
}

export class InvalidWorkerGroupError extends Error {
  override name = 'InvalidWorkerGroupError';
}

const CREDENTIAL_SK = 'CREDENTIAL';
const CREDENTIALS_INDEX_PK = 'CREDENTIALS';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export const credentialKey = (accessKeyId: string) => ({ pk: `CRED#${accessKeyId}`, sk: CREDENTIAL_SK });

function newAccessKeyId(): string {
  // Same shape as an IAM key id (20 upper-case characters) so SDK credential loaders accept it anywhere;
  // the AKXR prefix marks it as ours in logs and config files.
  const bytes = randomBytes(16);
  let id = 'AKXR';
  for (const byte of bytes) id += BASE32[byte % 32];
  return id;
}

export async function createRunnerCredential(
  workerGroups: string[],
  deps: RunnerCredentialsDeps,
  description?: string,
): Promise<IssuedRunnerCredential> {
  if (workerGroups.length === 0) throw new InvalidWorkerGroupError('At least one worker group is required.');
  for (const group of workerGroups) {
    if (group.length < 1 || group.length > 1024) {
      throw new InvalidWorkerGroupError(`Worker group must be 1-1024 characters: '${group.slice(0, 40)}'.`);
    }
  }
  const credential: IssuedRunnerCredential = {
    accessKeyId: newAccessKeyId(),
    secretAccessKey: randomBytes(30).toString('base64'),
    workerGroups: [...new Set(workerGroups)],
    createdAt: new Date(deps.now()).toISOString(),
    ...(description ? { description } : {}),
  };
  await deps.documentClient.send(
    new PutCommand({
      TableName: deps.tableName,
      Item: {
        ...credentialKey(credential.accessKeyId),
        gsi1pk: CREDENTIALS_INDEX_PK,
        gsi1sk: `${credential.createdAt}#${credential.accessKeyId}`,
        kind: 'credential',
        secretSource: 'table',
        ...credential,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return credential;
}

/**
 * Adds worker groups to an active credential's grants (existing grants stay). Local serve mode grants its runner
 * key the worker groups of each config it runs; a revoked or unknown key is never re-granted.
 */
export async function grantRunnerCredentialWorkerGroups(
  accessKeyId: string,
  workerGroups: string[],
  deps: RunnerCredentialsDeps,
): Promise<string[]> {
  const credential = await getActiveRunnerCredential(accessKeyId, deps);
  if (!credential) throw new RunnerCredentialNotFoundError(`No active runner credential ${accessKeyId}.`);
  const granted = [...new Set([...credential.workerGroups, ...workerGroups])];
  if (granted.length === credential.workerGroups.length) return granted;
  for (const group of granted) {
    if (group.length < 1 || group.length > 1024) {
      throw new InvalidWorkerGroupError(`Worker group must be 1-1024 characters: '${group.slice(0, 40)}'.`);
    }
  }
  try {
    await deps.documentClient.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: credentialKey(accessKeyId),
        UpdateExpression: 'SET workerGroups = :groups',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeValues: { ':groups': granted },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) {
      throw new RunnerCredentialNotFoundError(`No active runner credential ${accessKeyId}.`);
    }
    throw error;
  }
  return granted;
}

export async function getActiveRunnerCredential(
  accessKeyId: string,
  deps: RunnerCredentialsDeps,
): Promise<ActiveRunnerCredential | undefined> {
  const { Item } = await deps.documentClient.send(
    new GetCommand({ TableName: deps.tableName, Key: credentialKey(accessKeyId), ConsistentRead: true }),
  );
  if (!Item || Item.revokedAt || typeof Item.secretAccessKey !== 'string') return undefined;
  return {
    accessKeyId,
    secretAccessKey: Item.secretAccessKey,
    workerGroups: (Item.workerGroups as string[] | undefined) ?? [],
    createdAt: String(Item.createdAt),
  };
}

/** Never returns secrets: listing is for operators and status tooling. */
export async function listRunnerCredentials(deps: RunnerCredentialsDeps): Promise<RunnerCredential[]> {
  const credentials: RunnerCredential[] = [];
  const pages = paginateQuery(
    { client: deps.documentClient },
    {
      TableName: deps.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': CREDENTIALS_INDEX_PK },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      credentials.push({
        accessKeyId: String(item.accessKeyId),
        workerGroups: (item.workerGroups as string[] | undefined) ?? [],
        createdAt: String(item.createdAt),
        ...(item.revokedAt ? { revokedAt: String(item.revokedAt) } : {}),
        ...(item.description ? { description: String(item.description) } : {}),
      });
    }
  }
  return credentials;
}

export async function revokeRunnerCredential(
  accessKeyId: string,
  deps: RunnerCredentialsDeps,
): Promise<void> {
  try {
    await deps.documentClient.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: credentialKey(accessKeyId),
        // The secret is dropped on revocation: a revoked key can never verify again, even if revokedAt were lost.
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now) REMOVE secretAccessKey',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': new Date(deps.now()).toISOString() },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) {
      throw new RunnerCredentialNotFoundError(`No runner credential with access key id ${accessKeyId}.`);
    }
    throw error;
  }
}

/** The verified caller of an endpoint operation and the worker groups its key may serve. */
export interface Caller {
  accessKeyId: string;
  workerGroups: string[];
}

/** Exact, case-sensitive match, as Data Pipeline matches worker groups: no wildcards, no prefixes. */
export function assertWorkerGroupGranted(caller: Caller, workerGroup: string): void {
  if (!caller.workerGroups.includes(workerGroup)) {
    throw new AccessDeniedException(
      `Access key ${caller.accessKeyId} is not granted the worker group '${workerGroup.slice(0, 100)}'.`,
    );
  }
}
