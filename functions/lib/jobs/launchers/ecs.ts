// Turns a table into the ECS RunTask (Fargate) request that `ECS Run Extract Task` sends (.sync).
import { TableJobError } from '../../errors';
import type { TableConfig } from '../../config/extract-config';
import { toEnvironmentName } from '../../config/argument-names';
import type { JobArguments } from '../job-arguments';
import type { EcsDefaults } from '../../config/stage-settings';

export interface EcsTaskRequest {
  Cluster: string;
  TaskDefinition: string;
  NetworkConfiguration: {
    AwsvpcConfiguration: {
      Subnets: string[];
      SecurityGroups: string[];
      AssignPublicIp: 'ENABLED' | 'DISABLED';
    };
  };
  /**
   * Only the extract container's environment, every name EXTRACT_-prefixed (toEnvironmentName): a table can set
   * neither the container's command nor a variable the image or AWS reads (AWS_*, PATH, ...). No StartedBy:
   * Step Functions does not pass it through on ecs:runTask and sets its own.
   */
  Overrides: { ContainerOverrides: { Name: string; Environment: { Name: string; Value: string }[] }[] };
}

function required(value: string | undefined, field: string, stageKey: string): string {
  if (!value)
    throw new TableJobError(`ecs.${field}: not set for this table or in the stage config (ecs.${stageKey})`);
  return value;
}

export function buildEcsRequest(
  table: TableConfig,
  args: JobArguments,
  defaults: EcsDefaults,
): EcsTaskRequest {
  const settings = table.ecs ?? {};
  const subnets = settings.subnets ?? defaults.subnets;
  if (subnets.length === 0) {
    throw new TableJobError('ecs.subnets: no subnets for this table or in the stage config (ecs.subnets)');
  }
  return {
    Cluster: required(settings.cluster ?? defaults.cluster, 'cluster', 'cluster'),
    TaskDefinition: required(
      settings.task_definition ?? defaults.taskDefinition,
      'task_definition',
      'taskDefinition',
    ),
    NetworkConfiguration: {
      AwsvpcConfiguration: {
        Subnets: subnets,
        SecurityGroups: settings.security_groups ?? defaults.securityGroups,
        AssignPublicIp: settings.assign_public_ip ? 'ENABLED' : 'DISABLED',
      },
    },
    Overrides: {
      ContainerOverrides: [
        {
          Name: required(
            settings.container_name ?? defaults.containerName,
            'container_name',
            'containerName',
          ),
          Environment: Object.entries(args).map(([key, value]) => ({
            Name: toEnvironmentName(key),
            Value: value,
          })),
        },
      ],
    },
  };
}
