#!/usr/bin/env node
// Loads the TypeScript source through tsx's require hook rather than a prebuilt bundle: nothing to build after
// `npm ci` (or to forget to rebuild), and the CLI runs exactly the code the tests exercise. tsx is therefore a
// runtime dependency.
require('tsx/cjs');
const { main } = require('../runner/cli.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
