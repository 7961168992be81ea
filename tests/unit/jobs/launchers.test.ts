// The per-job-type launchers: a table's config and the stage defaults in, the service request out.
import { buildEcsRequest } from '../../../functions/lib/jobs/launchers/ecs';
import { buildEmrRequest } from '../../../functions/lib/jobs/launchers/emr';
import { buildGlueRequest } from '../../../functions/lib/jobs/launchers/glue';
import { TableJobError } from '../../../functions/lib/errors';
import type { TableConfig } from '../../../functions/lib/config/extract-config';
import type { JobArguments } from '../../../functions/lib/jobs/job-arguments';
import type { EcsDefaults, EmrDefaults, GlueDefaults } from '../../../functions/lib/config/stage-settings';

const RUN = { run_id: 'run-2024-06-01' };
const ARGS: JobArguments = { '--table': 'sales.orders', '--run_id': RUN.run_id, '--source_type': 'postgres' };

function table(jobType: string, overrides: Partial<TableConfig> = {}): TableConfig {
  return { name: 'sales.orders', job_type: jobType, enabled: true, ...overrides };
}

function thrown(build: () => unknown): Error {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(TableJobError);
    return error as Error;
  }
  throw new Error('expected a TableJobError');
}

describe('Glue launcher', () => {
  const defaults: GlueDefaults = {
    jobName: 'extract-dev',
    allowedJobNames: ['extract-dev', 'extract-dev-large'],
    allowedSpecialArguments: [],
    numberOfWorkers: 2,
    workerType: 'G.1X',
    timeoutMinutes: 120,
  };

  it('uses the stage defaults when the table sets nothing', () => {
    expect(buildGlueRequest(table('glue'), ARGS, defaults)).toEqual({
      JobName: 'extract-dev',
      Arguments: ARGS,
      NumberOfWorkers: 2,
      WorkerType: 'G.1X',
      Timeout: 120,
    });
  });

  it("uses the table's job name, workers, worker type and timeout over the stage's", () => {
    // Prepare
    const large = table('glue', {
      glue: {
        job_name: 'extract-dev-large',
        number_of_workers: 10,
        worker_type: 'G.2X',
        timeout_minutes: 30,
      },
    });

    // Act
    const request = buildGlueRequest(large, ARGS, defaults);

    // Assess
    expect(request).toEqual({
      JobName: 'extract-dev-large',
      Arguments: ARGS,
      NumberOfWorkers: 10,
      WorkerType: 'G.2X',
      Timeout: 30,
    });
  });

  it('overrides one setting and keeps the stage value for the rest', () => {
    const request = buildGlueRequest(table('glue', { glue: { number_of_workers: 5 } }), ARGS, defaults);

    expect(request).toMatchObject({
      JobName: 'extract-dev',
      NumberOfWorkers: 5,
      WorkerType: 'G.1X',
      Timeout: 120,
    });
  });

  it('refuses a job that is not in the allowed list, naming glue.job_name and the allowed jobs', () => {
    const error = thrown(() =>
      buildGlueRequest(table('glue', { glue: { job_name: 'somebody-elses-job' } }), ARGS, defaults),
    );

    expect(error.message).toBe(
      "glue.job_name: 'somebody-elses-job' is not one of the stage's allowed Glue jobs (extract-dev, extract-dev-large)",
    );
  });

  it("says 'none' when the stage allows no Glue job", () => {
    const error = thrown(() =>
      buildGlueRequest(table('glue', { glue: { job_name: 'x' } }), ARGS, {
        ...defaults,
        allowedJobNames: [],
      }),
    );

    expect(error.message).toContain('allowed Glue jobs (none)');
  });

  it('refuses a table with no job name anywhere, naming glue.job_name', () => {
    const error = thrown(() => buildGlueRequest(table('glue'), ARGS, { ...defaults, jobName: undefined }));

    expect(error.message).toBe(
      'glue.job_name: no Glue job is set for this table or in the stage config (glue.jobName)',
    );
  });
});

describe('EMR Serverless launcher', () => {
  const defaults: EmrDefaults = {
    applicationId: '00fabc123example',
    executionRoleArn: 'arn:aws:iam::123456789012:role/extract-emr',
    entryPoint: 's3://artifacts/extract.py',
    allowedSparkSubmitParameters: ['spark.executor.memory'],
    allowedEntryPoints: ['s3://artifacts/other.py'],
    timeoutMinutes: 120,
  };

  it('builds a Spark submit from the stage defaults, the arguments as key/value entry-point arguments', () => {
    // Act
    const request = buildEmrRequest(table('emr'), ARGS, defaults, RUN);

    // Assess
    expect(request).toEqual({
      ApplicationId: '00fabc123example',
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/extract-emr',
      Name: 'extract-sales.orders',
      ClientToken: expect.any(String),
      JobDriver: {
        SparkSubmit: {
          EntryPoint: 's3://artifacts/extract.py',
          EntryPointArguments: [
            '--table',
            'sales.orders',
            '--run_id',
            RUN.run_id,
            '--source_type',
            'postgres',
          ],
        },
      },
      ExecutionTimeoutMinutes: 120,
    });
    expect(request.JobDriver.SparkSubmit).not.toHaveProperty('SparkSubmitParameters');
  });

  it("uses the table's application, role, entry point, Spark parameters and timeout over the stage's", () => {
    const custom = table('emr', {
      emr: {
        application_id: '00abc999',
        execution_role_arn: 'arn:aws:iam::123456789012:role/other',
        entry_point: 's3://artifacts/other.py',
        spark_submit_parameters: '--conf spark.executor.memory=4g',
        timeout_minutes: 15,
      },
    });

    const request = buildEmrRequest(custom, ARGS, defaults, RUN);

    expect(request).toMatchObject({
      ApplicationId: '00abc999',
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/other',
      JobDriver: {
        SparkSubmit: {
          EntryPoint: 's3://artifacts/other.py',
          SparkSubmitParameters: '--conf spark.executor.memory=4g',
        },
      },
      ExecutionTimeoutMinutes: 15,
    });
  });

  it('gives the same ClientToken for the same run and table, so a retried start does not start twice', () => {
    const first = buildEmrRequest(table('emr'), ARGS, defaults, RUN);
    const retried = buildEmrRequest(table('emr', { emr: { timeout_minutes: 5 } }), {}, defaults, {
      run_id: RUN.run_id,
    });

    expect(retried.ClientToken).toBe(first.ClientToken);
  });

  it('gives another ClientToken for another run or another table, at most 64 token characters', () => {
    const tokens = [
      buildEmrRequest(table('emr'), ARGS, defaults, RUN).ClientToken,
      buildEmrRequest(table('emr'), ARGS, defaults, { run_id: 'run-2024-06-02' }).ClientToken,
      buildEmrRequest(table('emr', { name: 'crm.accounts' }), ARGS, defaults, RUN).ClientToken,
      buildEmrRequest(table('emr', { name: 'x'.repeat(255) }), ARGS, defaults, { run_id: 'r'.repeat(80) })
        .ClientToken,
    ];

    expect(new Set(tokens).size).toBe(4);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
  });

  it('keeps the job name within 256 characters for the longest table name', () => {
    const request = buildEmrRequest(table('emr', { name: 'x'.repeat(255) }), ARGS, defaults, RUN);

    expect(request.Name).toHaveLength(256);
    expect(request.Name.startsWith('extract-xxx')).toBe(true);
  });

  it.each([
    ['application_id', 'applicationId', { applicationId: undefined }],
    ['execution_role_arn', 'executionRoleArn', { executionRoleArn: undefined }],
    ['entry_point', 'entryPoint', { entryPoint: undefined }],
  ])('refuses a table with no %s anywhere, naming emr.%s', (field, stageKey, missing) => {
    const error = thrown(() => buildEmrRequest(table('emr'), ARGS, { ...defaults, ...missing }, RUN));

    expect(error.message).toBe(
      `emr.${field}: not set for this table or in the stage config (emr.${stageKey})`,
    );
  });
});

describe('ECS launcher', () => {
  const defaults: EcsDefaults = {
    cluster: 'extract',
    taskDefinition: 'extract-task:3',
    containerName: 'extract',
    subnets: ['subnet-0aaa', 'subnet-0bbb'],
    securityGroups: ['sg-0aaa'],
  };

  it('runs the stage task in private subnets with the arguments as EXTRACT_* environment variables', () => {
    // Act
    const request = buildEcsRequest(table('ecs'), ARGS, defaults);

    // Assess
    expect(request).toEqual({
      Cluster: 'extract',
      TaskDefinition: 'extract-task:3',
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: ['subnet-0aaa', 'subnet-0bbb'],
          SecurityGroups: ['sg-0aaa'],
          AssignPublicIp: 'DISABLED',
        },
      },
      Overrides: {
        ContainerOverrides: [
          {
            Name: 'extract',
            Environment: [
              { Name: 'EXTRACT_TABLE', Value: 'sales.orders' },
              { Name: 'EXTRACT_RUN_ID', Value: RUN.run_id },
              { Name: 'EXTRACT_SOURCE_TYPE', Value: 'postgres' },
            ],
          },
        ],
      },
    });
    expect(request).not.toHaveProperty('StartedBy');
  });

  it("uses the table's cluster, task definition, container, subnets, security groups and public IP", () => {
    const custom = table('ecs', {
      ecs: {
        cluster: 'big',
        task_definition: 'extract-big:7',
        container_name: 'worker',
        subnets: ['subnet-0ccc'],
        security_groups: ['sg-0ccc', 'sg-0ddd'],
        assign_public_ip: true,
      },
    });

    const request = buildEcsRequest(custom, ARGS, defaults);

    expect(request).toMatchObject({
      Cluster: 'big',
      TaskDefinition: 'extract-big:7',
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: ['subnet-0ccc'],
          SecurityGroups: ['sg-0ccc', 'sg-0ddd'],
          AssignPublicIp: 'ENABLED',
        },
      },
    });
    expect(request.Overrides.ContainerOverrides[0]?.Name).toBe('worker');
  });

  it('refuses a table with no subnets anywhere, naming ecs.subnets', () => {
    const error = thrown(() => buildEcsRequest(table('ecs'), ARGS, { ...defaults, subnets: [] }));

    expect(error.message).toBe('ecs.subnets: no subnets for this table or in the stage config (ecs.subnets)');
  });

  it.each([
    ['cluster', 'cluster', { cluster: undefined }],
    ['task_definition', 'taskDefinition', { taskDefinition: undefined }],
    ['container_name', 'containerName', { containerName: undefined }],
  ])('refuses a table with no %s anywhere, naming ecs.%s', (field, stageKey, missing) => {
    const error = thrown(() => buildEcsRequest(table('ecs'), ARGS, { ...defaults, ...missing }));

    expect(error.message).toBe(
      `ecs.${field}: not set for this table or in the stage config (ecs.${stageKey})`,
    );
  });
});
