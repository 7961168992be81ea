// The template files that only read the packaged templates, in one Jest file (register-test-files.ts).
import { GROUPS, registerTestFiles, testFilesUnder } from './register-test-files';

registerTestFiles(testFilesUnder('template').filter((file) => GROUPS.TEMPLATE_SMALL.test(file)));
