import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCommandsFile, parseCommandsFile } from '../../../runner/commands-file';
import { commandEnvironment } from '../../../runner/command-environment';

const scratch = mkdtempSync(join(tmpdir(), 'commands-file-test-'));

describe("the runner operator's commands file", () => {
  it('reads each command as a program, fixed arguments and the environment names it may have', () => {
    // Prepare
    writeFileSync(join(scratch, 'extract.sh'), '#!/bin/sh\n');
    chmodSync(join(scratch, 'extract.sh'), 0o755);
    writeFileSync(
      join(scratch, 'runner-commands.yml'),
      [
        'environment: [ORACLE_HOME]',
        'commands:',
        '  extract-oracle:',
        '    argv: [./extract.sh, --fetch-size, 10000]',
        '    environment: [TNS_ADMIN]',
        '  count-rows:',
        '    argv: [wc, -l]',
      ].join('\n'),
    );

    // Act
    const approved = loadCommandsFile(join(scratch, 'runner-commands.yml'));

    // Assess
    expect(approved.environment).toEqual(['ORACLE_HOME']);
    expect(approved.commands.get('extract-oracle')).toEqual({
      name: 'extract-oracle',
      file: join(scratch, 'extract.sh'),
      args: ['--fetch-size', '10000'],
      environment: ['TNS_ADMIN'],
    });
    expect(approved.commands.get('count-rows')).toMatchObject({ file: 'wc', args: ['-l'] });
  });

  it.each([
    ['an empty argv', 'commands: { x: { argv: [] } }', 'commands.x.argv: must name the program to run'],
    ['an unknown key', 'commands: { x: { argv: [a], shell: true } }', 'commands.x'],
    [
      "the runner's secret key",
      'commands: { x: { argv: [a], environment: [AWS_SECRET_ACCESS_KEY] } }',
      "commands.x.environment.0: is the runner's own credential",
    ],
    ['a bad command name', 'commands: { "rm -rf": { argv: [a] } }', 'commands.rm -rf'],
    ['no commands', 'commands: {}', 'commands: must approve at least one command'],
    ['a script that is not there', 'commands: { x: { argv: [./missing.sh] } }', 'commands.x.argv.0: '],
    ['broken YAML', 'commands: [', 'is not valid YAML or JSON'],
  ])('refuses %s with an error naming the entry', (_what, text, message) => {
    expect(() => parseCommandsFile(text, 'runner-commands.yml', scratch)).toThrow(
      expect.objectContaining({ name: 'CommandsFileError', message: expect.stringContaining(message) }),
    );
  });

  it("builds a command's environment from the allow-list and the task's values only", () => {
    const env = commandEnvironment(
      ['ORACLE_HOME', 'AWS_SECRET_ACCESS_KEY'],
      { EXTRACT_TABLE: 'orders' },
      {
        PATH: '/usr/bin',
        ORACLE_HOME: '/opt/oracle',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_ACCESS_KEY_ID: 'AKIA',
        LD_PRELOAD: '/tmp/x.so',
      },
    );
    expect(env).toEqual({ PATH: '/usr/bin', ORACLE_HOME: '/opt/oracle', EXTRACT_TABLE: 'orders' });
  });
});
