// `runner-credentials create --worker-group G [--worker-group H] | list | revoke --access-key-id K`, against the
// task-queue table named by --table or TASK_QUEUE_TABLE. --region and --endpoint (a DynamoDB endpoint, e.g. the
// local emulator) override the SDK defaults; AWS credentials come from the standard chain.
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createRunnerCredential,
  listRunnerCredentials,
  revokeRunnerCredential,
} from '../functions/lib/task-runner/runner-credentials';

const USAGE = `Usage: runner-credentials create --worker-group GROUP [--worker-group GROUP…] [--description TEXT]
       runner-credentials list
       runner-credentials revoke --access-key-id KEY
Options: --table NAME (default $TASK_QUEUE_TABLE)  --region REGION  --endpoint URL`;

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'worker-group': { type: 'string', multiple: true },
        'access-key-id': { type: 'string' },
        description: { type: 'string' },
        table: { type: 'string' },
        region: { type: 'string' },
        endpoint: { type: 'string' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const tableName = values.table ?? process.env.TASK_QUEUE_TABLE;
  const [command] = positionals;
  if (!tableName || !command) {
    process.stderr.write(`${tableName ? '' : 'No table: pass --table or set TASK_QUEUE_TABLE.\n'}${USAGE}\n`);
    return 2;
  }
  const client = new DynamoDBClient({
    ...(values.region ? { region: values.region } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
  });
  const deps = { documentClient: DynamoDBDocumentClient.from(client), tableName, now: Date.now };
  const print = (value: unknown) => out.write(`${JSON.stringify(value, null, 2)}\n`);
  try {
    switch (command) {
      case 'create':
        // The secret is shown once, here; it cannot be listed later.
        print(await createRunnerCredential(values['worker-group'] ?? [], deps, values.description));
        return 0;
      case 'list':
        print(await listRunnerCredentials(deps));
        return 0;
      case 'revoke':
        if (!values['access-key-id']) throw new Error('--access-key-id is required.');
        await revokeRunnerCredential(values['access-key-id'], deps);
        print({ revoked: values['access-key-id'] });
        return 0;
      default:
        process.stderr.write(`Unknown command '${command}'.\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
    return 1;
  } finally {
    client.destroy();
  }
}
