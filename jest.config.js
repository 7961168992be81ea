// Three projects so that `npm run test:unit` stays fast while `npm test` runs everything.
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/tests/helpers/polyfills.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    { ...common, displayName: 'pipeline', testMatch: ['<rootDir>/tests/pipeline/**/*.test.ts'] },
    { ...common, displayName: 'task-runner', testMatch: ['<rootDir>/tests/task-runner/**/*.test.ts'] },
    { ...common, displayName: 'template', testMatch: ['<rootDir>/tests/template/**/*.test.ts'] },
  ],
};
