// esbuild plugins of `sls package` (serverless-esbuild's `plugins` option; plain CommonJS because the CLI
// requires it without a TypeScript loader).
//
// Source maps stay out of the function zips but are kept for symbolication: a map is bigger than its bundle,
// and a linked one is parsed on every cold start. Each bundle's map is copied to .serverless/sourcemaps/ (the
// CLI moves .serverless to the --package folder), then removed from the build folder unless the bundle links it
// (a stage's `sourceMaps: linked`), so only linked maps are zipped.
const { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');

// Lambda hands a function its role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, the first link of the SDK's default chain; the rest of the chain (SSO, profiles, web
// identity, IMDS, each with its own STS/SSO client) never runs there and was a quarter of every bundle. The
// bundles get that first link alone; a missing variable fails the call with the SDK's own
// CredentialsProviderError. Tests and local mode run the sources with the full chain.
function lambdaCredentialsFromEnvironment() {
  const providerDir = path.dirname(require.resolve('@aws-sdk/credential-provider-node/package.json'));
  return {
    name: 'lambda-credentials-from-environment',
    setup(build) {
      build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
        path: 'lambda-credentials',
        namespace: 'lambda-credentials',
      }));
      build.onLoad({ filter: /.*/, namespace: 'lambda-credentials' }, () => ({
        contents: [
          "import { fromEnv } from '@aws-sdk/credential-provider-env';",
          'export const defaultProvider = (init = {}) => fromEnv(init);',
        ].join('\n'),
        // Resolved as the real chain resolves it, so the version is the one the lock file pins for the SDK.
        resolveDir: providerDir,
        loader: 'js',
      }));
    },
  };
}

// The SDK's user-agent code imports `env` and `versions` from 'node:process'. In an ES module that import builds
// Node's module facade of `process`, which reads every property, so it creates process.stdin (and stdout and
// stderr, which the logger creates anyway) at load: 1-2 ms of CPU in the bundle bench. In Lambda that is saved only
// where the runtime has not built the facade first (some versions of its runtime interface client import
// 'node:process' in their log code). The same values come from the global `process`; a bundled module importing a
// name not listed here fails the build, naming it.
function processFromGlobal() {
  return {
    name: 'process-from-global',
    setup(build) {
      build.onResolve({ filter: /^(node:)?process$/ }, (args) =>
        args.kind === 'import-statement' ? { path: 'process', namespace: 'process-from-global' } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'process-from-global' }, () => ({
        contents: [
          'export default process;',
          'export const env = process.env;',
          'export const versions = process.versions;',
        ].join('\n'),
        loader: 'js',
      }));
    },
  };
}

// An SDK client's generated schemas (dist-es/schemas/schemas_0.js) describe every shape of its API, and esbuild
// drops those a bundle's commands never reach, unless a schema keys its traits by a computed name
// (`{ [_hH]: _xaebo }`, `_hH` being the file's constant "httpHeader"): esbuild cannot tell that such a key has
// no side effect, so it keeps the schema and every string it names. S3's schemas do that throughout, which kept
// all of them (65 of the 100 KB its client adds for GetObject and PutObject, about 9 ms of CPU at a cold
// start). Writing each such key as the string it names changes no value.
const SCHEMA_FILE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

function inlineSchemaKeys(text) {
  const names = new Map();
  for (const [, name, value] of text.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) names.set(name, value);
  return text.replace(/([{,]\s*)\[(_\w+)\]:/g, (key, before, name) =>
    names.has(name) ? `${before}${names.get(name)}:` : key,
  );
}

function schemaKeysAsStrings() {
  return {
    name: 'schema-keys-as-strings',
    setup(build) {
      build.onLoad({ filter: SCHEMA_FILE }, (args) => ({
        contents: inlineSchemaKeys(readFileSync(args.path, 'utf8')),
        loader: 'js',
      }));
    },
  };
}

// yaml, the parser the config manager loads for a config that is not plain JSON (the stages' default config key is
// YAML, so its common path), publishes one source built twice: CommonJS for Node (`exports` condition `node`)
// and ES modules for everything else. The ES build is what the bundles take: it needs no CommonJS wrapper per
// file and tree-shakes, so the config manager's parser chunk is 103 KB instead of 120 and loads in about 5 ms
// of CPU less (load average 5-10, bench/bundles.ts; about 7% of the config manager's instructions under
// valgrind). The builds differ where Node has more: the Node build's warnings go to process.emitWarning, so its
// log.js is kept (it has no imports of its own); and a YAML 1.1 `!!binary` value is a Uint8Array here, a Buffer
// there, which no config field accepts either way. Tests and local mode run the sources with the Node build.
function yamlEsModuleBuild() {
  const packageDir = path.dirname(require.resolve('yaml/package.json'));
  const esEntry = path.join(packageDir, 'browser', 'dist', 'index.js');
  const esLog = path.join(packageDir, 'browser', 'dist', 'log.js');
  const nodeLog = path.join(packageDir, 'dist', 'log.js');
  return {
    name: 'yaml-es-module-build',
    setup(build) {
      build.onResolve({ filter: /^yaml$/ }, (args) =>
        args.kind === 'import-statement' ? { path: esEntry } : undefined,
      );
      build.onResolve({ filter: /^\.\.?\/log\.js$/ }, (args) =>
        path.resolve(args.resolveDir, args.path) === esLog ? { path: nodeLog } : undefined,
      );
    },
  };
}

// Each function's bundle is an ES module whose on-demand parts (a dynamic import(), e.g. the status handler's S3
// client) are chunks of their own, loaded on first use rather than at a cold start. Chunks go to a folder named
// after their bundle, <entry>.chunks/: serverless-esbuild leaves out of a function's zip every file named like
// another function's bundle plus a suffix (as it does for foo.js.map), so each zip holds its own chunks only.
function chunksBesideTheirBundle() {
  return {
    name: 'chunks-beside-their-bundle',
    setup(build) {
      const { entryPoints } = build.initialOptions;
      const entry = entryPoints[0];
      build.initialOptions.chunkNames = `${path.basename(entry, path.extname(entry))}.chunks/[name]-[hash]`;
    },
  };
}

function keepSourceMapsOutsideZip(serviceDir) {
  return {
    name: 'keep-source-maps-outside-zip',
    setup(build) {
      const { entryPoints, outdir, sourcemap } = build.initialOptions;
      // The metafile lists the maps of the bundle and of its chunks; it is kept too, for esbuild's analyzer.
      build.initialOptions.metafile = true;
      build.onEnd((result) => {
        if (result.errors.length > 0 || !outdir || !result.metafile) return;
        // serverless-esbuild builds one entry at a time, into the build folder's copy of the entry's folder.
        const entry = entryPoints[0];
        const kept = path.join(serviceDir, '.serverless', 'sourcemaps', path.dirname(entry));
        const workingDir = build.initialOptions.absWorkingDir ?? process.cwd();
        mkdirSync(kept, { recursive: true });
        const name = path.basename(entry, path.extname(entry));
        writeFileSync(path.join(kept, `${name}.meta.json`), JSON.stringify(result.metafile));
        if (!sourcemap) return;
        for (const output of Object.keys(result.metafile.outputs).filter((file) => file.endsWith('.map'))) {
          const built = path.resolve(workingDir, output);
          const target = path.join(kept, path.relative(outdir, built));
          mkdirSync(path.dirname(target), { recursive: true });
          copyFileSync(built, target);
          if (sourcemap === 'external') rmSync(built);
        }
      });
    },
  };
}

module.exports = (serverless) => [
  lambdaCredentialsFromEnvironment(),
  processFromGlobal(),
  schemaKeysAsStrings(),
  yamlEsModuleBuild(),
  chunksBesideTheirBundle(),
  keepSourceMapsOutsideZip(serverless.serviceDir),
];

// For the template test that checks the rewritten schemas against the SDK's own.
module.exports.inlineSchemaKeys = inlineSchemaKeys;
