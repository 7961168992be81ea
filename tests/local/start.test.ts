// `npm start` as a user runs it: the sample extract config on the real definition and handlers, job outcomes
// from the shipped mock files, the summary read from stdout (--json) and the exit code.
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, startInProcess, tableOf, type SummaryJson } from './helpers/commands';
import { LOCAL_STACK_TEST_TIMEOUT_MS } from '../helpers/wait-for';

jest.setTimeout(LOCAL_STACK_TEST_TIMEOUT_MS);

const scratch = mkdtempSync(join(tmpdir(), 'extract-pipeline-start-test-'));

describe('npm start on the sample', () => {
  it.concurrent(
    'runs every job type to SUCCEEDED, shows the throttled Glue table retried, runs the runner command, and exits 0',
    async () => {
      // Act
      const result = await start();

      // Assess
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout) as SummaryJson;
      expect(summary.status).toBe('SUCCEEDED');
      expect(summary.runId).toMatch(/^local-/);
      expect(summary.tables).toHaveLength(8);
      expect(summary.tables.every((t) => t.status === 'SUCCEEDED')).toBe(true);
      expect(new Set(summary.tables.map((t) => t.jobType))).toEqual(
        new Set(['glue', 'emr', 'ecs', 'runner']),
      );
      expect(tableOf(summary, 'sales.orders')).toMatchObject({ jobType: 'glue', attempts: 1, retries: 2 });
      expect(tableOf(summary, 'onprem.customers')).toMatchObject({ jobType: 'runner', attempts: 1 });
      // The sample's runner table is incremental: its command reported a watermark, now stored.
      expect(tableOf(summary, 'onprem.customers').watermark).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z$/,
      );
      expect(result.stderr).toMatch(/8\/8 tables done \(8 succeeded, 0 failed\)/);
      // The bundled runner CLI really ran the command, with the task's fields in its environment.
      const csv = join(tmpdir(), 'extract-pipeline-local', summary.runId, 'onprem.customers.csv');
      expect(existsSync(csv)).toBe(true);
      expect(readFileSync(csv, 'utf8')).toBe('id,name,source\n1,Ada,oracle\n2,Grace,oracle\n');
      // Without --verbose the runner's logs and the command's output stay off the terminal.
      expect(result.stderr).not.toMatch(/onprem\.customers: wrote|Runner started/);
    },
  );

  it.concurrent(
    'records each failure with its error and cause with the failures mock, and exits 1',
    async () => {
      // Act
      const result = await start(['--mock', 'local/sample/mock-failures.yml']);

      // Assess
      expect(result.code).toBe(1);
      const summary = JSON.parse(result.stdout) as SummaryJson;
      expect(summary.status).toBe('FAILED');
      expect(tableOf(summary, 'sales.order_lines')).toMatchObject({
        status: 'FAILED',
        error: 'States.TaskFailed',
        cause: 'AnalysisException: relation "sales.order_lines" does not exist',
      });
      expect(tableOf(summary, 'events.clicks')).toMatchObject({ status: 'FAILED', jobType: 'ecs' });
      expect(tableOf(summary, 'events.clicks').cause).toMatch(/OutOfMemoryError/);
      expect(tableOf(summary, 'sales.orders')).toMatchObject({
        status: 'FAILED',
        error: 'Glue.ConcurrentRunsExceededException',
        retries: 6,
      });
      expect(tableOf(summary, 'crm.accounts').status).toBe('SUCCEEDED');
    },
  );

  it.concurrent(
    'shows the runner and its command output on stderr with --verbose, stdout still the summary',
    async () => {
      // Act
      const result = await start(['--verbose', '--full-refresh', '--tables', 'onprem.customers']);

      // Assess
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(
        /onprem\.customers: wrote .*onprem\.customers\.csv \(rows changed after the beginning\)/,
      );
      expect(result.stderr).toMatch(/"message":"Runner started"/);
      // The handlers' logs go to stderr too: stdout is one JSON document, the summary.
      expect(result.stderr).toMatch(/"message":"Extract run prepared"/);
      expect(result.stdout).not.toMatch(/onprem\.customers: wrote|Runner started|"level":/);
      const summary = JSON.parse(result.stdout) as SummaryJson;
      expect(tableOf(summary, 'onprem.customers')).toMatchObject({ jobType: 'runner', status: 'SUCCEEDED' });
    },
  );
});

describe('npm start on bad input', () => {
  // One run for both (each run is a local stack of its own): the tables asked for, one of them not in the config.
  it.concurrent(
    'runs only the tables asked for with --tables, records one not in the config FAILED naming it, and exits 1',
    async () => {
      // Act
      const result = await start(['--tables', 'crm.accounts,events.clicks,no.such_table']);

      // Assess
      expect(result.code).toBe(1);
      const summary = JSON.parse(result.stdout) as SummaryJson;
      expect(summary.tables.map((t) => t.table)).toEqual(['crm.accounts', 'events.clicks', 'no.such_table']);
      expect(tableOf(summary, 'no.such_table')).toMatchObject({
        status: 'FAILED',
        error: 'TableNotInConfigError',
      });
      expect(tableOf(summary, 'crm.accounts').status).toBe('SUCCEEDED');
      expect(tableOf(summary, 'events.clicks').status).toBe('SUCCEEDED');
    },
  );

  it.concurrent('fails the run on an invalid config file and prints the reason', async () => {
    // Prepare
    const config = join(scratch, 'bad-config.yml');
    writeFileSync(config, 'version: 1\ntables: not-a-list\n');

    // Act
    const result = await start(['--config', config]);

    // Assess
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary).toMatchObject({ status: 'FAILED', error: 'ConfigValidationError', tables: [] });
    // The reason names the file given with --config, not the bucket key it was uploaded under.
    expect(summary.cause).toMatch(new RegExp(`^${config}: tables: .*expected array`));
    expect(result.stderr).toContain(`ConfigValidationError: ${config}: tables:`);
  });

  it.concurrent('holds the run to the tables-per-run limit given with --max-tables', async () => {
    const result = await start(['--max-tables', '2']);

    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary).toMatchObject({ status: 'FAILED', error: 'InvalidEventError', tables: [] });
    expect(summary.cause).toMatch(/the config selects 8 tables, more than this stage's limit of 2 per run/);
  });

  it.concurrent('fails the run on an event the state machine rejects, naming the field', async () => {
    const result = await start(['--data', '{"table_to_extract":["sales.orders"]}']);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/InvalidEventError: .*"table_to_extract"/);
  });
});

// Refused before anything starts: the same main in-process, so each case costs no child process or stack.
describe('npm start on bad command-line input', () => {
  beforeAll(() => {
    // DEBUG would add the stack trace that these cases must not show.
    delete process.env.DEBUG;
  });

  it.each([
    ['malformed --data JSON', ['--data', '{"tables_to_extract":'], /--data: not valid JSON/, 2],
    ['--data that is not an object', ['--data', '[1]'], /--data: must be a JSON object/, 2],
    ['--data together with --tables', ['--data', '{}', '--tables', 'a'], /--data and --tables/, 2],
    ['an empty --tables', ['--tables', ' , '], /--tables: name at least one table/, 2],
    [
      '--rerun-of together with --tables',
      ['--rerun-of', 'r1', '--tables', 'a'],
      /--rerun-of and --tables/,
      2,
    ],
    [
      '--include-skipped without --rerun-of',
      ['--include-skipped'],
      /--include-skipped: only with --rerun-of/,
      2,
    ],
    [
      '--rerun-of in a standalone run, whose tracking table is empty',
      ['--rerun-of', 'r1'],
      /--rerun-of r1: a re-run reads that run's records in the serve instance's tracking table .*; drop --standalone/,
      1,
    ],
    ['an unknown option', ['--tabels', 'a'], /unknown option --tabels \(did you mean --tables\?\)/, 2],
    ['a --max-tables that is no count', ['--max-tables', '0'], /--max-tables: a whole number above 0/, 2],
    ['a missing config file', ['--config', '/nonexistent/config.yml'], /--config .*cannot be read/, 1],
    ['a missing mock file', ['--mock', '/nonexistent/mock.yml'], /mock\.yml: cannot be read/, 1],
  ])('ends with one clear line for %s', async (_label, args, message, code) => {
    const result = await startInProcess(args);

    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
    const [first, ...rest] = result.stderr.trim().split('\n');
    expect(first).toMatch(message);
    // A usage error adds the usage line and where every option is listed.
    expect(rest).toHaveLength(code === 2 ? 2 : 0);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names the field of a bad mock file', async () => {
    // Prepare
    const mock = join(scratch, 'bad-mock.yml');
    writeFileSync(mock, 'tables:\n  sales.orders:\n    throttle: many\n    sekonds: 2\n');

    // Act
    const result = await startInProcess(['--mock', mock]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/tables\.sales\.orders\.throttle: .*expected number/);
    expect(result.stderr).toMatch(/tables\.sales\.orders: Unrecognized key: "sekonds"/);
  });

  it('prints the usage on stdout with --help and exits 0', async () => {
    const result = await startInProcess(['--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm start -- /);
    expect(result.stdout).toMatch(/--rerun-of <run id> .*\n.*--include-skipped .*\n.*--all-tables /);
  });
});
