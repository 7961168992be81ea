// Import rules that keep the layout readable, run by `npm run lint`: no cycle anywhere, and imports run one way.
// Handlers use lib, clients and powertools; lib uses none of those. Inside functions/lib a concern imports only
// the ones before it in: the shared leaves (errors.ts, lazy.ts, …), config, watermarks, jobs, tracking, runs;
// task-runner uses the leaves and config (config reads only watermarks/watermark-kinds.ts, a leaf). A violation
// fails the lint and names the files.
const lib = '^functions/lib/';
// A runner table's defaults and bounds: a leaf (it imports only zod) that the config schema and the runner launcher
// read as well as the task queue, so it may be imported from any concern.
const RUNNER_LIMITS = '^functions/lib/task-runner/runner-limits[.]ts$';

/** `from` may not import any of `folders` (each a functions/lib sub-folder). */
function notInto(name, from, folders, comment) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: `${lib}${from}/` },
    to: { path: `${lib}(${folders.join('|')})/`, pathNot: RUNNER_LIMITS },
  };
}

// local/ runs one way as well: commands → serve → stack → runtime → the shared files in local/ itself. A layer that
// reached up (a bridge needing the stack, one entry point importing another) would make them start together.
const LOCAL_LAYERS = ['commands', 'serve', 'stack', 'runtime'];

/** Each local/ layer may not import the layers above it. */
const localLayerRules = LOCAL_LAYERS.slice(1).map((layer, index) => ({
  name: `local-${layer}-below-${LOCAL_LAYERS[index]}`,
  comment: 'local/ imports one way: commands → serve → stack → runtime → local/*.ts.',
  severity: 'error',
  from: { path: `^local/${layer}/` },
  to: { path: `^local/(${LOCAL_LAYERS.slice(0, index + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle hides which module is the foundation; move the shared part into a leaf both can import.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-not-into-handlers',
      comment:
        'Domain logic takes its clients and logger as arguments; it never imports a handler, a client or the logger.',
      severity: 'error',
      from: { path: lib },
      to: { path: '^functions/([^/]+[.]ts$|clients/|powertools/)' },
    },
    {
      name: 'lib-leaves-stay-leaves',
      comment:
        'The shared files at the top of functions/lib are used by every concern and import none of them.',
      severity: 'error',
      from: { path: `${lib}[^/]+[.]ts$` },
      to: { path: `${lib}[^/]+/` },
    },
    notInto(
      'config-is-the-base',
      'config',
      ['jobs', 'tracking', 'runs', 'task-runner'],
      'config is read by the others',
    ),
    notInto(
      'watermarks-below-jobs',
      'watermarks',
      ['jobs', 'tracking', 'runs', 'task-runner'],
      'watermarks are built into jobs, recorded by tracking and loaded by runs',
    ),
    notInto(
      'jobs-below-tracking',
      'jobs',
      ['tracking', 'runs', 'task-runner'],
      'jobs build and read job requests',
    ),
    notInto('tracking-below-runs', 'tracking', ['runs', 'task-runner'], 'tracking records what jobs did'),
    notInto(
      'task-runner-apart',
      'task-runner',
      ['jobs', 'tracking', 'runs'],
      'the runner protocol needs no job or run',
    ),
    ...localLayerRules,
    {
      name: 'local-leaves-stay-leaves',
      comment: 'The shared files at the top of local/ are used by every layer and import none of them.',
      severity: 'error',
      from: { path: '^local/[^/]+[.]ts$' },
      to: { path: '^local/[^/]+/' },
    },
    {
      name: 'local-entry-points-apart',
      comment: 'An entry point imports no other: what two commands share lives below them.',
      severity: 'error',
      from: { path: '^local/' },
      to: { path: '^local/commands/(start|serve|status|cancel|validate)[.]ts$' },
    },
    {
      name: 'nothing-imports-tests',
      comment:
        'Tests use the project; the project, the bench included, never uses a test helper (shared code lives in local/).',
      severity: 'error',
      from: { pathNot: '^tests/' },
      to: { path: '^tests/' },
    },
    {
      name: 'functions-stand-alone',
      comment:
        'Deployed code bundles only functions/ and its packages: never the local runtime, tests or bench.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(cli|local|tests|bench|runner|bin)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type cycle still ties two modules' meanings together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|[.]serverless|[.]esbuild|[.]local|coverage)/' },
  },
};
