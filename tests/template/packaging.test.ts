// Both stages package offline, one bundle per function, and the stages differ exactly where their config does.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CfnTemplate,
  type PackagedService,
  packagedService,
  resource,
} from '../../local/package-service';
import {
  loadInFreshProcess,
  onDemandParts,
  packagedFunction,
  unpackZip,
} from '../../local/packaged-functions';
import { FUNCTIONS, PACKAGE_TIMEOUT_MS, STAGES, type Stage, props, stageConfig } from './template-queries';

const packaged = {} as Record<Stage, PackagedService>;

beforeAll(async () => {
  for (const stage of STAGES) packaged[stage] = await packagedService(stage);
}, 2 * PACKAGE_TIMEOUT_MS);

afterAll(() => {
  // Recorded for the report, not asserted: bundle sizes and packaging time vary with dependencies and machine.
  for (const stage of STAGES) {
    const { artifacts, durationMs } = packaged[stage] ?? {};
    if (artifacts) console.info(`sls package --stage ${stage}: ${durationMs} ms`, artifacts);
  }
});

/** What each function loads on first use only, not at a cold start (docs/design.md, cold load). */
const ON_DEMAND: Record<string, string[]> = {
  handleJobRunStatus: ['functions/clients/s3.ts', 'functions/lib/watermarks/watermark-report.ts'],
  cancelRun: ['functions/clients/s3.ts', 'functions/lib/runs/read-run-table-list.ts'],
  completeRun: [
    'functions/clients/s3.ts',
    'functions/clients/sns.ts',
    'functions/lib/runs/publish-run-failures.ts',
    'functions/lib/runs/read-run-table-list.ts',
  ],
  configManager: ['functions/lib/config/parse-config-document.ts'],
  reclaimExpiredTasks: ['functions/clients/sfn.ts', 'functions/lib/task-runner/step-functions-callbacks.ts'],
};

function env(stage: Stage, functionKey: keyof typeof FUNCTIONS): Record<string, unknown> {
  const fn = resource(packaged[stage].template, `${FUNCTIONS[functionKey]}LambdaFunction`);
  return (props(fn).Environment as { Variables: Record<string, unknown> }).Variables;
}

describe.each(STAGES)('the %s package', (stage) => {
  it('holds one zip per function and nothing else', () => {
    // Assess
    expect(Object.keys(packaged[stage].artifacts).sort()).toEqual(
      Object.keys(FUNCTIONS)
        .map((key) => `${key}.zip`)
        .sort(),
    );
    for (const bytes of Object.values(packaged[stage].artifacts)) expect(bytes).toBeGreaterThan(0);
  });

  it('runs every function on nodejs22.x, arm64, from its own zip', () => {
    for (const [key, id] of Object.entries(FUNCTIONS)) {
      const p = props(resource(packaged[stage].template, `${id}LambdaFunction`));
      expect(p.Runtime).toBe('nodejs22.x');
      expect(p.Architectures).toEqual(['arm64']);
      expect((p.Code as { S3Key: string }).S3Key).toMatch(new RegExp(`/${key}\\.zip$`));
    }
  });

  it('ships each handler as an ES module with only its own chunks and no source map', () => {
    for (const zip of Object.keys(packaged[stage].artifacts)) {
      // Prepare
      const { dir, files } = unpackZip(join(packaged[stage].packageDir, zip));
      rmSync(dir, { recursive: true, force: true });

      // Act
      const fn = packagedFunction(packaged[stage].template, zip, files);

      // Assess
      const bundle = fn.module.replace(/\.mjs$/, '');
      expect(fn.module).toMatch(/^functions\/[a-z-]+\.mjs$/);
      expect(files.filter((file) => file !== fn.module && !file.startsWith(`${bundle}.chunks/`))).toEqual([]);
      if (stageConfig(stage).sourceMaps !== 'linked')
        expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    }
  });

  it('loads every handler and its on-demand chunks from its zip alone, as Lambda would', () => {
    for (const zip of Object.keys(packaged[stage].artifacts)) {
      // Prepare
      const { dir, files } = unpackZip(join(packaged[stage].packageDir, zip));
      try {
        const fn = packagedFunction(packaged[stage].template, zip, files);
        const parts = onDemandParts(packaged[stage].packageDir, fn.module);

        // Act: throws with the child's error when a module or chunk fails to load
        const load = loadInFreshProcess(dir, fn, parts);

        // Assess
        expect(load.onDemandCpuMs).toHaveLength(parts.length);
        expect(parts.map((part) => part.source)).toEqual(ON_DEMAND[fn.name] ?? []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('gives each function the timeout and memory it was sized for', () => {
    const size = (id: string) => {
      const p = props(resource(packaged[stage].template, `${id}LambdaFunction`));
      return [p.Timeout, p.MemorySize];
    };
    expect(size('ConfigManager')).toEqual([300, 512]);
    expect(size('HandleJobRunStatus')).toEqual([30, 256]);
    expect(size('CompleteRun')).toEqual([300, 256]);
    expect(size('StartRunFromUpload')).toEqual([30, 256]);
  });

  it('passes the stage config to the config manager', () => {
    const config = stageConfig(stage);
    const vars = env(stage, 'configManager');
    expect(vars).toMatchObject({
      STAGE: stage,
      POWERTOOLS_SERVICE_NAME: 'extract-pipeline',
      POWERTOOLS_LOG_LEVEL: config.logLevel,
      TRACKING_TABLE: { Ref: 'TrackingTable' },
      CONFIG_BUCKET: { Ref: 'ConfigBucket' },
      DEFAULT_CONFIG_KEY: config.defaultConfigKey,
      MAX_CONCURRENCY: String(config.maxConcurrency),
      // Each quota from the stage's concurrency section, an unset one at maxConcurrency.
      CONCURRENCY_QUOTAS: JSON.stringify({
        glue: config.concurrency?.glue ?? config.maxConcurrency,
        emr: config.concurrency?.emr ?? config.maxConcurrency,
        ecs: config.concurrency?.ecs ?? config.maxConcurrency,
        runner: config.concurrency?.runner ?? config.maxConcurrency,
        workerGroups: config.concurrency?.workerGroups ?? {},
      }),
      MAX_TABLES_PER_RUN: String(config.maxTablesPerRun),
      GLUE_JOB_NAME: config.glue.jobName,
      GLUE_ALLOWED_JOB_NAMES: { 'Fn::Join': [',', config.glue.allowedJobNames] },
      GLUE_NUMBER_OF_WORKERS: String(config.glue.numberOfWorkers),
      GLUE_WORKER_TYPE: config.glue.workerType,
      GLUE_TIMEOUT_MINUTES: String(config.glue.timeoutMinutes),
      EMR_APPLICATION_ID: config.emr.applicationId,
      EMR_EXECUTION_ROLE_ARN: config.emr.executionRoleArn,
      EMR_ENTRY_POINT: config.emr.entryPoint,
      EMR_TIMEOUT_MINUTES: String(config.emr.timeoutMinutes),
      ECS_CLUSTER: config.ecs.cluster,
      ECS_TASK_DEFINITION: config.ecs.taskDefinition,
      ECS_CONTAINER_NAME: config.ecs.containerName,
      ECS_SUBNETS: { 'Fn::Join': [',', config.ecs.subnets] },
      ECS_SECURITY_GROUPS: { 'Fn::Join': [',', config.ecs.securityGroups] },
    });
    // The default job is one of the allowed ones: the state machine role may start only those.
    expect(config.glue.allowedJobNames).toContain(config.glue.jobName);
  });

  it('points the status, completion and trigger functions at what they use', () => {
    expect(env(stage, 'handleJobRunStatus')).toMatchObject({ TRACKING_TABLE: { Ref: 'TrackingTable' } });
    expect(env(stage, 'completeRun')).toMatchObject({ TRACKING_TABLE: { Ref: 'TrackingTable' } });
    expect(env(stage, 'startRunFromUpload')).toMatchObject({
      STATE_MACHINE_ARN: { Ref: 'ExtractPipelineStateMachine' },
      TRIGGER_PREFIX: stageConfig(stage).triggerPrefix,
    });
  });

  it('keeps every log group for the stage retention', () => {
    const groups = Object.values(packaged[stage].template.Resources).filter(
      (r) => r.Type === 'AWS::Logs::LogGroup',
    );
    expect(groups).toHaveLength(9); // eight functions and the state machine
    for (const group of groups)
      expect(props(group).RetentionInDays).toBe(stageConfig(stage).logRetentionInDays);
  });
});

/** Logical ids a value refers to through Ref, Fn::GetAtt or a ${X} / ${X.Attr} in Fn::Sub. */
function references(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) references(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt') found.add((inner as string[])[0]!);
      else if (key === 'Fn::Sub') {
        const text = typeof inner === 'string' ? inner : (inner as [string])[0];
        for (const match of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z.]+)?\}/g)) found.add(match[1]!);
        if (Array.isArray(inner)) references(inner[1], found);
      } else references(inner, found);
    }
  }
  return found;
}

/** A dependency cycle between resources (CloudFormation would refuse the stack), or null. */
function dependencyCycle(template: CfnTemplate): string[] | null {
  const ids = new Set(Object.keys(template.Resources));
  const edges = new Map(
    Object.entries(template.Resources).map(([id, res]) => {
      const targets = references(res.Properties);
      for (const dependency of [res.DependsOn ?? []].flat()) targets.add(dependency);
      return [id, [...targets].filter((target) => ids.has(target))];
    }),
  );
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return null;
  };
  for (const id of ids) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return null;
}

describe.each(STAGES)('the %s template', (stage) => {
  it('has no circular dependency between resources', () => {
    expect(dependencyCycle(packaged[stage].template)).toBeNull();
  });

  it('would show a circular dependency if there were one', () => {
    // Prepare: the state machine made to depend on the function that starts it
    const template = structuredClone(packaged[stage].template);
    template.Resources.ExtractPipelineStateMachine!.DependsOn = ['StartRunFromUploadLambdaFunction'];

    // Act & Assess
    expect(dependencyCycle(template)).toEqual(expect.arrayContaining(['ExtractPipelineStateMachine']));
  });
});

describe('dev and prod', () => {
  it('differ in Glue workers, Map concurrency, log level and retention as their configs do', () => {
    // Prepare
    const [dev, prod] = [env('dev', 'configManager'), env('prod', 'configManager')];
    const retention = (stage: Stage) =>
      props(resource(packaged[stage].template, 'ConfigManagerLogGroup')).RetentionInDays;

    // Assess: concrete values from config/dev.yml and config/prod.yml
    expect([dev.GLUE_NUMBER_OF_WORKERS, prod.GLUE_NUMBER_OF_WORKERS]).toEqual(['2', '10']);
    expect([dev.GLUE_WORKER_TYPE, prod.GLUE_WORKER_TYPE]).toEqual(['G.1X', 'G.2X']);
    expect([dev.MAX_CONCURRENCY, prod.MAX_CONCURRENCY]).toEqual(['5', '40']);
    expect([dev.POWERTOOLS_LOG_LEVEL, prod.POWERTOOLS_LOG_LEVEL]).toEqual(['DEBUG', 'INFO']);
    expect([retention('dev'), retention('prod')]).toEqual([14, 90]);
  });

  it('name their stage-scoped resources after the stage', () => {
    for (const stage of STAGES) {
      const { template } = packaged[stage];
      expect(props(resource(template, 'ExtractPipelineStateMachine')).StateMachineName).toBe(
        `extract-pipeline-${stage}`,
      );
      expect(props(resource(template, 'TrackingTable')).TableName).toBe(`extract-pipeline-${stage}-tracking`);
      expect(props(resource(template, 'ConfigManagerLambdaFunction')).FunctionName).toBe(
        `extract-pipeline-${stage}-configManager`,
      );
    }
  });
});
