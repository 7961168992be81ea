// The unit files about configs, jobs, runs, handlers and the preflight, in one Jest file (register-test-files.ts).
import { GROUPS, registerTestFiles, testFilesUnder } from './register-test-files';

registerTestFiles(testFilesUnder('unit').filter((file) => GROUPS.UNIT_CONFIG_JOBS_RUNS.test(file)));
