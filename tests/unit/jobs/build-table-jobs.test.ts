// Which tables a run extracts, and the one Map item each of them becomes.
import { buildTableJobs } from '../../../functions/lib/jobs/build-table-jobs';
import { validateExtractConfig, type ExtractConfig } from '../../../functions/lib/config/extract-config';
import { EVERY_JOB_TYPE_SETTINGS } from '../../helpers/every-job-type-settings';

const SETTINGS = EVERY_JOB_TYPE_SETTINGS;
const RUN = { run_id: 'run-1' };

function config(tables: unknown[]): ExtractConfig {
  return validateExtractConfig({ tables }, 'extract-config.yml');
}

const SAMPLE = config([
  { name: 'sales.orders', job_type: 'glue', source_type: 'postgres' },
  { name: 'crm.accounts', job_type: 'emr' },
  { name: 'events.clicks', job_type: 'ecs' },
  { name: 'archive.old', job_type: 'glue', enabled: false },
  { name: 'bad.workers', job_type: 'glue', glue: { number_of_workers: 0 } },
]);

describe('table jobs for a run', () => {
  it('takes every enabled table when the event names none, then every invalid entry', () => {
    // Act
    const selection = buildTableJobs(SAMPLE, undefined, SETTINGS, RUN);

    // Assess
    expect(selection.repeated).toEqual([]);
    expect(selection.jobs.map((j) => [j.table, j.job_type])).toEqual([
      ['sales.orders', 'glue'],
      ['crm.accounts', 'emr'],
      ['events.clicks', 'ecs'],
      ['bad.workers', 'glue'],
    ]);
    expect(selection.jobs[3]).toEqual({
      table: 'bad.workers',
      job_type: 'glue',
      error: {
        Error: 'ConfigValidationError',
        Cause: 'tables[4] (bad.workers).glue.number_of_workers: Too small: expected number to be >=1',
      },
    });
  });

  it("builds each job type's request with the run's arguments", () => {
    const [glue, emr, ecs] = buildTableJobs(SAMPLE, undefined, SETTINGS, RUN).jobs;

    expect(glue).toMatchObject({
      table: 'sales.orders',
      job_type: 'glue',
      source_type: 'postgres',
      request: {
        JobName: 'extract-test',
        Arguments: {
          '--table': 'sales.orders',
          '--job_type': 'glue',
          '--run_id': 'run-1',
          '--source_type': 'postgres',
        },
      },
    });
    expect(glue?.error).toBeUndefined();
    expect(emr?.request).toMatchObject({ ApplicationId: '00fabc123example', Name: 'extract-crm.accounts' });
    expect(ecs?.request).toMatchObject({ Cluster: 'extract' });
  });

  it('skips a disabled table unless the event names it', () => {
    const all = buildTableJobs(SAMPLE, undefined, SETTINGS, RUN);
    const named = buildTableJobs(SAMPLE, ['archive.old'], SETTINGS, RUN);

    expect(all.jobs.map((j) => j.table)).not.toContain('archive.old');
    expect(named.jobs).toHaveLength(1);
    expect(named.jobs[0]).toMatchObject({ table: 'archive.old', request: { JobName: 'extract-test' } });
  });

  it('takes only the named tables, in the order asked', () => {
    const selection = buildTableJobs(SAMPLE, ['events.clicks', 'sales.orders'], SETTINGS, RUN);

    expect(selection.jobs.map((j) => j.table)).toEqual(['events.clicks', 'sales.orders']);
  });

  it('turns a named table missing from the config into a TableNotInConfigError item', () => {
    const selection = buildTableJobs(SAMPLE, ['sales.orders', 'hr.salaries'], SETTINGS, RUN);

    expect(selection.jobs[1]).toEqual({
      table: 'hr.salaries',
      job_type: 'unknown',
      error: {
        Error: 'TableNotInConfigError',
        Cause: 'hr.salaries: tables_to_extract names a table that is not in the extract config',
      },
    });
  });

  it('extracts a table named twice once and reports it once as repeated', () => {
    const selection = buildTableJobs(
      SAMPLE,
      ['sales.orders', 'crm.accounts', 'sales.orders', 'sales.orders'],
      SETTINGS,
      RUN,
    );

    expect(selection.jobs.map((j) => j.table)).toEqual(['sales.orders', 'crm.accounts']);
    expect(selection.repeated).toEqual(['sales.orders']);
  });

  it('carries a named invalid entry as a ConfigValidationError item with its reason', () => {
    const selection = buildTableJobs(SAMPLE, ['bad.workers'], SETTINGS, RUN);

    expect(selection.jobs).toEqual([
      {
        table: 'bad.workers',
        job_type: 'glue',
        error: { Error: 'ConfigValidationError', Cause: expect.stringContaining('glue.number_of_workers') },
      },
    ]);
  });

  it('carries a duplicated name as one error item naming both positions', () => {
    const duplicated = config([
      { name: 'twice', job_type: 'glue' },
      { name: 'twice', job_type: 'emr' },
    ]);

    const selection = buildTableJobs(duplicated, undefined, SETTINGS, RUN);

    expect(selection.jobs).toEqual([
      {
        table: 'twice',
        job_type: 'glue',
        error: {
          Error: 'ConfigValidationError',
          Cause: "tables.name: 'twice' is defined more than once (tables[0], tables[1])",
        },
      },
    ]);
  });

  it('gives an unknown job type neither a request nor an error, for the Choice default branch', () => {
    const selection = buildTableJobs(
      config([{ name: 'legacy.items', job_type: 'dms' }]),
      undefined,
      SETTINGS,
      RUN,
    );

    expect(selection.jobs).toHaveLength(1);
    expect(selection.jobs[0]).toEqual({ table: 'legacy.items', job_type: 'dms', source_type: undefined });
    expect(selection.jobs[0]).not.toHaveProperty('request');
    expect(selection.jobs[0]).not.toHaveProperty('error');
  });

  it("turns a launcher's refusal into an error item naming the table, and still builds the others", () => {
    // Prepare
    const mixed = config([
      { name: 'not.allowed', job_type: 'glue', glue: { job_name: 'somebody-elses-job' } },
      { name: 'sales.orders', job_type: 'glue' },
    ]);

    // Act
    const [refused, built] = buildTableJobs(mixed, undefined, SETTINGS, RUN).jobs;

    // Assess
    expect(refused).toEqual({
      table: 'not.allowed',
      job_type: 'glue',
      source_type: undefined,
      error: {
        Error: 'TableJobError',
        Cause:
          "not.allowed: glue.job_name: 'somebody-elses-job' is not one of the stage's allowed Glue jobs (extract-test)",
      },
    });
    expect(refused).not.toHaveProperty('request');
    expect(built?.request).toMatchObject({ JobName: 'extract-test' });
  });

  it('reports a missing ECS setting of the stage against each ECS table', () => {
    const settings = { ...SETTINGS, ecs: { ...SETTINGS.ecs, subnets: [] } };

    const [job] = buildTableJobs(SAMPLE, ['events.clicks'], settings, RUN).jobs;

    expect(job?.error).toEqual({
      Error: 'TableJobError',
      Cause: 'events.clicks: ecs.subnets: no subnets for this table or in the stage config (ecs.subnets)',
    });
  });
});
