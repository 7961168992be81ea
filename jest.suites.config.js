// What `npm test` runs (test:jest): jest.config.js, with the unit and task-runner files and the small local and
// template ones registered in a few suites (tests/suites/, groups.js): one module registry per suite instead of one
// per small file, which re-evaluated the same modules for each (tests/suites/register-test-files.ts). `npx jest`
// and `npx jest <file>` use jest.config.js, one Jest file per test file.
const config = require('./jest.config.js');
const { LOCAL_SMALL, TEMPLATE_SMALL } = require('./tests/suites/groups.js');

/** A project's own test files and its suites, less the files the suites register (Jest matches absolute paths). */
function filesAndSuites(project, registered) {
  return {
    testMatch: [`<rootDir>/tests/${project}/**/*.test.ts`, `<rootDir>/tests/suites/${project}-*.suite.ts`],
    testPathIgnorePatterns: ['/node_modules/', `/tests/${registered.source.slice(1)}`],
  };
}

const SUITES = {
  unit: { testMatch: ['<rootDir>/tests/suites/unit-*.suite.ts'] },
  'task-runner': { testMatch: ['<rootDir>/tests/suites/task-runner-*.suite.ts'] },
  local: filesAndSuites('local', LOCAL_SMALL),
  template: filesAndSuites('template', TEMPLATE_SMALL),
};

module.exports = {
  ...config,
  projects: config.projects.map((project) => ({ ...project, ...SUITES[project.displayName] })),
};
