// `runner-credentials create | list | revoke`: task-runner keys in a stage's task-queue table. `--stage S` takes the
// table and region from this repository's serverless.yml and config/S.yml, as `npm run status -- --stage S` does;
// --table (or TASK_QUEUE_TABLE), --region and --endpoint (a DynamoDB endpoint, e.g. the local emulator) name them
// by hand. AWS credentials come from the standard chain.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createRunnerCredential,
  listRunnerCredentials,
  revokeRunnerCredential,
} from '../functions/lib/task-runner/runner-credentials';
import { deployedStageTable } from '../local/stack/stage-environment';
import {
  exitCodeOf,
  helpText,
  parseCommandLine,
  UsageError,
  type CommandOutput,
  type CommandSpec,
} from '../cli/command-line';

/** Any region signs for a local DynamoDB endpoint; this one spares the user an AWS_REGION for it. */
const ENDPOINT_REGION = 'us-east-1';

export const RUNNER_CREDENTIALS_COMMAND = {
  name: 'runner-credentials',
  synopsis: [
    'runner-credentials create --worker-group GROUP [--worker-group GROUP…] [--description TEXT] TABLE-OPTIONS',
    'runner-credentials list TABLE-OPTIONS',
    'runner-credentials revoke --access-key-id KEY TABLE-OPTIONS',
    'where TABLE-OPTIONS is --stage STAGE, or --table NAME [--region REGION] [--endpoint URL]',
  ],
  positionals: true,
  options: {
    'worker-group': {
      type: 'string',
      multiple: true,
      value: 'GROUP',
      description: 'create: a worker group the key may serve (repeat for more)',
    },
    description: { type: 'string', value: 'TEXT', description: 'create: a note kept with the key' },
    'access-key-id': { type: 'string', value: 'KEY', description: 'revoke: the key to revoke' },
    stage: {
      type: 'string',
      value: 'STAGE',
      description: "a deployed stage's task-queue table and region (serverless.yml, config/STAGE.yml)",
    },
    table: { type: 'string', value: 'NAME', description: 'the task-queue table (default $TASK_QUEUE_TABLE)' },
    region: {
      type: 'string',
      value: 'REGION',
      description: `its region (default: --stage's, else the AWS chain's; ${ENDPOINT_REGION} with --endpoint)`,
    },
    endpoint: {
      type: 'string',
      value: 'URL',
      description: "a DynamoDB endpoint, e.g. serve mode's local one",
    },
  },
  notes: `AWS credentials (to write the task-queue table) come from the standard chain: AWS_PROFILE, or
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. create prints the new key's secret once; list never shows it.`,
} satisfies CommandSpec;

type Values = ReturnType<typeof parseCommandLine<typeof RUNNER_CREDENTIALS_COMMAND.options>>['values'];

function tableAndRegion(values: Values): { tableName: string; region?: string } {
  if (values.stage) {
    if (values.table) throw new UsageError('--stage and --table: give one or the other');
    const deployed = deployedStageTable(values.stage, 'taskQueueTable');
    return { ...deployed, ...(values.region ? { region: values.region } : {}) };
  }
  const tableName = values.table ?? process.env.TASK_QUEUE_TABLE;
  if (!tableName) throw new UsageError('no table: pass --stage or --table (or set TASK_QUEUE_TABLE)');
  const region = values.region ?? (values.endpoint ? ENDPOINT_REGION : undefined);
  return { tableName, ...(region ? { region } : {}) };
}

async function runCredentials(argv: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseCommandLine(RUNNER_CREDENTIALS_COMMAND, argv);
  if (values.help) {
    output.stdout.write(helpText(RUNNER_CREDENTIALS_COMMAND));
    return 0;
  }
  const [command, ...extra] = positionals;
  if (!command) throw new UsageError('name a command: create, list or revoke');
  if (!['create', 'list', 'revoke'].includes(command))
    throw new UsageError(`unknown command ${command} (create, list or revoke)`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  if (command === 'revoke' && !values['access-key-id'])
    throw new UsageError('revoke: --access-key-id is required');
  const { tableName, region } = tableAndRegion(values);
  const client = new DynamoDBClient({
    ...(region ? { region } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
  });
  try {
    await client.config.region();
  } catch {
    client.destroy();
    throw new UsageError('no region: pass --stage or --region (or set AWS_REGION)');
  }
  const deps = { documentClient: DynamoDBDocumentClient.from(client), tableName, now: Date.now };
  const print = (value: unknown) => output.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  try {
    if (command === 'create')
      // The secret is shown once, here; it cannot be listed later.
      print(await createRunnerCredential(values['worker-group'] ?? [], deps, values.description));
    else if (command === 'list') print(await listRunnerCredentials(deps));
    else {
      await revokeRunnerCredential(values['access-key-id']!, deps);
      print({ revoked: values['access-key-id'] });
    }
    return 0;
  } finally {
    client.destroy();
  }
}

/** The bin's entry (bin/runner-credentials.js): the exit code, an error as one line on stderr. */
export function main(argv: string[], output: CommandOutput = process): Promise<number> {
  return exitCodeOf(RUNNER_CREDENTIALS_COMMAND, runCredentials, argv, output);
}
