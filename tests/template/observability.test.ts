// Hearing about a stage: the failed-tables alarm and the dashboard read the metrics the handlers emit (Powertools
// Metrics: namespace extract-pipeline, dimensions service and stage, JobType per table), and notify the alarm topic.
import { type PackagedService, packagedService, resource } from '../../local/package-service';
import { PACKAGE_TIMEOUT_MS, STAGES, type Stage, props, stageConfig } from './template-queries';

const packaged = {} as Record<Stage, PackagedService>;

beforeAll(async () => {
  for (const stage of STAGES) packaged[stage] = await packagedService(stage);
}, 2 * PACKAGE_TIMEOUT_MS);

/** The dashboard body as CloudWatch receives it: the Fn::Sub string with its references filled in. */
function dashboardBody(stage: Stage): { widgets: { properties: { title: string; metrics: unknown[][] } }[] } {
  const body = props(resource(packaged[stage].template, 'PipelineDashboard')).DashboardBody as {
    'Fn::Sub': string;
  };
  return JSON.parse(body['Fn::Sub'].replace(/\$\{([^}]+)\}/g, '<$1>')) as ReturnType<typeof dashboardBody>;
}

describe.each(STAGES)('%s: failed tables are heard', (stage) => {
  const template = () => packaged[stage].template;

  it('alarms on FailedTablesPerRun at the stage threshold and notifies the alarm topic', () => {
    const alarm = props(resource(template(), 'FailedTablesPerRunAlarm'));
    expect(alarm).toMatchObject({
      Namespace: 'extract-pipeline',
      MetricName: 'FailedTablesPerRun',
      Dimensions: [
        { Name: 'service', Value: 'extract-pipeline' },
        { Name: 'stage', Value: stage },
      ],
      Statistic: 'Maximum',
      Threshold: stageConfig(stage).alarms?.failedTablesThreshold ?? 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
  });

  it('has a dashboard of runs, tables per job type, job durations and Lambda errors', () => {
    expect(props(resource(template(), 'PipelineDashboard')).DashboardName).toBe(`extract-pipeline-${stage}`);
    const widgets = dashboardBody(stage).widgets;
    const metricsOf = (title: RegExp) =>
      widgets.find((widget) => title.test(widget.properties.title))!.properties.metrics;
    const dimensions = ['service', 'extract-pipeline', 'stage', stage];

    expect(metricsOf(/^Runs$/)).toContainEqual([
      'extract-pipeline',
      'RunsCompleted',
      ...dimensions,
      { label: 'completed' },
    ]);
    for (const jobType of ['glue', 'emr', 'ecs', 'runner']) {
      const perJobType = [...dimensions, 'JobType', jobType, { label: jobType }];
      expect(metricsOf(/succeeded per job type/)).toContainEqual([
        'extract-pipeline',
        'TablesSucceeded',
        ...perJobType,
      ]);
      expect(metricsOf(/failed per job type/)).toContainEqual([
        'extract-pipeline',
        'TablesFailed',
        ...perJobType,
      ]);
      expect(metricsOf(/Job duration/)).toContainEqual(['extract-pipeline', 'JobDuration', ...perJobType]);
    }
    expect(metricsOf(/Runner queue wait/)).toEqual([
      ['extract-pipeline', 'QueueWait', ...dimensions, 'JobType', 'runner', { label: 'runner tables' }],
    ]);
    expect(metricsOf(/Lambda errors/).map((metric) => metric[3])).toEqual(
      expect.arrayContaining([
        '<ConfigManagerLambdaFunction>',
        '<CompleteRunLambdaFunction>',
        '<CancelRunLambdaFunction>',
      ]),
    );
  });

  it('draws the runner queue depth and the live runners, in total and per worker group', () => {
    const widgets = dashboardBody(stage).widgets;
    const metricsOf = (title: RegExp) =>
      widgets.find((widget) => title.test(widget.properties.title))!.properties.metrics;
    const dimensions = ['service', 'extract-pipeline', 'stage', stage];
    for (const [title, metric] of [
      [/Runner queue depth/, 'RunnerQueueDepth'],
      [/Live runners/, 'LiveRunners'],
    ] as const) {
      // The stage total, and a SEARCH over the WorkerGroup series the reclaim function publishes (at most 21).
      expect(metricsOf(title)).toEqual([
        ['extract-pipeline', metric, ...dimensions, { label: 'all worker groups' }],
        [
          {
            expression: `SEARCH('{extract-pipeline,WorkerGroup,service,stage} MetricName="${metric}" stage="${stage}"', 'Maximum', 60)`,
            label: '',
            id: 'groups',
          },
        ],
      ]);
    }
  });
});
