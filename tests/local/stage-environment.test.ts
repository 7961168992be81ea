// The handlers' environment for a stage, derived from serverless.yml and config/<stage>.yml: the one source the
// local runtime, the pipeline tests and the bench read, with a few settings laid over it where a test needs to.
import { createRequire } from 'node:module';
import { readStageNames } from '../../local/stack/stage-environment';

describe('the local stage environment', () => {
  it("derives the names and the handlers' variables from config/local.yml through serverless.yml", () => {
    // Act
    const names = readStageNames('local');

    // Assess
    expect(names).toMatchObject({
      stage: 'local',
      trackingTable: 'extract-pipeline-local-tracking',
      configBucket: 'extract-pipeline-local-config',
      taskQueueTable: 'extract-pipeline-local-task-queue',
    });
    expect(names.environment).toMatchObject({
      STAGE: 'local',
      TRACKING_TABLE: names.trackingTable,
      CONFIG_BUCKET: names.configBucket,
      GLUE_JOB_NAME: 'extract-pipeline-local-extract',
      ECS_SUBNETS: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
    });
  });

  it("computes the concurrency quotas with the same module serverless.yml's ${file()} runs", () => {
    // Act
    const names = readStageNames('local', { concurrency: { glue: 2, workerGroups: { 'onprem-db': 1 } } });

    // Assess: the quotas not overridden keep config/local.yml's (4)
    expect(JSON.parse(names.environment.CONCURRENCY_QUOTAS!)).toEqual({
      glue: 2,
      emr: 4,
      ecs: 4,
      runner: 4,
      workerGroups: { 'onprem-db': 1 },
    });
  });

  it('gives every quota the stage maxConcurrency when the stage file has no concurrency section', () => {
    // Prepare: the module serverless.yml runs, as a stage file from before the quotas would reach it
    const { fromStageFile } = createRequire(__filename)('../../config/concurrency-quotas.js') as {
      fromStageFile: (stage: object) => string;
    };

    // Act
    const quotas = JSON.parse(fromStageFile({ maxConcurrency: 7 })) as unknown;

    // Assess
    expect(quotas).toEqual({ glue: 7, emr: 7, ecs: 7, runner: 7, workerGroups: {} });
  });

  it('lays overrides over the stage config key by key: nested settings merge, lists replace', () => {
    // Act
    const names = readStageNames('local', {
      glue: { jobName: 'extract-test', allowedJobNames: ['extract-test'] },
      ecs: { subnets: ['subnet-0aaa'] },
    });

    // Assess
    expect(names.environment).toMatchObject({
      GLUE_JOB_NAME: 'extract-test',
      GLUE_ALLOWED_JOB_NAMES: 'extract-test',
      // Settings the overrides leave alone keep the stage's values.
      GLUE_WORKER_TYPE: 'G.1X',
      ECS_SUBNETS: 'subnet-0aaa',
      ECS_CLUSTER: 'extract-pipeline-local',
    });
  });

  it('names the setting a stage config lacks', () => {
    expect(() => readStageNames('local', { glue: { jobName: null } })).toThrow(
      /config\/local\.yml: no value for \$\{self:custom\.stage\.glue\.jobName\}/,
    );
  });
});
