// Runs a CLI's TypeScript entry through tsx's require hook rather than a prebuilt bundle: nothing to build after
// `npm ci` (or to forget to rebuild), and the CLI runs exactly the code the tests exercise. tsx is therefore a
// runtime dependency. The entry exports `main(argv)`, resolving to the exit code.
require('tsx/cjs');

// The runner hosts may run Node 20 (engines in package.json); the SDK's reminder that its releases after January
// 2027 need Node 22 would be the first line of every runner's log. local/polyfills.ts does the same for npm start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

module.exports = function runTypeScriptCli(entry) {
  const { main } = require(entry);
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
};
