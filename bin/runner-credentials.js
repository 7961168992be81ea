#!/usr/bin/env node
// `runner-credentials`: create, list and revoke task-runner credentials (runner/credentials-cli.ts).
require('./run-typescript-cli')(require('node:path').join(__dirname, '..', 'runner', 'credentials-cli.ts'));
