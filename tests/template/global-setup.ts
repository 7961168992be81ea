// Packages each stage once before the template tests run (both stages side by side), so every template test file
// reads the same cached package instead of running `sls package` itself; see packagedService.
import { packagedService } from '../helpers/package-service';
import { STAGES } from './template-queries';

export default async function packageEveryStage(): Promise<void> {
  await Promise.all(STAGES.map((stage) => packagedService(stage)));
}
