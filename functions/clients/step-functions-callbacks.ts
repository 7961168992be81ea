// Step Functions callbacks for a function that rarely makes one, created once per Lambda container: the client and
// its commands are chunks of their own in the bundle (serverless.yml, splitting), loaded by the first callback. The
// reclaim schedule makes one only for a task whose attempts are spent. (The task-runner endpoint makes one for
// every task it hands out and every progress report, so it loads them with the bundle: as chunks they cost more.)
import { callbacksOnFirstUse } from '../lib/task-runner/task-callbacks';

export const stepFunctionsCallbacks = callbacksOnFirstUse(async () => {
  const [{ createStepFunctionsCallbacks }, { sfnClient }] = await Promise.all([
    import('../lib/task-runner/step-functions-callbacks'),
    import('./sfn'),
  ]);
  return createStepFunctionsCallbacks(sfnClient);
});
