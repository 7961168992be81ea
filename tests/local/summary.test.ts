// The human summary `npm start` and `npm run status -- --run-id` print: errors whole, wrapped under their column;
// past 50 tables the failed ones first and a count of the rest; config errors naming the user's file.
import {
  formatSummary,
  nameConfigFile,
  SUMMARY_TABLE_LIMIT,
  wrapText,
  type RunSummary,
  type TableSummary,
} from '../../local/summary';

function aRun(tables: TableSummary[], extra: Partial<RunSummary> = {}): RunSummary {
  const count = (status: string) => tables.filter((t) => t.status === status).length;
  return {
    runId: 'r1',
    status: count('FAILED') ? 'FAILED' : 'SUCCEEDED',
    configKey: 'extract-config/extract-config.yml',
    counts: {
      tables: tables.length,
      succeeded: count('SUCCEEDED'),
      failed: count('FAILED'),
      skipped: count('SKIPPED'),
      cancelled: count('CANCELLED'),
      pending: count('PENDING'),
    },
    tables,
    ...extra,
  };
}

const LONG_CAUSE =
  'AnalysisException: relation "sales.order_lines" does not exist; the source schema was renamed last night ' +
  'and the view that used to point at it now points at an empty table, see the runbook entry EXT-42 for what ' +
  'to do next';

describe('the human run summary', () => {
  it('shows a long error whole, wrapped under the error column', () => {
    // Prepare
    const run = aRun([
      {
        table: 'sales.order_lines',
        jobType: 'glue',
        status: 'FAILED',
        attempts: 1,
        error: 'States.TaskFailed',
        cause: LONG_CAUSE,
      },
      { table: 'crm.accounts', jobType: 'glue', status: 'SUCCEEDED', attempts: 1 },
    ]);

    // Act
    const text = formatSummary(run);

    // Assess
    const lines = text.split('\n');
    expect(lines.every((line) => line.length <= 120)).toBe(true);
    expect(text.replace(/\s+/g, ' ')).toContain(`States.TaskFailed: ${LONG_CAUSE}`);
    const errorColumn = lines.find((line) => line.startsWith('table'))!.indexOf('job run id / error');
    const continuation = lines[lines.findIndex((line) => line.startsWith('sales.order_lines')) + 1]!;
    expect(continuation.slice(0, errorColumn).trim()).toBe('');
    expect(continuation.slice(errorColumn)).toMatch(/^\S/);
  });

  it(`lists only the failed and unfinished tables, failed first, and counts the rest past ${SUMMARY_TABLE_LIMIT} tables`, () => {
    // Prepare
    const succeeded = Array.from({ length: 60 }, (_, i): TableSummary => ({
      table: `a.t${String(i).padStart(2, '0')}`,
      jobType: 'glue',
      status: 'SUCCEEDED',
      attempts: 1,
    }));
    const run = aRun(
      [
        ...succeeded,
        { table: 'z.pending', jobType: 'ecs', status: 'PENDING', attempts: 0 },
        { table: 'z.failed', jobType: 'emr', status: 'FAILED', attempts: 1, error: 'Boom' },
      ],
      { status: 'RUNNING' },
    );

    // Act
    const lines = formatSummary(run).split('\n');

    // Assess
    const rows = lines.filter((line) => /^[az]\./.test(line));
    expect(rows.map((line) => line.split(/\s+/)[0])).toEqual(['z.failed', 'z.pending']);
    expect(lines.at(-1)).toBe(
      '… and 60 more tables (60 succeeded): npm run status -- --run-id r1 --json lists every table',
    );
  });

  it('lists every table, in table order, up to the limit', () => {
    // Prepare
    const tables = Array.from({ length: SUMMARY_TABLE_LIMIT }, (_, i): TableSummary => ({
      table: `a.t${String(i).padStart(2, '0')}`,
      jobType: 'glue',
      status: i === 7 ? 'FAILED' : 'SUCCEEDED',
      attempts: 1,
    }));

    // Act
    const rows = formatSummary(aRun(tables))
      .split('\n')
      .filter((line) => line.startsWith('a.t'));

    // Assess
    expect(rows).toHaveLength(SUMMARY_TABLE_LIMIT);
    expect(rows[7]).toMatch(/^a\.t07 .* FAILED/);
  });

  it("names the user's config file instead of the key it was uploaded under", () => {
    // Prepare
    const run = aRun([], {
      status: 'FAILED',
      error: 'ConfigValidationError',
      cause: 'extract-config/extract-config.yml: tables: Invalid input: expected array, received string',
    });

    // Act
    const named = nameConfigFile(run, '/tmp/x.yml');

    // Assess
    expect(named.cause).toBe('/tmp/x.yml: tables: Invalid input: expected array, received string');
    expect(named.configFile).toBe('/tmp/x.yml');
    expect(formatSummary(named)).toBe(
      'Run r1: FAILED — ConfigValidationError:\n  /tmp/x.yml: tables: Invalid input: expected array, received string',
    );
  });

  it('shows the run a re-run re-runs, and the re-runs of a run, under its counts', () => {
    // Prepare
    const table: TableSummary = { table: 'sales.orders', jobType: 'glue', status: 'SUCCEEDED', attempts: 1 };
    const rerun = aRun([table], { runId: 'r1-rerun', rerunOf: 'r1' });
    const rerunOften = aRun([table], { reruns: ['r1-b', 'r1-c'], rerunCount: 5 });

    // Act
    const lines = formatSummary(rerun).split('\n');
    const often = formatSummary(rerunOften).split('\n');

    // Assess
    expect(lines.slice(0, 2)).toEqual([
      'Run r1-rerun: SUCCEEDED — 1 of 1 tables succeeded',
      '  Re-run of r1',
    ]);
    expect(often[1]).toBe('  Re-run by r1-b, r1-c (and 3 earlier)');
  });

  it('names the run a re-run could not re-run after its reason', () => {
    const run = aRun([], {
      status: 'FAILED',
      error: 'RerunNotPossibleError',
      cause: "rerun_of: no run 'r0' in the tracking table",
      rerunOf: 'r0',
    });

    expect(formatSummary(run)).toBe(
      "Run r1: FAILED — RerunNotPossibleError:\n  rerun_of: no run 'r0' in the tracking table\n  Re-run of r0",
    );
  });

  it("shows each table's job run id, then its whole error under it", () => {
    // Prepare
    const run = aRun([
      {
        table: 'sales.orders',
        jobType: 'glue',
        status: 'FAILED',
        attempts: 2,
        jobRunId: 'jr_0123456789abcdef',
        error: 'States.TaskFailed',
        cause: LONG_CAUSE,
      },
    ]);

    // Act
    const lines = formatSummary(run).split('\n');

    // Assess
    const row = lines.findIndex((line) => line.startsWith('sales.orders'));
    expect(lines[row]).toMatch(/FAILED +2 +jr_0123456789abcdef$/);
    expect(
      lines
        .slice(row + 1)
        .join(' ')
        .replace(/\s+/g, ' '),
    ).toContain(`States.TaskFailed: ${LONG_CAUSE}`);
  });

  it("lists a run's tables failed first (then cancelled, unfinished) up to --limit, and counts what it left out", () => {
    // Prepare
    const run = aRun([
      { table: 'a.ok', jobType: 'glue', status: 'SUCCEEDED', attempts: 1 },
      { table: 'b.waiting', jobType: 'runner', status: 'PENDING', attempts: 0 },
      { table: 'c.stopped', jobType: 'runner', status: 'CANCELLED', attempts: 0, error: 'RunCancelled' },
      { table: 'd.broken', jobType: 'emr', status: 'FAILED', attempts: 1, error: 'Boom' },
      { table: 'e.broken', jobType: 'emr', status: 'FAILED', attempts: 1, error: 'Boom' },
    ]);

    // Act
    const lines = formatSummary(run, { limit: 3 }).split('\n');

    // Assess
    const rows = lines.filter((line) => /^[a-e]\./.test(line)).map((line) => line.split(/\s+/)[0]);
    expect(rows).toEqual(['d.broken', 'e.broken', 'c.stopped']);
    expect(lines.at(-1)).toBe(
      '… and 2 more tables (1 succeeded, 1 not finished): npm run status -- --run-id r1 --json lists every table',
    );
  });

  it('lists only the tables of the status asked for', () => {
    // Prepare
    const run = aRun([
      { table: 'a.ok', jobType: 'glue', status: 'SUCCEEDED', attempts: 1 },
      { table: 'b.stopped', jobType: 'runner', status: 'CANCELLED', attempts: 0 },
    ]);

    // Act
    const text = formatSummary(run, { status: 'CANCELLED' });
    const none = formatSummary(run, { status: 'FAILED' });

    // Assess
    expect(text).toContain('b.stopped');
    expect(text).not.toContain('a.ok');
    expect(none).toContain('No FAILED tables.');
  });

  it('shows a runner table that waits for a runner as WAITING, with its worker group and the last poll', () => {
    // Prepare
    const now = Date.parse('2026-11-25T12:00:00Z');
    const run = aRun(
      [
        {
          table: 'onprem.orders',
          jobType: 'runner',
          status: 'PENDING',
          attempts: 1,
          waiting: {
            workerGroup: 'onprem-db',
            queuedAt: '2026-11-25T11:40:00Z',
            lastPolledAt: '2026-11-25T11:46:00Z',
          },
        },
        {
          table: 'onprem.customers',
          jobType: 'runner',
          status: 'PENDING',
          attempts: 1,
          waiting: { workerGroup: 'dc-2', queuedAt: '2026-11-25T11:59:30Z' },
        },
      ],
      { status: 'RUNNING' },
    );

    // Act
    const text = formatSummary(run, { nowMs: now }).replace(/\s+/g, ' ');

    // Assess
    expect(text).toContain('2 not finished (2 waiting for a runner)');
    expect(text).toContain(
      'onprem.orders runner WAITING 1 waiting for a runner of worker group onprem-db (queued 20m ago): no runner has polled it for 14m',
    );
    expect(text).toContain('worker group dc-2 (queued 30s ago): no runner has ever polled it');
  });

  it('wraps at spaces, cuts only a word longer than the line, and keeps line breaks', () => {
    expect(wrapText('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('one\ntwo', 40)).toEqual(['one', 'two']);
  });
});
