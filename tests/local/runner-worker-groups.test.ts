// `npm start` starts a runner for each worker group of the config's runner tables, and none for a config without
// one: a table whose runner never starts would wait for it forever.
import { runnerWorkerGroups } from '../../local/stack/task-runner-endpoint';

const jsonConfig = (jobType: string) =>
  `{"version": 1, "tables": [{"name": "sales.orders", "job_type": "glue"}, {"name": "onprem.customers", "job_type": "${jobType}", "worker_group": "onprem-db", "command": "extract"}]}`;

describe('the worker groups npm start runs runners for', () => {
  it('are those of the runner tables of a YAML config, in order of first use', () => {
    // Prepare
    const config = [
      'version: 1',
      'tables:',
      '  - { name: a.one, job_type: runner, worker_group: second, command: extract }',
      '  - { name: a.two, job_type: glue }',
      '  - { name: a.three, job_type: runner, worker_group: first, command: extract }',
      '  - { name: a.four, job_type: runner, worker_group: second, command: extract }',
    ].join('\n');

    // Act
    const groups = runnerWorkerGroups(config);

    // Assess
    expect(groups).toEqual(['second', 'first']);
  });

  it('include a runner table whose job type is written with an escape', () => {
    // Act
    const groups = runnerWorkerGroups(jsonConfig('\\u0072unner'), 'config.json');

    // Assess
    expect(groups).toEqual(['onprem-db']);
  });

  it('are none for a config without a runner table', () => {
    // Act
    const groups = runnerWorkerGroups(
      '{"version": 1, "tables": [{"name": "sales.orders", "job_type": "glue"}]}',
      'c.json',
    );

    // Assess
    expect(groups).toEqual([]);
  });
});
