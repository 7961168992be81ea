// How long the config manager takes to validate a large extract config: 200,000 table entries, all unique and all
// one name (the duplicate check was quadratic once). Printed, never asserted.
import { performance } from 'node:perf_hooks';
import { validateExtractConfig } from '../functions/lib/config/extract-config';
import type { BenchSection } from './figures';

const ENTRIES = 200_000;

function timeValidation(tables: unknown[]): number {
  const started = performance.now();
  validateExtractConfig({ tables }, 'bench.yml');
  return Math.round(performance.now() - started);
}

export function benchConfigValidation(): BenchSection {
  const command = 'npm run bench';
  const unique = timeValidation(
    Array.from({ length: ENTRIES }, (_, i) => ({ name: `t${i}`, job_type: 'glue' })),
  );
  const same = timeValidation(Array.from({ length: ENTRIES }, () => ({ name: 'same', job_type: 'glue' })));
  return {
    title: `Extract config validation (${ENTRIES.toLocaleString('en')} table entries)`,
    command,
    lines: [`all names unique: ${unique} ms`, `one name repeated: ${same} ms`],
    figures: {
      'config_validation.200000_unique_entries_ms': { value: unique, unit: 'ms', command },
      'config_validation.200000_same_name_entries_ms': { value: same, unit: 'ms', command },
    },
  };
}
