// The repository root, from which the local runtime reads serverless.yml, resources/, config/ and statemachines/.
import { join } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '..');
