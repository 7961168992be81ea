// Which test files npm test's suites (jest.suites.config.js) register, by path under tests/. Read by the suite files
// and by jest.suites.config.js, which leaves the local ones out of the files it runs on their own.

module.exports = {
  /** unit-config-jobs-runs.suite.ts; unit-others.suite.ts has the other unit files. */
  UNIT_CONFIG_JOBS_RUNS: /^unit\/(config|jobs|runs|handlers|preflight)\//,
  /** task-runner-runner.suite.ts, the files about the runner CLI; task-runner-endpoint.suite.ts has the others. */
  TASK_RUNNER_RUNNER: /^task-runner\/(cli|extract-runner|partition|runner-[a-z-]+)\.test\.ts$/,
  /**
   * local-small.suite.ts: the local files that start no serve instance, npm start or run of their own; the others
   * stay Jest files of their own.
   */
  LOCAL_SMALL:
    /^local\/(progress|summary|stage-environment|validate|status-deployed|cancel-deployed|in-process-dynamodb|find-serve-instance|runner-worker-groups|command-line)\.test\.ts$/,
  /**
   * template-small.suite.ts: the template files that only read the packaged templates; first-deploy.test.ts and
   * packaging.test.ts (cfn-lint, the CLI, loading the zips) stay Jest files of their own.
   */
  TEMPLATE_SMALL:
    /^template\/(iam|observability|resources|state-machine|task-runner-api|bundled-sdk-schemas)\.test\.ts$/,
};
