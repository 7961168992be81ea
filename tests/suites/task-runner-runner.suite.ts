// The task-runner files about the runner CLI, in one Jest file (register-test-files.ts).
import { GROUPS, registerTestFiles, testFilesUnder } from './register-test-files';

registerTestFiles(testFilesUnder('task-runner').filter((file) => GROUPS.TASK_RUNNER_RUNNER.test(file)));
