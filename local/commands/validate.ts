// `npm run validate -- <config file> [--stage S]`: the problems the config manager would record for an extract
// config, before it is uploaded. The same schema and the same stage rules (allowed Glue jobs, the EMR, ECS and
// runner settings a table needs, the stage's table limit), with the stage's settings derived from serverless.yml
// and config/<stage>.yml as local mode derives them. Exit 0 only when clean, 1 with problems, 2 on a usage error.
import '../polyfills';
import { readFileSync } from 'node:fs';
import { readStageSettings } from '../../functions/lib/config/stage-settings';
import { formatProblem } from '../../functions/lib/format-issues';
import { checkExtractConfig, type ConfigProblem } from '../../functions/lib/runs/check-extract-config';
import {
  helpText,
  parseCommandLine,
  runMain,
  UsageError,
  type CommandOutput,
  type CommandSpec,
} from '../../cli/command-line';
import { LOCAL_STAGE } from '../stack/local-stack';
import { readStageNames } from '../stack/stage-environment';

export const VALIDATE_COMMAND = {
  name: 'npm run validate',
  synopsis: ['npm run validate -- <config file> [--stage <stage>] [--json]'],
  positionals: true,
  options: {
    stage: {
      type: 'string',
      value: '<stage>',
      default: LOCAL_STAGE,
      description: "check against this stage's settings in config/<stage>.yml (default: local)",
    },
    json: {
      type: 'boolean',
      default: false,
      description:
        'print one JSON object on stdout: {"file", "stage", "problems": [{table, field, message}]}',
    },
  },
  notes:
    'Exit status: 0 when the config is clean, 1 when it has problems (one line each: table, field, what is wrong),\n2 on a usage error (no file, a file that cannot be read, an unknown option).\n',
} satisfies CommandSpec;

/** One line: a YAML error's code frame stays in --json, its first line says where. */
function describeProblem(problem: ConfigProblem): string {
  const where = problem.table ? `table ${problem.table}: ` : '';
  return `${where}${formatProblem(problem).split('\n')[0]}`;
}

export async function validateCommand(args: string[], output: CommandOutput): Promise<number> {
  const { values: options, positionals } = parseCommandLine(VALIDATE_COMMAND, args);
  if (options.help) {
    output.stdout.write(helpText(VALIDATE_COMMAND));
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'no config file given' : 'one config file at a time');
  const file = positionals[0]!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const stage = options.stage!;
  // The bucket's name plays no part in a config's validity, and a stage without a fixed one needs an account id.
  const names = readStageNames(stage, { configBucketName: 'bucket-not-read-by-validate' });
  const settings = readStageSettings(names.environment);
  const problems = checkExtractConfig(text, file, settings);

  if (options.json) output.stdout.write(`${JSON.stringify({ file, stage, problems })}\n`);
  else if (problems.length === 0) output.stdout.write(`${file}: no problems (stage ${stage})\n`);
  else {
    for (const problem of problems) output.stdout.write(`${file}: ${describeProblem(problem)}\n`);
    output.stdout.write(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${file} (stage ${stage})\n`,
    );
  }
  return problems.length === 0 ? 0 : 1;
}

if (require.main === module) runMain(VALIDATE_COMMAND, validateCommand);
