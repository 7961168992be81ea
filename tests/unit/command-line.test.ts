// The option parsing every command shares (cli/command-line.ts): help, unknown options and their suggestion.
import {
  closestOption,
  helpText,
  parseCommandLine,
  UsageError,
  type CommandSpec,
} from '../../cli/command-line';

const SPEC = {
  name: 'npm run example',
  synopsis: ['npm run example -- [--stage <stage>] [--port <n>]'],
  options: {
    stage: { type: 'string', value: '<stage>', description: 'a deployed stage' },
    port: { type: 'string', value: '<n>', description: 'a port' },
    'worker-group': { type: 'string', description: 'a worker group' },
    json: { type: 'boolean', default: false, description: 'one JSON object' },
  },
  notes: 'Ctrl-C stops.',
} satisfies CommandSpec;

function usageErrorOf(args: string[]): UsageError {
  try {
    parseCommandLine(SPEC, args);
  } catch (error) {
    return error as UsageError;
  }
  throw new Error(`${args.join(' ')} was accepted`);
}

describe('the shared command-line parser', () => {
  it('accepts --help and -h on every command, and lists every option and the notes in the help', () => {
    // Act
    const long = parseCommandLine(SPEC, ['--help']).values;
    const short = parseCommandLine(SPEC, ['-h']).values;
    const text = helpText(SPEC);

    // Assess
    expect(long.help).toBe(true);
    expect(short.help).toBe(true);
    expect(text).toMatch(/^Usage: npm run example -- \[--stage <stage>\]/);
    for (const option of ['--stage <stage>', '--port <n>', '--worker-group', '--json', '-h, --help'])
      expect(text).toContain(option);
    expect(text).toContain('Ctrl-C stops.');
  });

  it.each([
    ['--stag', 'dev', '--stage'],
    ['--prot', '1', '--port'],
    ['--worker', 'g', '--worker-group'],
    ['--jsno', undefined, '--json'],
  ])('names an unknown option %s (given %s) and suggests %s', (typed, value, suggested) => {
    // Act
    const error = usageErrorOf(value === undefined ? [typed] : [typed, value]);

    // Assess
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`unknown option ${typed} (did you mean ${suggested}?)`);
  });

  it('suggests nothing when no option is close', () => {
    expect(usageErrorOf(['--verbose']).message).toBe('unknown option --verbose');
    expect(closestOption('--x', ['stage', 'port'])).toBeUndefined();
  });

  it('reports a missing value and a stray argument as usage errors', () => {
    expect(usageErrorOf(['--stage']).message).toMatch(/--stage <value>' argument missing/);
    expect(usageErrorOf(['dev']).message).toMatch(/Unexpected argument 'dev'/);
  });
});
