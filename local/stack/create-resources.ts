// Creates the local tracking table and config bucket from the same CloudFormation files that are deployed
// (resources/*.yml), so the local schema cannot drift from the real one.
import { join } from 'node:path';
import {
  CreateTableCommand,
  ResourceInUseException,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { PROJECT_ROOT } from '../project-root';
import { readCloudFormationYaml } from '../read-cloudformation-yaml';

interface ResourceFile {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}
const resourceFiles = new Map<string, ResourceFile>();

/**
 * A resources/*.yml file as plain data, parsed once per process: the stage's names resolve each !Ref by looking
 * through every resource file, which parsed them all again for each Ref (a quarter of a second at every start).
 */
export function readResourceFile(file: string): ResourceFile {
  let parsed = resourceFiles.get(file);
  if (!parsed) {
    parsed = readCloudFormationYaml(join(PROJECT_ROOT, 'resources', file)) as ResourceFile;
    resourceFiles.set(file, parsed);
  }
  return parsed;
}

function resourceOfType(file: string, type: string) {
  const resource = Object.values(readResourceFile(file).Resources).find((r) => r.Type === type);
  if (!resource) throw new Error(`resources/${file} has no ${type}`);
  return resource.Properties;
}

export async function createTrackingTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  await createTableFromResource(dynamodb, 'tracking-table.yml', tableName);
}

export async function createTaskQueueTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  await createTableFromResource(dynamodb, 'task-queue-table.yml', tableName);
}

async function createTableFromResource(
  dynamodb: DynamoDBClient,
  file: string,
  tableName: string,
): Promise<void> {
  const properties = resourceOfType(file, 'AWS::DynamoDB::Table');
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: properties.BillingMode as 'PAY_PER_REQUEST',
        AttributeDefinitions: properties.AttributeDefinitions as never,
        KeySchema: properties.KeySchema as never,
        GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes as never,
      }),
    );
  } catch (error) {
    // Serve mode keeps its data across restarts: an existing table is the expected case there.
    if (!(error instanceof ResourceInUseException) && (error as Error).name !== 'ResourceInUseException')
      throw error;
  }
  // CreateTable answers while the table is still CREATING (dynalite too, for a moment, under load); a write
  // before it is ACTIVE fails with ResourceNotFoundException. The first check is immediate.
  await waitUntilTableExists(
    { client: dynamodb, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
    { TableName: tableName },
  );
}

export async function createConfigBucket(s3: S3Client, bucketName: string): Promise<void> {
  resourceOfType('config-bucket.yml', 'AWS::S3::Bucket');
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucketName }));
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
}
