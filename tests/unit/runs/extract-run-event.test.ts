// The state machine's input: what a manual invoke, the upload trigger and the local runner may send.
import { InvalidEventError } from '../../../functions/lib/errors';
import { parseExtractRunEvent } from '../../../functions/lib/runs/extract-run-event';

const LIMIT = 3;

function rejection(input: unknown, limit = LIMIT): string {
  try {
    parseExtractRunEvent(input, limit);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEventError);
    return (error as Error).message;
  }
  throw new Error('expected an InvalidEventError');
}

describe('extract run event', () => {
  it.each([
    ['an empty object', {}],
    ['undefined', undefined],
    ['null', null],
  ])('treats %s as a manual run of every table', (_label, input) => {
    expect(parseExtractRunEvent(input, LIMIT)).toEqual({ trigger: 'manual' });
  });

  it('keeps every documented field', () => {
    // Prepare
    const input = {
      tables_to_extract: ['sales.orders', 'crm.accounts'],
      run_id: '2024-06-01T00:00:00Z_daily',
      config_key: 'extract-config/nightly.yml',
      config_version: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
      trigger: 's3',
    };

    // Act
    const event = parseExtractRunEvent(input, LIMIT);

    // Assess
    expect(event).toEqual(input);
  });

  it.each(['manual', 's3', 'schedule', 'local'])('accepts the trigger %s', (trigger) => {
    expect(parseExtractRunEvent({ trigger }, LIMIT).trigger).toBe(trigger);
  });

  it('rejects a misspelt key, naming it, instead of extracting every table', () => {
    expect(rejection({ table_to_extract: ['sales.orders'] })).toBe(
      'Invalid event: Unrecognized key: "table_to_extract"',
    );
  });

  it('rejects an empty tables_to_extract, saying to omit it for every table', () => {
    expect(rejection({ tables_to_extract: [] })).toBe(
      'Invalid event: tables_to_extract: must name at least one table (omit it to extract every table in the config)',
    );
  });

  it('rejects a string where the list belongs', () => {
    expect(rejection({ tables_to_extract: 'sales.orders' })).toBe(
      'Invalid event: tables_to_extract: Invalid input: expected array, received string',
    );
  });

  it('names the position of an invalid table name in the list', () => {
    expect(rejection({ tables_to_extract: ['ok', 'bad name!'] })).toBe(
      'Invalid event: tables_to_extract[1]: must be 1-255 letters, digits, _ . $ or -',
    );
  });

  it.each(['', 'has space', 'slash/id', 'x'.repeat(81)])('rejects the run_id %j', (runId) => {
    expect(rejection({ run_id: runId })).toBe(
      'Invalid event: run_id: must be 1-80 letters, digits, _ . : or -',
    );
  });

  it('accepts an 80-character run_id', () => {
    const runId = 'r'.repeat(80);

    expect(parseExtractRunEvent({ run_id: runId }, LIMIT).run_id).toBe(runId);
  });

  it('rejects an unknown trigger, listing the allowed ones', () => {
    expect(rejection({ trigger: 'cron' })).toBe(
      'Invalid event: trigger: Invalid option: expected one of "manual"|"s3"|"schedule"|"local"',
    );
  });

  it('rejects an empty config_key', () => {
    expect(rejection({ config_key: '' })).toMatch(/^Invalid event: config_key: /);
  });

  it('reports every problem at once', () => {
    expect(rejection({ run_id: 'a b', trigger: 'cron' })).toBe(
      'Invalid event: run_id: must be 1-80 letters, digits, _ . : or -; ' +
        'trigger: Invalid option: expected one of "manual"|"s3"|"schedule"|"local"',
    );
  });

  it('accepts exactly the stage limit of tables', () => {
    const tables = ['a', 'b', 'c'];

    expect(parseExtractRunEvent({ tables_to_extract: tables }, 3).tables_to_extract).toEqual(tables);
  });

  it("rejects one table more than the stage's limit, saying to split the run", () => {
    expect(rejection({ tables_to_extract: ['a', 'b', 'c', 'd'] }, 3)).toBe(
      "Invalid event: tables_to_extract: lists 4 tables, more than this stage's limit of 3 per run (split the run)",
    );
  });

  describe('re-runs', () => {
    it('keeps rerun_of, include_skipped and only_failed', () => {
      const input = { rerun_of: 'nightly-2024-06-01', include_skipped: true, only_failed: false };

      expect(parseExtractRunEvent(input, LIMIT)).toEqual({ ...input, trigger: 'manual' });
    });

    it.each(['', 'has space', 'x'.repeat(81)])(
      'rejects the rerun_of %j, saying it must be a run id',
      (id) => {
        expect(rejection({ rerun_of: id })).toBe(
          'Invalid event: rerun_of: must be a run id: 1-80 letters, digits, _ . : or -',
        );
      },
    );

    it.each(['include_skipped', 'only_failed'])('rejects a %s that is not a boolean', (field) => {
      expect(rejection({ rerun_of: 'r1', [field]: 'yes' })).toBe(
        `Invalid event: ${field}: Invalid input: expected boolean, received string`,
      );
    });

    it.each(['include_skipped', 'only_failed'])('rejects %s without rerun_of', (field) => {
      expect(rejection({ [field]: true })).toBe(`Invalid event: ${field}: only applies with rerun_of`);
    });

    it('rejects rerun_of with tables_to_extract, naming both', () => {
      expect(rejection({ rerun_of: 'r1', tables_to_extract: ['sales.orders'] })).toBe(
        'Invalid event: rerun_of and tables_to_extract: give one or the other (a re-run takes its tables from the run it re-runs)',
      );
    });
  });
});
