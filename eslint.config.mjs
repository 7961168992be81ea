import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// local/ imports one way: commands → serve → stack → runtime → the shared leaves in local/ itself. A layer that
// reached up (a bridge needing the stack, an entry point importing another) would make them start together.
const localLayers = [
  { files: ['local/*.ts'], above: ['./runtime/*', './stack/*', './serve/*', './commands/*'] },
  { files: ['local/runtime/**/*.ts'], above: ['../stack/*', '../serve/*', '../commands/*'] },
  { files: ['local/stack/**/*.ts'], above: ['../serve/*', '../commands/*'] },
  { files: ['local/serve/**/*.ts'], above: ['../commands/*'] },
  { files: ['local/commands/**/*.ts'], above: ['./start', './serve', './status'] },
].map(({ files, above }) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: above,
            message:
              'local/ imports one way: commands → serve → stack → runtime → local/*.ts (entry points import none of each other).',
          },
        ],
      },
    ],
  },
}));

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
    // The named `z` export drags every zod locale into a bundle (about 360 KB); esbuild tree-shakes the
    // namespace import down to what a function uses.
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
          message: "Use `import * as z from 'zod'`: it keeps the function bundles small.",
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
  ...localLayers,
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
