// The other task-runner files (the endpoint, its queue and handler), in one Jest file (register-test-files.ts).
import { GROUPS, registerTestFiles, testFilesUnder } from './register-test-files';

registerTestFiles(testFilesUnder('task-runner').filter((file) => !GROUPS.TASK_RUNNER_RUNNER.test(file)));
