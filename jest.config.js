// Five projects so that `npm run test:unit` stays fast while `npm test` runs everything.
const common = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/tests/helpers/polyfills.ts'],
  // Middy ships ES modules only; Jest runs CommonJS here, so those packages are compiled like our own code.
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript' },
          target: 'es2022',
          transform: { useDefineForClassFields: true },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
};

module.exports = {
  // Jest's default on a 2-core machine is one worker, which runs every file in band, one after another, though
  // most of them wait on emulators, child processes and real timers. Three workers overlap those waits better
  // than two (a cold `npm test` on the idle 2-core machine: 99 s against 112 s, the same CPU); the local tests'
  // bounds (tests/helpers/wait-for.ts) are generous enough for that on a shared machine.
  maxWorkers: 3,
  testSequencer: '<rootDir>/tests/longest-first-sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'pipeline',
      testMatch: ['<rootDir>/tests/pipeline/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/helpers/warm-local-caches.ts',
    },
    { ...common, displayName: 'task-runner', testMatch: ['<rootDir>/tests/task-runner/**/*.test.ts'] },
    {
      ...common,
      displayName: 'template',
      testMatch: ['<rootDir>/tests/template/**/*.test.ts'],
      // One `sls package` per stage for all template test files (cached by a hash of the inputs).
      globalSetup: '<rootDir>/tests/template/global-setup.ts',
    },
    {
      ...common,
      displayName: 'local',
      testMatch: ['<rootDir>/tests/local/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/helpers/warm-local-caches.ts',
    },
  ],
};
