// Stage settings with every job type configured, for tests that build table jobs of each type.
import { readStageSettings } from '../../functions/lib/config/stage-settings';

export const EVERY_JOB_TYPE_SETTINGS = readStageSettings({
  STAGE: 'test',
  TRACKING_TABLE: 'tracking',
  CONFIG_BUCKET: 'config-bucket',
  DEFAULT_CONFIG_KEY: 'extract-config/extract-config.yml',
  GLUE_JOB_NAME: 'extract-test',
  EMR_APPLICATION_ID: '00fabc123example',
  EMR_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/extract-emr',
  EMR_ENTRY_POINT: 's3://artifacts/extract.py',
  ECS_CLUSTER: 'extract',
  ECS_TASK_DEFINITION: 'extract-task:3',
  ECS_CONTAINER_NAME: 'extract',
  ECS_SUBNETS: 'subnet-0aaa',
});
