// What the status handler counts per table: its final status, and how long the job ran when the service said
// when it started.
import { describeJobOutcome } from '../../../functions/lib/jobs/job-outcome';
import { isConfigValidationFailure, outcomeMetrics } from '../../../functions/lib/jobs/outcome-metrics';

const NOW = new Date('2026-01-01T10:05:00Z');

describe('outcome metrics', () => {
  it('counts a success and its duration from the reported start', () => {
    expect(
      outcomeMetrics({ status: 'SUCCEEDED', attempts: 1, started_at: '2026-01-01T10:00:00Z' }, NOW),
    ).toEqual([
      { name: 'TablesSucceeded', unit: 'Count', value: 1 },
      { name: 'JobDuration', unit: 'Seconds', value: 300 },
    ]);
  });

  it('counts a failure without a duration when no start was reported', () => {
    expect(outcomeMetrics({ status: 'FAILED', attempts: 0, error: 'UnknownJobTypeError' }, NOW)).toEqual([
      { name: 'TablesFailed', unit: 'Count', value: 1 },
    ]);
  });

  it('counts a skipped table', () => {
    expect(outcomeMetrics({ status: 'SKIPPED', attempts: 1 }, NOW)).toEqual([
      { name: 'TablesSkipped', unit: 'Count', value: 1 },
    ]);
  });

  it('tells a table the config refused apart from a job failure', () => {
    expect(isConfigValidationFailure({ status: 'FAILED', attempts: 0, error: 'ConfigValidationError' })).toBe(
      true,
    );
    expect(isConfigValidationFailure({ status: 'FAILED', attempts: 1, error: 'States.TaskFailed' })).toBe(
      false,
    );
  });
});

describe('runner queue wait', () => {
  it("reads a runner table's wait from its queued and leased times, and starts the job at the lease", () => {
    // Act
    const outcome = describeJobOutcome(
      'runner',
      {
        attemptId: '@t_2026-01-01T10:00:00',
        attempt: 1,
        status: 'SUCCEEDED',
        queuedAt: '2026-01-01T10:00:00.000Z',
        leasedAt: '2026-01-01T10:01:30.000Z',
      },
      undefined,
    );

    // Assess
    expect(outcome).toMatchObject({ started_at: '2026-01-01T10:01:30.000Z', queue_wait_seconds: 90 });
    expect(outcomeMetrics(outcome, NOW)).toEqual([
      { name: 'TablesSucceeded', unit: 'Count', value: 1 },
      { name: 'JobDuration', unit: 'Seconds', value: 210 },
      { name: 'QueueWait', unit: 'Seconds', value: 90 },
    ]);
  });

  it("counts a watermark table's success that did not move its watermark", () => {
    // Prepare
    const outcome = describeJobOutcome('glue', { Id: 'jr_1' }, undefined);
    outcome.watermark_warning = 'watermark not moved: no watermark reported';

    // Act
    const names = outcomeMetrics(outcome, NOW).map((metric) => metric.name);

    // Assess
    expect(names).toEqual(['TablesSucceeded', 'WatermarksNotMoved']);
  });
});
