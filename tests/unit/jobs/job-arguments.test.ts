// The arguments every extract job receives, whatever service runs it.
import type { TableConfig } from '../../../functions/lib/config/extract-config';
import { toEnvironmentName } from '../../../functions/lib/config/argument-names';
import { buildJobArguments } from '../../../functions/lib/jobs/job-arguments';

function table(overrides: Partial<TableConfig> = {}): TableConfig {
  return { name: 'sales.orders', job_type: 'glue', enabled: true, ...overrides };
}

describe('job arguments', () => {
  it('always passes the table, job type and run id', () => {
    expect(buildJobArguments(table(), { run_id: 'run-1' })).toEqual({
      '--table': 'sales.orders',
      '--job_type': 'glue',
      '--run_id': 'run-1',
    });
  });

  it('adds source type, secret ARN and target path when the table has them, common keys first', () => {
    // Prepare
    const orders = table({
      source_type: 'postgres',
      source_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf',
      target_path: 's3://lake/raw',
      arguments: { fetch_size: '10000', partition_column: 'order_date' },
    });

    // Act
    const args = buildJobArguments(orders, { run_id: 'run-1' });

    // Assess
    expect(Object.entries(args)).toEqual([
      ['--table', 'sales.orders'],
      ['--job_type', 'glue'],
      ['--run_id', 'run-1'],
      ['--source_type', 'postgres'],
      ['--source_secret_arn', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf'],
      ['--target_path', 's3://lake/raw'],
      ['--fetch_size', '10000'],
      ['--partition_column', 'order_date'],
    ]);
  });

  it('never lets a table argument override --table, --job_type or --run_id', () => {
    const sneaky = table({
      arguments: { table: 'hr.salaries', run_id: 'other-run', job_type: 'emr', mode: 'full' },
    });

    const args = buildJobArguments(sneaky, { run_id: 'run-1' });

    expect(args).toEqual({
      '--table': 'sales.orders',
      '--job_type': 'glue',
      '--run_id': 'run-1',
      '--mode': 'full',
    });
  });

  it('keeps the table-level source_type over an argument of the same name', () => {
    const args = buildJobArguments(table({ source_type: 'postgres', arguments: { source_type: 'mysql' } }), {
      run_id: 'r',
    });

    expect(args['--source_type']).toBe('postgres');
  });
});

describe('environment names', () => {
  it.each([
    ['--source_type', 'EXTRACT_SOURCE_TYPE'],
    ['--table', 'EXTRACT_TABLE'],
    ['--fetch.size-max', 'EXTRACT_FETCH_SIZE_MAX'],
    ['--runId', 'EXTRACT_RUNID'],
    ['target_path', 'EXTRACT_TARGET_PATH'],
  ])('turns %s into %s', (key, name) => {
    expect(toEnvironmentName(key)).toBe(name);
  });
});
