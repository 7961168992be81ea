// The task-runner endpoint is public (a function URL with its own SigV4 check), so it is bounded: its function's
// reserved concurrency comes from the stage config, for every stage.
import { type PackagedService, packagedService, resource } from '../../local/package-service';
import { FUNCTIONS, PACKAGE_TIMEOUT_MS, STAGES, type Stage, props, stageConfig } from './template-queries';

const packaged = {} as Record<Stage, PackagedService>;

beforeAll(async () => {
  for (const stage of STAGES) packaged[stage] = await packagedService(stage);
}, 2 * PACKAGE_TIMEOUT_MS);

describe.each(STAGES)('%s: the task-runner endpoint', (stage) => {
  it("reserves the stage's taskRunner.reservedConcurrency for its function", () => {
    const { reservedConcurrency } = (
      stageConfig(stage) as unknown as { taskRunner: { reservedConcurrency: number } }
    ).taskRunner;
    const fn = resource(packaged[stage].template, `${FUNCTIONS.taskRunnerApi}LambdaFunction`);
    expect(reservedConcurrency).toBeGreaterThan(0);
    expect(props(fn).ReservedConcurrentExecutions).toBe(reservedConcurrency);
  });
});
