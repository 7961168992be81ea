// A globalSetup (the pipeline and local projects): before any worker starts, one process fills the caches that the
// local tests' processes would otherwise each fill at once on a clean clone, as CI has it. The npm start runs,
// serve instances and runner CLIs that start together each compiled the same TypeScript with tsx (0.3-0.5 s of
// CPU each) and validated the same definition (0.5-0.7 s each, local/runtime/validated-definitions.ts); the
// pipeline files validate it in their workers. One process doing both costs about 1.5 s.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../local/project-root';

let warmed = false;

export default function warmLocalCaches(): void {
  // Both projects name this setup; Jest loads it once and calls it for each.
  if (warmed) return;
  warmed = true;
  try {
    execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'load-local-entry-points.ts')], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch {
    // Only a saving: a module that fails to load fails the tests that load it, with their own report.
  }
}
