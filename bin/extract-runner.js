#!/usr/bin/env node
// `extract-runner`: a self-hosted task runner for the pipeline's task-runner endpoint (runner/cli.ts).
require('./run-typescript-cli')(require('node:path').join(__dirname, '..', 'runner', 'cli.ts'));
