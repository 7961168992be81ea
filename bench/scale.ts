// The slot for the scale figures of issue 12, not measured yet: wall time and peak memory of local runs of
// 1,000, 10,000 and 100,000 tables, and the config manager and Complete Extract Run at 100,000 tables. Until
// a bench measures them they are printed as such, and --json carries them with a null value.
import type { BenchSection, Figures } from './figures';

const COMMAND = 'not measured yet';

export function benchScale(): BenchSection {
  const figures: Figures = {};
  const slot = (name: string, unit: string) => {
    figures[name] = { value: null, unit, command: COMMAND, note: 'issue 12: not measured yet' };
  };
  for (const tables of [1_000, 10_000, 100_000]) {
    slot(`scale.local_run_${tables}_tables.wall_s`, 's');
    slot(`scale.local_run_${tables}_tables.peak_rss_mb`, 'MB');
  }
  for (const fn of ['config_manager', 'complete_run']) {
    slot(`scale.${fn}_100000_tables.wall_s`, 's');
    slot(`scale.${fn}_100000_tables.peak_rss_mb`, 'MB');
  }
  return {
    title:
      'Scale: local runs of 1,000 / 10,000 / 100,000 tables; config manager and Complete Extract Run at 100,000',
    command: COMMAND,
    lines: ['Not measured yet (issue 12).'],
    figures,
  };
}
