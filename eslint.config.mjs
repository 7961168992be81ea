import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.serverless/', '.esbuild/', '.local/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The Lambdas' schemas use zod/mini: zod's method chains keep all of zod in a bundle (about 100 KB and 10 ms
    // of cold load), and its named `z` export drags in every locale too. zod/mini's namespace import tree-shakes
    // to what a function uses (docs/design.md). The stage file schema is read by the preflight only.
    files: ['functions/**/*.ts'],
    ignores: ['functions/lib/config/stage-config-file.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'zod',
              message: "Use `import * as z from 'zod/mini'`: it keeps the function bundles small.",
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod/mini'] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
          message: "Use `import * as z from 'zod/mini'`: esbuild tree-shakes the namespace import.",
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The option parser the local commands and the runner CLIs share: a leaf, so either may use it.
    files: ['cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*'], message: 'cli/ is a leaf: node built-ins and packages only.' }] },
      ],
    },
  },
);
