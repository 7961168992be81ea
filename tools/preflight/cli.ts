// Entry point of `npm run preflight -- --stage <stage> [--offline]`; the checks are in preflight.ts.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { preflight } from './preflight';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { stage: { type: 'string' }, offline: { type: 'boolean', default: false } },
    strict: true,
  });
  if (!values.stage) {
    console.error('usage: npm run preflight -- --stage <stage> [--offline]');
    return 2;
  }
  return preflight({
    stage: values.stage,
    offline: values.offline,
    root: join(__dirname, '..', '..'),
    write: (line) => console.log(line),
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`preflight: ${(error as Error).message}`);
    process.exit(2);
  },
);
