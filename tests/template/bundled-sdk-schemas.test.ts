// The bundles' SDK schemas are the SDK's own: esbuild-plugins.js writes the computed trait keys of each client's
// generated schemas as the strings they name, so that esbuild can drop the schemas a bundle never reaches. Each
// client the functions bundle is built twice here, with and without that rewrite, and every schema it exports is
// compared, value for value.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { PROJECT_ROOT } from '../../local/project-root';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { inlineSchemaKeys } = require('../../esbuild-plugins.js') as {
  inlineSchemaKeys: (text: string) => string;
};

const CLIENTS = ['client-dynamodb', 'client-s3', 'client-sfn', 'client-sns'];

/** The client's schemas module, rewritten or not, bundled as CommonJS and evaluated: its exports by name. */
function loadSchemas(client: string, rewrite: boolean): Record<string, unknown> {
  const schemas = require.resolve(`@aws-sdk/${client}/dist-es/schemas/schemas_0.js`, {
    paths: [PROJECT_ROOT],
  });
  const text = readFileSync(schemas, 'utf8');
  const result = buildSync({
    stdin: { contents: rewrite ? inlineSchemaKeys(text) : text, resolveDir: dirname(schemas) },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    mainFields: ['module', 'main'],
    write: false,
  });
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', result.outputFiles[0]!.text)(
    module,
    module.exports,
    createRequire(join(PROJECT_ROOT, 'package.json')),
  );
  return module.exports;
}

/** A schema as comparable data: a thunk (`() => OtherShape$`) by what it returns, a class by its name. */
function plain(value: unknown, seen = new Set<unknown>()): unknown {
  if (typeof value === 'function') {
    if (/^class\b/.test(Function.prototype.toString.call(value))) return `class ${value.name}`;
    if (seen.has(value)) return '(seen)';
    seen.add(value);
    return { returns: plain((value as () => unknown)(), seen) };
  }
  if (Array.isArray(value)) return value.map((item) => plain(item, seen));
  if (value && typeof value === 'object') {
    if (seen.has(value)) return '(seen)';
    seen.add(value);
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner, seen)]));
  }
  return value;
}

describe.each(CLIENTS)('the bundled %s schemas', (client) => {
  it('equal the SDK’s own with their trait keys written as strings', () => {
    // Act
    const [own, rewritten] = [loadSchemas(client, false), loadSchemas(client, true)];

    // Assess
    expect(Object.keys(rewritten).sort()).toEqual(Object.keys(own).sort());
    expect(Object.keys(own).length).toBeGreaterThan(20);
    for (const name of Object.keys(own))
      expect([name, plain(rewritten[name])]).toEqual([name, plain(own[name])]);
  });
});
