#!/usr/bin/env node
// Same loading scheme as extract-runner.js: tsx's require hook over the TypeScript source, no build step.
require('tsx/cjs');
const { main } = require('../runner/credentials-cli.ts');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
