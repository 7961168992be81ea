// Reads config/<stage>.yml for serverless.yml (`custom.stage`). A stage without its file fails here naming the file
// to create: the framework's own `${file(...)}` only says "Cannot resolve variable at custom.stage".
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('yaml');

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const file = join(__dirname, `${stage}.yml`);
  if (!existsSync(file)) {
    const error = new Error(
      `config/${stage}.yml does not exist. Stage '${stage}' needs its own settings: copy config/dev.yml to ` +
        `config/${stage}.yml, set your account's values, then check them with npm run preflight -- --stage ${stage}`,
    );
    // The message is the whole story; the framework would otherwise print this file's stack under it.
    error.stack = error.message;
    throw error;
  }
  return parse(readFileSync(file, 'utf8'));
};
