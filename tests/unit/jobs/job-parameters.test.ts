// A config author chooses tables and values, never code: a table cannot reach Glue's special job parameters, EMR's
// spark-submit options or an ECS container's command and environment beyond its own EXTRACT_ variables, unless the
// stage config allows a parameter by name. A refused table is FAILED naming the argument.
import { TableJobError } from '../../../functions/lib/errors';
import type { TableConfig } from '../../../functions/lib/config/extract-config';
import type { StageSettings } from '../../../functions/lib/config/stage-settings';
import { buildTableJobs } from '../../../functions/lib/jobs/build-table-jobs';
import { buildJobArguments } from '../../../functions/lib/jobs/job-arguments';
import { buildEcsRequest } from '../../../functions/lib/jobs/launchers/ecs';
import { buildEmrRequest } from '../../../functions/lib/jobs/launchers/emr';
import { buildGlueRequest } from '../../../functions/lib/jobs/launchers/glue';
import {
  GLUE_SPECIAL_PARAMETERS,
  sparkSubmitOptions,
} from '../../../functions/lib/jobs/launchers/job-parameters';

const RUN = { run_id: 'run-1' };
const GLUE = {
  jobName: 'extract',
  allowedJobNames: ['extract'],
  allowedSpecialArguments: [] as string[],
  numberOfWorkers: 2,
  workerType: 'G.1X',
  timeoutMinutes: 60,
};
const EMR = {
  applicationId: '00fabc123example',
  executionRoleArn: 'arn:aws:iam::123456789012:role/emr',
  entryPoint: 's3://artifacts/extract.py',
  allowedSparkSubmitParameters: [] as string[],
  allowedEntryPoints: [] as string[],
  timeoutMinutes: 60,
};

function table(overrides: Partial<TableConfig>): TableConfig {
  return { name: 'sales.orders', enabled: true, job_type: 'glue', ...overrides } as TableConfig;
}

function refusal(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(TableJobError);
    return (error as Error).message;
  }
  throw new Error('expected the table to be refused');
}

describe('Glue special job parameters', () => {
  it.each(GLUE_SPECIAL_PARAMETERS)('refuses a table argument %s, naming it', (name) => {
    const t = table({ arguments: { [name]: 's3://attacker/code.py' } });

    expect(refusal(() => buildGlueRequest(t, buildJobArguments(t, RUN), GLUE))).toMatch(
      new RegExp(
        `^arguments\\.${name.replace(/[.-]/g, '\\$&')}: is a Glue special job parameter.*glue\\.allowedSpecialArguments`,
      ),
    );
  });

  it('refuses one whatever its case', () => {
    const t = table({ arguments: { tempdir: 's3://elsewhere/' } });
    expect(refusal(() => buildGlueRequest(t, buildJobArguments(t, RUN), GLUE))).toMatch(
      /^arguments\.tempdir:/,
    );
  });

  it('lets a table set one the stage allows by name, and its own arguments', () => {
    const t = table({ arguments: { 'enable-metrics': 'true', watermark_column: 'updated_at' } });
    const request = buildGlueRequest(t, buildJobArguments(t, RUN), {
      ...GLUE,
      allowedSpecialArguments: ['enable-metrics'],
    });
    expect(request.Arguments).toMatchObject({
      '--enable-metrics': 'true',
      '--watermark_column': 'updated_at',
    });
  });

  it('records the refused table FAILED with the argument named, and runs the others', () => {
    // Prepare
    const settings = {
      glue: GLUE,
      emr: EMR,
      ecs: { subnets: [], securityGroups: [] },
    } as unknown as StageSettings;
    const config = {
      tables: [
        table({ name: 'bad', arguments: { 'extra-py-files': 's3://x/y.py' } }),
        table({ name: 'good' }),
      ],
      invalid: [],
    };

    // Act
    const { jobs } = buildTableJobs(config, undefined, settings, RUN);

    // Assess
    expect(jobs.find((j) => j.table === 'bad')?.error).toEqual({
      Error: 'TableJobError',
      Cause: expect.stringMatching(/^bad: arguments\.extra-py-files: is a Glue special job parameter/),
    });
    expect(jobs.find((j) => j.table === 'good')?.request).toBeDefined();
  });
});

describe('EMR spark-submit parameters', () => {
  it('reads the option names of a spark-submit string', () => {
    expect(
      sparkSubmitOptions(
        '--conf spark.executor.memory=4g --driver-memory 2g --conf=spark.jars=s3://x.jar --py-files s3://y.zip',
      ),
    ).toEqual(['spark.executor.memory', '--driver-memory', 'spark.jars', '--py-files']);
  });

  it.each([
    ['--jars s3://attacker/code.jar', '--jars'],
    ['--py-files s3://attacker/code.zip', '--py-files'],
    ['--conf spark.jars=s3://attacker/code.jar', 'spark.jars'],
    ['--conf spark.executor.memory=4g', 'spark.executor.memory'],
  ])('refuses %s unless the stage allows it, naming %s', (parameters, name) => {
    const t = table({ job_type: 'emr', emr: { spark_submit_parameters: parameters } });
    expect(refusal(() => buildEmrRequest(t, buildJobArguments(t, RUN), EMR, RUN))).toContain(
      `emr.spark_submit_parameters: ${name} is not allowed by the stage config`,
    );
  });

  it('passes what the stage allows', () => {
    const t = table({ job_type: 'emr', emr: { spark_submit_parameters: '--conf spark.executor.memory=4g' } });
    const request = buildEmrRequest(
      t,
      buildJobArguments(t, RUN),
      { ...EMR, allowedSparkSubmitParameters: ['spark.executor.memory'] },
      RUN,
    );
    expect(request.JobDriver.SparkSubmit.SparkSubmitParameters).toBe('--conf spark.executor.memory=4g');
  });
});

describe('EMR entry points', () => {
  it("refuses a table's own script unless the stage allows it, and takes the stage's or an allowed one", () => {
    const own = table({ job_type: 'emr', emr: { entry_point: 's3://attacker/code.py' } });
    expect(refusal(() => buildEmrRequest(own, buildJobArguments(own, RUN), EMR, RUN))).toBe(
      "emr.entry_point: 's3://attacker/code.py' is neither the stage's entry point nor in emr.allowedEntryPoints",
    );
    const allowed = { ...EMR, allowedEntryPoints: ['s3://artifacts/large.py'] };
    const large = table({ job_type: 'emr', emr: { entry_point: 's3://artifacts/large.py' } });
    expect(
      buildEmrRequest(large, buildJobArguments(large, RUN), allowed, RUN).JobDriver.SparkSubmit.EntryPoint,
    ).toBe('s3://artifacts/large.py');
  });
});

describe('ECS overrides', () => {
  it('set only EXTRACT_ environment variables of the extract container: no command, no AWS_ or PATH', () => {
    const t = table({ job_type: 'ecs', arguments: { AWS_REGION: 'x', PATH: '/tmp', command: 'sh' } });
    const request = buildEcsRequest(t, buildJobArguments(t, RUN), {
      cluster: 'c',
      taskDefinition: 'td',
      containerName: 'extract',
      subnets: ['subnet-0a'],
      securityGroups: [],
    });
    const [override] = request.Overrides.ContainerOverrides;
    expect(Object.keys(override!)).toEqual(['Name', 'Environment']);
    expect(override!.Environment.every(({ Name }) => Name.startsWith('EXTRACT_'))).toBe(true);
  });
});
