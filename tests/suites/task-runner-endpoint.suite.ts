// The other task-runner files (the endpoint, its queue and handler), in one Jest file (register-test-files.ts).
import { registerTestFiles, TASK_RUNNER_RUNNER, testFilesUnder } from './register-test-files';

registerTestFiles(testFilesUnder('task-runner').filter((file) => !TASK_RUNNER_RUNNER.test(file)));
