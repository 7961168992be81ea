// What `npm test` runs (test:jest): jest.config.js, with the unit and task-runner projects' files registered in a
// few suites (tests/suites/): one module registry per suite instead of one per small file, which re-evaluated the
// same modules for each (tests/suites/register-test-files.ts). `npx jest` and `npx jest <file>` use jest.config.js,
// one Jest file per test file.
const config = require('./jest.config.js');

const SUITES = {
  unit: ['<rootDir>/tests/suites/unit-*.suite.ts'],
  'task-runner': ['<rootDir>/tests/suites/task-runner-*.suite.ts'],
};

module.exports = {
  ...config,
  projects: config.projects.map((project) =>
    SUITES[project.displayName] ? { ...project, testMatch: SUITES[project.displayName] } : project,
  ),
};
