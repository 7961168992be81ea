// `npm run preflight`: the stage file checked offline with the shared schema and for example values, and, with
// credentials, each resource it names looked up in the account (AWS stubbed at the SDK boundary).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClustersCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  EMRServerlessClient,
  GetApplicationCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-emr-serverless';
import { EntityNotFoundException, GetJobCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { parse, stringify } from 'yaml';
import { preflight } from '../../../tools/preflight/preflight';

const ROOT = join(__dirname, '..', '..', '..');
const ACCOUNT = '314159265358';

const sts = mockClient(STSClient);
const glue = mockClient(GlueClient);
const emr = mockClient(EMRServerlessClient);
const iam = mockClient(IAMClient);
const ecs = mockClient(ECSClient);
const ec2 = mockClient(EC2Client);

/** config/dev.yml with the example values replaced by an account's real-looking ones. */
function readyConfig(): Record<string, unknown> {
  const text = readFileSync(join(ROOT, 'config', 'dev.yml'), 'utf8')
    .replaceAll('123456789012', ACCOUNT)
    .replace('00fabc123example', '00fq1w2e3r4t5y6u')
    .replaceAll('0123456789abcdef', '0a1b2c3d4e5f60718');
  return parse(text) as Record<string, unknown>;
}

let root: string;
let lines: string[];

function writeStage(stage: string, config: unknown): void {
  writeFileSync(join(root, 'config', `${stage}.yml`), stringify(config));
}

async function run(stage: string, offline = false): Promise<number> {
  return preflight({ stage, offline, root, write: (line) => lines.push(line) });
}

/** An account that has everything the ready config names. */
function anAccountWithEverything(): void {
  const config = readyConfig() as {
    ecs: { subnets: string[]; securityGroups: string[]; containerName: string };
  };
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
  glue.on(GetJobCommand).resolves({ Job: { Name: 'x' } });
  emr.on(GetApplicationCommand).resolves({});
  iam.on(GetRoleCommand).resolves({});
  ecs.on(DescribeClustersCommand).resolves({ clusters: [{ status: 'ACTIVE' }] });
  ecs
    .on(DescribeTaskDefinitionCommand)
    .resolves({ taskDefinition: { containerDefinitions: [{ name: config.ecs.containerName }] } });
  ec2.on(DescribeSubnetsCommand).resolves({ Subnets: config.ecs.subnets.map((SubnetId) => ({ SubnetId })) });
  ec2
    .on(DescribeSecurityGroupsCommand)
    .resolves({ SecurityGroups: config.ecs.securityGroups.map((GroupId) => ({ GroupId })) });
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'preflight-'));
  mkdirSync(join(root, 'config'));
  lines = [];
  for (const mock of [sts, glue, emr, iam, ecs, ec2]) mock.reset();
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('preflight offline', () => {
  it('lists every example value of the shipped configs by key and exits 1', async () => {
    // Prepare: the shipped files as they are
    for (const stage of ['dev', 'prod'])
      writeStage(stage, parse(readFileSync(join(ROOT, 'config', `${stage}.yml`), 'utf8')));

    // Act
    const codes = [await run('dev', true), await run('prod', true)];

    // Assess
    expect(codes).toEqual([1, 1]);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^✗ emr\.applicationId: '00fabc123example' is an example value/),
        expect.stringMatching(/^✗ emr\.executionRoleArn: .* is an example account id/),
        expect.stringMatching(/^✗ ecs\.subnets\[1\]: 'subnet-0123456789abcdef1' is an example resource id/),
        expect.stringMatching(/^✗ ecs\.securityGroups\[0\]: /),
        expect.stringMatching(/^✗ alarmEmail: 'data-platform-alerts@example\.com' is an example value/),
      ]),
    );
  });

  it('names each invalid field with the schema the stage settings use', async () => {
    const config = readyConfig() as {
      maxConcurrency: unknown;
      concurrency: unknown;
      ecs: Record<string, unknown>;
    };
    config.maxConcurrency = 0;
    config.concurrency = { glue: 2, emr: 0, workerGroups: { 'onprem-db': 1.5 }, gluee: 3 };
    config.ecs.subnets = ['not-a-subnet'];
    writeStage('staging', config);

    expect(await run('staging', true)).toBe(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^✗ maxConcurrency: /),
        expect.stringMatching(/^✗ concurrency\.emr: Too small/),
        expect.stringMatching(/^✗ concurrency\.workerGroups\.onprem-db: .*int/),
        expect.stringMatching(/^✗ concurrency: Unrecognized key: "gluee"/),
        '✗ ecs.subnets[0]: must be a subnet id',
        'account checks skipped (--offline)',
      ]),
    );
  });

  it('says which file to create for a stage without one', async () => {
    expect(await run('staging', true)).toBe(1);
    expect(lines).toEqual([
      "✗ config/staging.yml does not exist: copy config/dev.yml to config/staging.yml and set your account's values",
    ]);
  });
});

describe('preflight with credentials', () => {
  it('passes a ready config whose resources all exist, read-only', async () => {
    writeStage('staging', readyConfig());
    anAccountWithEverything();

    expect(await run('staging')).toBe(0);
    expect(lines).toEqual([
      `checking account ${ACCOUNT} in eu-west-1 (read-only)`,
      'config/staging.yml: no problems found',
    ]);
  });

  it('names the config key of each missing resource and of a role in another account', async () => {
    // Prepare
    const config = readyConfig() as {
      glue: { allowedJobNames: string[] };
      ecs: { subnets: string[]; taskRoleArn: string };
    };
    config.ecs.taskRoleArn = 'arn:aws:iam::999999999999:role/elsewhere';
    writeStage('staging', config);
    anAccountWithEverything();
    glue
      .on(GetJobCommand, { JobName: config.glue.allowedJobNames[1] })
      .rejects(new EntityNotFoundException({ message: 'not found', $metadata: {} }));
    emr.on(GetApplicationCommand).rejects(new ResourceNotFoundException({ message: 'nope', $metadata: {} }));
    iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'no role', $metadata: {} }));
    ecs.on(DescribeClustersCommand).resolves({ clusters: [], failures: [{ reason: 'MISSING' }] });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: config.ecs.subnets[0] }] });

    // Act
    const code = await run('staging');

    // Assess
    expect(code).toBe(1);
    const problems = lines.filter((line) => line.startsWith('✗'));
    expect(problems.map((line) => line.slice(2, line.indexOf(':')))).toEqual(
      expect.arrayContaining([
        'glue.allowedJobNames[1]',
        'emr.applicationId',
        'emr.executionRoleArn',
        'ecs.cluster',
        'ecs.taskRoleArn',
        'ecs.executionRoleArn',
        'ecs.subnets[1]',
      ]),
    );
    expect(problems).toHaveLength(7);
    expect(problems).toContainEqual(
      expect.stringMatching(/ecs\.taskRoleArn: .* is in account 999999999999, not 314159265358/),
    );
    // Read-only: nothing but Describe/Get calls reached AWS.
    const calls = [sts, glue, emr, iam, ecs, ec2].flatMap((mock) =>
      mock.calls().map((call) => call.args[0].constructor.name),
    );
    expect(calls.every((name) => /^(Get|Describe)/.test(name))).toBe(true);
  });

  it('skips the account checks without credentials and still reports the file', async () => {
    writeStage('staging', readyConfig());
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );

    expect(await run('staging')).toBe(0);
    expect(lines[0]).toMatch(/^account checks skipped: no usable AWS credentials/);
  });
});
