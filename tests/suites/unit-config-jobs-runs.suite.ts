// The unit files about configs, jobs, runs, handlers and the preflight, in one Jest file (register-test-files.ts).
import { registerTestFiles, testFilesUnder, UNIT_CONFIG_JOBS_RUNS } from './register-test-files';

registerTestFiles(testFilesUnder('unit').filter((file) => UNIT_CONFIG_JOBS_RUNS.test(file)));
