// `npm run validate` in-process: the config manager's schema and stage rules on a file before it is uploaded,
// one line per problem naming the table and the field, exit 0 only when clean.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VALIDATE_COMMAND, validateCommand } from '../../local/commands/validate';
import { SAMPLE_CONFIG } from '../../local/commands/samples';
import { runInProcess } from './helpers/commands';

const folder = mkdtempSync(join(tmpdir(), 'validate-'));

function given_a_config_file(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

const validate = (args: string[]) => runInProcess(VALIDATE_COMMAND, validateCommand, args);

describe('npm run validate', () => {
  it('passes the sample config on the local stage: exit 0', async () => {
    // Act
    const result = await validate([SAMPLE_CONFIG]);

    // Assess
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`${SAMPLE_CONFIG}: no problems (stage local)\n`);
  });

  it('lists every problem in several tables, one line each with its table and field: exit 1', async () => {
    // Prepare
    const file = given_a_config_file(
      'several.yml',
      [
        'tables:',
        '  - { name: sales.orders, job_type: glue, glue: { job_name: not-allowed } }',
        '  - { name: crm.accounts, job_type: emr, emr: { timeout_minutes: 0 }, colour: red }',
        '  - { name: ok.table, job_type: ecs }',
        '  - { name: legacy.t, job_type: dms }',
        '  - { name: onprem.t, job_type: runner, worker_group: dc1 }',
      ].join('\n'),
    );

    // Act
    const result = await validate([file]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      `${file}: table crm.accounts: emr.timeout_minutes: Too small: expected number to be >=1`,
      `${file}: table crm.accounts: Unrecognized key: "colour"`,
      `${file}: table sales.orders: glue.job_name: 'not-allowed' is not one of the stage's allowed Glue jobs (extract-pipeline-local-extract, extract-pipeline-local-extract-large)`,
      `${file}: table legacy.t: job_type: 'dms' is not supported (expected one of glue, emr, ecs, runner)`,
      `${file}: table onprem.t: command: a runner table needs the shell command its runner executes`,
      `5 problems in ${file} (stage local)`,
    ]);
  });

  it('checks against the named stage: its allowed Glue jobs', async () => {
    // Prepare
    const file = given_a_config_file(
      'local-job.yml',
      'tables:\n  - { name: t, job_type: glue, glue: { job_name: extract-pipeline-local-extract } }\n',
    );

    // Act
    const result = await validate([file, '--stage', 'dev', '--json']);

    // Assess
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      file,
      stage: 'dev',
      problems: [
        {
          table: 't',
          field: 'glue.job_name',
          message:
            "'extract-pipeline-local-extract' is not one of the stage's allowed Glue jobs (extract-pipeline-dev-extract, extract-pipeline-dev-extract-large)",
        },
      ],
    });
  });

  it('reports a bad top level and bad defaults field by field', async () => {
    // Prepare
    const file = given_a_config_file('top.yml', 'version: 2\ntables: []\n');

    // Act
    const result = await validate([file, '--json']);

    // Assess
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).problems).toEqual([
      { field: 'version', message: 'Invalid input: expected 1' },
      { field: 'tables', message: 'must list at least one table' },
    ]);
  });

  it('reports a file that is not YAML as one line naming where: exit 1', async () => {
    // Prepare
    const file = given_a_config_file('broken.yml', 'tables: [a\n');

    // Act
    const result = await validate([file]);

    // Assess
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${file}: is not valid YAML: .* at line 2, column 1:$`));
  });

  it('refuses a missing file as a usage error: exit 2', async () => {
    // Act
    const result = await validate([join(folder, 'missing.yml')]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `npm run validate: ${join(folder, 'missing.yml')}: cannot be read (ENOENT)`,
    );
  });

  it('refuses a command line without a file: exit 2', async () => {
    const result = await validate([]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('npm run validate: no config file given');
  });

  it('prints its usage and exit codes for --help: exit 0', async () => {
    const result = await validate(['--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run validate -- <config file>/);
    expect(result.stdout).toContain('--stage <stage>');
    expect(result.stdout).toContain('Exit status: 0');
  });
});
