// Registers test files in the suite file that calls it: `npm test` runs the unit and task-runner projects as a few
// suites (jest.suites.config.js) instead of one Jest file each. Jest gives every test file a module registry of its
// own and evaluates every module it loads again there (the AWS SDK, dynalite, the endpoint): for these small files
// that was most of their CPU time (npx jest on each project: unit 20 -> 11 s, task-runner 32 -> 21 s). Each file
// keeps its own describe and hooks; `npx jest <file>` (jest.config.js) still runs any of them on its own.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const TESTS = join(__dirname, '..');
// Where jest.setTimeout keeps the timeout; Jest's test runner (jest-circus) reads it once, when the file's tests
// start, so one timeout holds for a whole suite.
const TIMEOUT = Symbol.for('TEST_TIMEOUT_SYMBOL');
const timeoutSlot = globalThis as unknown as Record<symbol, number | undefined>;

/** The test files under `folder` (relative to tests/), in path order. */
export function testFilesUnder(folder: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) return walk(path);
        return name.endsWith('.test.ts') ? [relative(TESTS, path)] : [];
      });
  return walk(join(TESTS, folder));
}

/**
 * Each file (relative to tests/) in a describe named after it. A file's jest.setTimeout bounds a hang; the suite
 * takes the largest any of its files set, as one timeout holds for all of them.
 */
export function registerTestFiles(files: string[]): void {
  let largest: number | undefined;
  for (const file of files) {
    describe(file, () => {
      timeoutSlot[TIMEOUT] = undefined;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(join(TESTS, file));
      const own = timeoutSlot[TIMEOUT];
      if (own !== undefined && own > (largest ?? 0)) largest = own;
    });
  }
  timeoutSlot[TIMEOUT] = largest;
}

/** Which files each suite registers (groups.js, shared with jest.suites.config.js). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const GROUPS = require('./groups') as Record<
  'UNIT_CONFIG_JOBS_RUNS' | 'TASK_RUNNER_RUNNER' | 'LOCAL_SMALL' | 'TEMPLATE_SMALL',
  RegExp
>;
