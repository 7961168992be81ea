// The order Jest starts the test files in: the longest first, so that no long file starts late and runs on alone
// while the other workers are idle; the template project's files last. On a clean clone (CI) Jest knows no file's
// duration and orders by file size, which put serve.test.ts and start.test.ts behind dozens of short files; so the
// files known to be long are listed here, with their seconds as `npx jest --selectProjects <project>` printed them
// on the 2-core machine at load 7-9. Once Jest's cache has a file's own time (a second run), that counts instead.
//
// The template files go last: the project's globalSetup starts `sls package` for both stages when the run starts,
// and every template file waits for those packages; run first, they would hold the workers idle meanwhile.
const Sequencer = require('@jest/test-sequencer').default;
const { relative } = require('node:path');

const LONG_FILES = {
  'tests/local/serve.test.ts': 41,
  'tests/local/serve-commands.test.ts': 40,
  'tests/local/start.test.ts': 31,
  // npm test's suites (jest.suites.config.js), at load 7-15.
  'tests/suites/task-runner-runner.suite.ts': 25,
  'tests/suites/task-runner-endpoint.suite.ts': 22,
  'tests/suites/unit-config-jobs-runs.suite.ts': 20,
  'tests/suites/unit-others.suite.ts': 12,
  'tests/suites/local-small.suite.ts': 14,
  'tests/suites/template-small.suite.ts': 3,
  'tests/local/serve-interrupted.test.ts': 21,
  'tests/pipeline/extract-pipeline.test.ts': 15,
  'tests/local/command-line.test.ts': 13,
  'tests/task-runner/partition.test.ts': 13,
  'tests/pipeline/watermarks.test.ts': 13,
  'tests/unit/config/extract-config.test.ts': 10,
  'tests/pipeline/runner-tables.test.ts': 9,
  'tests/task-runner/poll-for-task.test.ts': 9,
  'tests/task-runner/extract-runner.test.ts': 9,
  'tests/task-runner/cli.test.ts': 8,
  'tests/pipeline/rerun.test.ts': 8,
  'tests/unit/distributed-map-run.test.ts': 6,
  'tests/task-runner/task-lifecycle.test.ts': 6,
  'tests/pipeline/concurrency-quotas.test.ts': 6,
  'tests/unit/runs/resolve-rerun-tables.test.ts': 5,
};

const isTemplate = (test) => test.context.config.displayName?.name === 'template';

class LongestFirstSequencer extends Sequencer {
  time(test) {
    return super.time(test) ?? listedSeconds(test);
  }

  sort(tests) {
    const sorted = super.sort(tests).map((test, index) => ({ test, index }));
    // Jest's own order (failed first, then by time, then by size) puts files without a time first; here a file
    // with a time is placed by it among the others, the size order kept for the rest.
    const seconds = ({ test }) => (test.duration ?? 0) / 1000;
    const byTime = (a, b) =>
      this.hasFailed(b.test) - this.hasFailed(a.test) || seconds(b) - seconds(a) || a.index - b.index;
    const ordered = sorted.sort(byTime).map(({ test }) => test);
    return [...ordered.filter((test) => !isTemplate(test)), ...ordered.filter(isTemplate)];
  }
}

/** A listed file's seconds, in milliseconds as Jest keeps durations. */
function listedSeconds(test) {
  const seconds = LONG_FILES[relative(test.context.config.rootDir, test.path)];
  return seconds === undefined ? undefined : seconds * 1000;
}

module.exports = LongestFirstSequencer;
