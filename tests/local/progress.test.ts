// The progress line `npm start` writes while a run goes on: a run whose runner tables wait for a runner says so,
// with the worker group and how long no runner has polled it, instead of going silent.
import { formatProgress } from '../../local/progress';

describe('the progress line', () => {
  it('counts the tables done and running', () => {
    expect(formatProgress({ total: 4, succeeded: 2, failed: 1, running: 1 }, 12_000)).toBe(
      '[ 12s] 3/4 tables done (2 succeeded, 1 failed), 1 running',
    );
  });

  it('names the worker group runner tables wait for, and how long no runner has polled it', () => {
    // Prepare
    const now = Date.parse('2026-11-25T12:00:00Z');
    const counts = {
      total: 5,
      succeeded: 1,
      failed: 0,
      running: 4,
      waiting: [
        { workerGroup: 'onprem-db', tables: 2, lastPolledAt: '2026-11-25T11:57:00Z' },
        { workerGroup: 'dc-2', tables: 1 },
      ],
    };

    // Act
    const line = formatProgress(counts, 200_000, now);

    // Assess
    expect(line).toBe(
      '[200s] 1/5 tables done (1 succeeded, 0 failed), 4 running; ' +
        '2 waiting for a runner of onprem-db: no runner has polled it for 3m (and 1 in 1 more groups)',
    );
  });
});
