// The sample extract config and mock file that `npm start` runs and serve mode seeds when none is given.
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-root';

export const SAMPLE_CONFIG = join(PROJECT_ROOT, 'local', 'sample', 'extract-config.yml');
export const SAMPLE_MOCK = join(PROJECT_ROOT, 'local', 'sample', 'mock.yml');
