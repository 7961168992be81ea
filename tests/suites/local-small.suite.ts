// The local files that start no serve instance, npm start run or local stack of their own (the commands' --help
// and refusals, the --stage tools, the summary), in one Jest file (register-test-files.ts).
import { GROUPS, registerTestFiles, testFilesUnder } from './register-test-files';

registerTestFiles(testFilesUnder('local').filter((file) => GROUPS.LOCAL_SMALL.test(file)));
