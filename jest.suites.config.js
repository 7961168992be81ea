// What `npm test` runs (test:jest): jest.config.js, with the unit and task-runner files and the small local ones
// registered in a few suites (tests/suites/, groups.js): one module registry per suite instead of one per small
// file, which re-evaluated the same modules for each (tests/suites/register-test-files.ts). `npx jest` and
// `npx jest <file>` use jest.config.js, one Jest file per test file.
const config = require('./jest.config.js');
const { LOCAL_SMALL } = require('./tests/suites/groups.js');

const SUITES = {
  unit: { testMatch: ['<rootDir>/tests/suites/unit-*.suite.ts'] },
  'task-runner': { testMatch: ['<rootDir>/tests/suites/task-runner-*.suite.ts'] },
  local: {
    testMatch: ['<rootDir>/tests/local/**/*.test.ts', '<rootDir>/tests/suites/local-*.suite.ts'],
    // Jest matches these against absolute paths.
    testPathIgnorePatterns: ['/node_modules/', `/tests/${LOCAL_SMALL.source.slice(1)}`],
  },
};

module.exports = {
  ...config,
  projects: config.projects.map((project) => ({ ...project, ...SUITES[project.displayName] })),
};
