// A command that writes more than a pipe holds (4 MB) and exits 0: runMain must not cut it off at exit.
import { runMain } from '../../../cli/command-line';

export const LARGE_OUTPUT_BYTES = 4_000_000;

runMain({ name: 'large-output', synopsis: ['large-output'], options: {} }, async (_args, output) => {
  output.stdout.write(`${'x'.repeat(LARGE_OUTPUT_BYTES - 1)}\n`);
  return 0;
});
