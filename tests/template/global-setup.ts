// Starts packaging each stage once, both side by side, before any test runs, and does not wait for it: the other
// projects' test files run meanwhile, and every template test file reads the same cached package, waiting for it
// if it is not ready yet (see packagedService). A packaging failure is reported by the template tests, which then
// package again themselves and fail with the CLI's output.
import { packagedService } from '../../local/package-service';
import { STAGES } from './template-queries';

export default function startPackagingEveryStage(): void {
  for (const stage of STAGES) packagedService(stage).catch(() => undefined);
}
