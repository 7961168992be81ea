// esbuild plugins of `sls package` (serverless-esbuild's `plugins` option; plain CommonJS because the CLI
// requires it without a TypeScript loader).
//
// Source maps stay out of the function zips but are kept for symbolication: a map is bigger than its bundle,
// and a linked one is parsed on every cold start. Each bundle's map is copied to .serverless/sourcemaps/ (the
// CLI moves .serverless to the --package folder), then removed from the build folder unless the bundle links it
// (a stage's `sourceMaps: linked`), so only linked maps are zipped.
const { copyFileSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
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
  chunksBesideTheirBundle(),
  keepSourceMapsOutsideZip(serverless.serviceDir),
];
