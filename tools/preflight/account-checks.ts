// Read-only checks against the account and region a stage deploys to: does everything config/<stage>.yml names
// exist there, and are the roles the state machine passes (iam:PassRole) in the same account? Each finding
// names the config key to fix. Only Describe/Get calls: nothing is created or changed.
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClustersCommand, DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { GetApplicationCommand, type EMRServerlessClient } from '@aws-sdk/client-emr-serverless';
import { GetJobCommand, type GlueClient } from '@aws-sdk/client-glue';
import { GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { StageConfigFile } from '../../functions/lib/config/stage-config-file';

export interface AccountClients {
  glue: GlueClient;
  emr: EMRServerlessClient;
  iam: IAMClient;
  ecs: ECSClient;
  ec2: EC2Client;
}

/** Something the stage file names that the account does not have, by its config key. */
export interface Finding {
  key: string;
  problem: string;
}

const NOT_FOUND = new Set([
  'EntityNotFoundException', // Glue
  'ResourceNotFoundException', // EMR Serverless
  'NoSuchEntityException', // IAM (NoSuchEntity on the wire)
  'NoSuchEntity',
  'ClientException', // ECS: "Unable to describe task definition"
  'InvalidSubnetID.NotFound',
  'InvalidGroup.NotFound',
]);

/** Runs a lookup; a not-found answer becomes a finding, anything else (access denied, throttling) one too. */
async function exists(key: string, what: string, lookup: () => Promise<unknown>): Promise<Finding[]> {
  try {
    await lookup();
    return [];
  } catch (error) {
    const { name, message } = error as Error;
    if (NOT_FOUND.has(name)) return [{ key, problem: `${what} does not exist in this account and region` }];
    return [{ key, problem: `${what} could not be checked: ${name}: ${message}` }];
  }
}

function roleName(arn: string): string {
  return arn
    .slice(arn.indexOf(':role/') + ':role/'.length)
    .split('/')
    .pop()!;
}

function accountOf(arn: string): string | undefined {
  return arn.split(':')[4];
}

async function checkRole(
  clients: AccountClients,
  key: string,
  arn: string,
  account: string,
): Promise<Finding[]> {
  if (accountOf(arn) !== account) {
    return [
      {
        key,
        problem: `role ${arn} is in account ${accountOf(arn) ?? '?'}, not ${account}: iam:PassRole cannot pass a role of another account`,
      },
    ];
  }
  return exists(key, `IAM role ${arn}`, () =>
    clients.iam.send(new GetRoleCommand({ RoleName: roleName(arn) })),
  );
}

async function checkEcsCluster(clients: AccountClients, cluster: string): Promise<Finding[]> {
  try {
    const found = await clients.ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
    const active = found.clusters?.some((c) => c.status === 'ACTIVE');
    return active
      ? []
      : [{ key: 'ecs.cluster', problem: `ECS cluster ${cluster} does not exist or is not ACTIVE` }];
  } catch (error) {
    const { name, message } = error as Error;
    return [
      { key: 'ecs.cluster', problem: `ECS cluster ${cluster} could not be checked: ${name}: ${message}` },
    ];
  }
}

async function checkTaskDefinition(clients: AccountClients, ecs: StageConfigFile['ecs']): Promise<Finding[]> {
  try {
    const found = await clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: ecs.taskDefinition }),
    );
    const containers = found.taskDefinition?.containerDefinitions?.map((c) => c.name) ?? [];
    if (containers.includes(ecs.containerName)) return [];
    return [
      {
        key: 'ecs.containerName',
        problem: `task definition ${ecs.taskDefinition} has no container ${ecs.containerName} (it has ${containers.join(', ') || 'none'})`,
      },
    ];
  } catch (error) {
    const { name, message } = error as Error;
    if (NOT_FOUND.has(name))
      return [
        { key: 'ecs.taskDefinition', problem: `ECS task definition ${ecs.taskDefinition} does not exist` },
      ];
    return [{ key: 'ecs.taskDefinition', problem: `could not be checked: ${name}: ${message}` }];
  }
}

/** Ids of a list that the account does not have, each by its key (`ecs.subnets[1]`). */
async function checkIds(
  key: string,
  kind: string,
  ids: string[],
  describe: () => Promise<string[]>,
): Promise<Finding[]> {
  if (ids.length === 0) return [];
  let found: string[];
  try {
    found = await describe();
  } catch (error) {
    const { name, message } = error as Error;
    return [{ key, problem: `${kind}s could not be checked: ${name}: ${message}` }];
  }
  return ids.flatMap((id, index) =>
    found.includes(id)
      ? []
      : [{ key: `${key}[${index}]`, problem: `${kind} ${id} does not exist in this account and region` }],
  );
}

/** Every config key whose resource is missing from `account` (the caller's), checked read-only. */
export async function checkAccount(
  config: StageConfigFile,
  account: string,
  clients: AccountClients,
): Promise<Finding[]> {
  const checks: Promise<Finding[]>[] = [
    ...config.glue.allowedJobNames.map((name, index) =>
      exists(`glue.allowedJobNames[${index}]`, `Glue job ${name}`, () =>
        clients.glue.send(new GetJobCommand({ JobName: name })),
      ),
    ),
    exists('emr.applicationId', `EMR Serverless application ${config.emr.applicationId}`, () =>
      clients.emr.send(new GetApplicationCommand({ applicationId: config.emr.applicationId })),
    ),
    checkRole(clients, 'emr.executionRoleArn', config.emr.executionRoleArn, account),
    checkEcsCluster(clients, config.ecs.cluster),
    checkTaskDefinition(clients, config.ecs),
    checkRole(clients, 'ecs.taskRoleArn', config.ecs.taskRoleArn, account),
    checkRole(clients, 'ecs.executionRoleArn', config.ecs.executionRoleArn, account),
    checkIds('ecs.subnets', 'subnet', config.ecs.subnets, async () => {
      const out = await clients.ec2.send(
        new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: config.ecs.subnets }] }),
      );
      return (out.Subnets ?? []).map((s) => s.SubnetId!);
    }),
    checkIds('ecs.securityGroups', 'security group', config.ecs.securityGroups, async () => {
      const out = await clients.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [{ Name: 'group-id', Values: config.ecs.securityGroups }],
        }),
      );
      return (out.SecurityGroups ?? []).map((g) => g.GroupId!);
    }),
  ];
  return (await Promise.all(checks)).flat();
}
