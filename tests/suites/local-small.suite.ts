// The local files that start no serve instance, npm start or local stack run of their own, in one Jest file
// (register-test-files.ts).
import { GROUPS, registerTestFiles, testFilesUnder } from './register-test-files';

registerTestFiles(testFilesUnder('local').filter((file) => GROUPS.LOCAL_SMALL.test(file)));
