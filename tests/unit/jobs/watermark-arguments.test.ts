// A watermark table's arguments on each job type: the same names everywhere, shaped like the table's other values.
import { validateExtractConfig } from '../../../functions/lib/config/extract-config';
import { buildTableJobs } from '../../../functions/lib/jobs/build-table-jobs';
import type { EcsTaskRequest } from '../../../functions/lib/jobs/launchers/ecs';
import type { EmrJobRequest } from '../../../functions/lib/jobs/launchers/emr';
import type { GlueJobRequest } from '../../../functions/lib/jobs/launchers/glue';
import type { RunnerTaskRequest } from '../../../functions/lib/jobs/launchers/runner';
import type { RunWatermarks } from '../../../functions/lib/watermarks/table-watermark';
import { EVERY_JOB_TYPE_SETTINGS } from '../../helpers/every-job-type-settings';

const SETTINGS = EVERY_JOB_TYPE_SETTINGS;

const CONFIG = validateExtractConfig(
  {
    defaults: { watermark_column: 'updated_at' },
    tables: [
      { name: 'g', job_type: 'glue' },
      { name: 'e', job_type: 'emr', watermark_type: 'integer', watermark_column: 'id' },
      { name: 'c', job_type: 'ecs' },
      { name: 'r', job_type: 'runner', worker_group: 'db', command: 'extract' },
    ],
  },
  'extract-config.yml',
);

function watermarks(last: Record<string, { column: string; type: 'timestamp' | 'integer'; value: string }>) {
  const run: RunWatermarks = {
    last: new Map(
      Object.entries(last).map(([table, w]) => [
        table,
        { table, ...w, run_id: 'run-0', updated_at: '2024-06-01T00:00:00.000Z' },
      ]),
    ),
    reports: { bucket: 'config-bucket', prefix: 'runs/run-1/watermarks/' },
  };
  return run;
}

function jobsOf(run: RunWatermarks) {
  const jobs = buildTableJobs(CONFIG, undefined, SETTINGS, { run_id: 'run-1', watermarks: run }).jobs;
  return Object.fromEntries(jobs.map((job) => [job.table, job]));
}

describe('watermark arguments', () => {
  it('passes the last watermark and the report location in each job type’s own form', () => {
    // Prepare
    const last = '2024-06-01T00:00:00.000000Z';
    const run = watermarks({
      g: { column: 'updated_at', type: 'timestamp', value: last },
      e: { column: 'id', type: 'integer', value: '42' },
      c: { column: 'updated_at', type: 'timestamp', value: last },
      r: { column: 'updated_at', type: 'timestamp', value: last },
    });

    // Act
    const jobs = jobsOf(run);

    // Assess
    expect((jobs.g!.request as GlueJobRequest).Arguments).toMatchObject({
      '--watermark_column': 'updated_at',
      '--watermark_type': 'timestamp',
      '--last_watermark': last,
      '--watermark_report_uri': 's3://config-bucket/runs/run-1/watermarks/g.json',
    });
    const emr = (jobs.e!.request as EmrJobRequest).JobDriver.SparkSubmit.EntryPointArguments;
    expect(emr.join(' ')).toContain(
      '--watermark_column id --watermark_type integer --last_watermark 42 --watermark_report_uri s3://config-bucket/runs/run-1/watermarks/e.json',
    );
    const environment = (jobs.c!.request as EcsTaskRequest).Overrides.ContainerOverrides[0]!.Environment;
    expect(environment).toEqual(
      expect.arrayContaining([
        { Name: 'EXTRACT_WATERMARK_COLUMN', Value: 'updated_at' },
        { Name: 'EXTRACT_LAST_WATERMARK', Value: last },
        { Name: 'EXTRACT_WATERMARK_REPORT_URI', Value: 's3://config-bucket/runs/run-1/watermarks/c.json' },
      ]),
    );
    // Runners have no S3 rights: they report through the protocol, so no report location.
    const fields = (jobs.r!.request as RunnerTaskRequest).fields;
    expect(fields).toMatchObject({ '--watermark_column': 'updated_at', '--last_watermark': last });
    expect(fields['--watermark_report_uri']).toBeUndefined();
    expect(jobs.g!.watermark).toEqual({
      column: 'updated_at',
      type: 'timestamp',
      from: last,
      report: { bucket: 'config-bucket', key: 'runs/run-1/watermarks/g.json' },
    });
  });

  it('starts from nothing on a first run, and when the column or type changed since the stored watermark', () => {
    // Prepare: g's watermark was kept for another column, e's for another type.
    const run = watermarks({
      g: { column: 'created_at', type: 'timestamp', value: '2024-06-01T00:00:00.000000Z' },
      e: { column: 'id', type: 'timestamp', value: '2024-06-01T00:00:00.000000Z' },
    });

    // Act
    const jobs = jobsOf(run);

    // Assess
    for (const table of ['g', 'c', 'r']) expect(jobs[table]!.watermark!.from).toBeUndefined();
    expect((jobs.g!.request as GlueJobRequest).Arguments['--last_watermark']).toBeUndefined();
    expect((jobs.e!.request as EmrJobRequest).JobDriver.SparkSubmit.EntryPointArguments).not.toContain(
      '--last_watermark',
    );
  });

  it('refuses a watermark_type without a watermark_column, and a column name that is not one', () => {
    // Act
    const refused = validateExtractConfig(
      {
        tables: [
          { name: 'typed', job_type: 'glue', watermark_type: 'integer' },
          { name: 'injected', job_type: 'glue', watermark_column: 'id; drop table x' },
          { name: 'table-argument', job_type: 'glue', arguments: { last_watermark: '0' } },
        ],
      },
      'extract-config.yml',
    );
    const jobs = buildTableJobs(refused, undefined, SETTINGS, { run_id: 'run-1' }).jobs;

    // Assess
    expect(jobs.find((j) => j.table === 'typed')!.error).toEqual({
      Error: 'TableJobError',
      Cause: 'typed: watermark_type: set without watermark_column, which names what it orders',
    });
    expect(refused.invalid.map((entry) => entry.problems[0]!.field).sort()).toEqual([
      'arguments.last_watermark',
      'watermark_column',
    ]);
  });
});
