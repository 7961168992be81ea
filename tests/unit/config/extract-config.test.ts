// The extract config schema: what a hand-written config may say, and how each mistake is reported.
import { ConfigValidationError } from '../../../functions/lib/errors';
import { validateExtractConfig } from '../../../functions/lib/config/extract-config';
import { MAX_YAML_BYTES, parseConfigDocument } from '../../../functions/lib/config/parse-config-document';

const KEY = 'extract-config/extract-config.yml';

function validate(document: unknown) {
  return validateExtractConfig(document, KEY);
}

function validationMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('extract config: table entries', () => {
  it('accepts a minimal entry with name and job_type, enabled by default', () => {
    // Act
    const config = validate({ tables: [{ name: 'sales.orders', job_type: 'glue' }] });

    // Assess
    expect(config).toEqual({
      tables: [{ name: 'sales.orders', job_type: 'glue', enabled: true }],
      invalid: [],
    });
  });

  it('keeps enabled: false as written', () => {
    const config = validate({ tables: [{ name: 'sales.orders', job_type: 'glue', enabled: false }] });

    expect(config.tables[0]?.enabled).toBe(false);
  });

  it('rejects an entry without a name, naming its position and the name field', () => {
    // Act
    const config = validate({ tables: [{ name: 'ok', job_type: 'glue' }, { job_type: 'glue' }] });

    // Assess
    expect(config.tables.map((t) => t.name)).toEqual(['ok']);
    expect(config.invalid).toEqual([
      {
        name: 'tables[1]',
        job_type: 'glue',
        error: 'tables[1] (tables[1]).name: Invalid input: expected string, received undefined',
        problems: [{ field: 'name', message: 'Invalid input: expected string, received undefined' }],
      },
    ]);
  });

  it('rejects an entry without a job_type, naming the table and the job_type field', () => {
    const config = validate({ tables: [{ name: 'crm.accounts' }] });

    expect(config.tables).toEqual([]);
    expect(config.invalid).toEqual([
      {
        name: 'crm.accounts',
        job_type: 'unknown',
        error: 'tables[0] (crm.accounts).job_type: Invalid input: expected string, received undefined',
        problems: [{ field: 'job_type', message: 'Invalid input: expected string, received undefined' }],
      },
    ]);
  });

  it.each(['sales.orders', 'a', '$sys', '_tmp', 'db-1.t_2$x', `t${'x'.repeat(254)}`])(
    'accepts the table name %s',
    (name) => {
      const config = validate({ tables: [{ name, job_type: 'glue' }] });

      expect(config.invalid).toEqual([]);
      expect(config.tables[0]?.name).toBe(name);
    },
  );

  it.each(['bad name', '-leading-dash', '.leading-dot', 'semi;colon', 'slash/name', `t${'x'.repeat(255)}`])(
    'rejects the table name %j, naming the name field',
    (name) => {
      const config = validate({ tables: [{ name, job_type: 'glue' }] });

      expect(config.tables).toEqual([]);
      expect(config.invalid).toHaveLength(1);
      expect(config.invalid[0]?.error).toBe(
        `tables[0] (${name}).name: must be 1-255 letters, digits, _ . $ or -`,
      );
    },
  );

  it('rejects a table whose glue.number_of_workers is 0, naming the table and field', () => {
    const config = validate({
      tables: [{ name: 'bad.workers', job_type: 'glue', glue: { number_of_workers: 0 } }],
    });

    expect(config.invalid).toEqual([
      {
        name: 'bad.workers',
        job_type: 'glue',
        error: 'tables[0] (bad.workers).glue.number_of_workers: Too small: expected number to be >=1',
        problems: [{ field: 'glue.number_of_workers', message: 'Too small: expected number to be >=1' }],
      },
    ]);
  });

  it('rejects an unknown key on an entry, naming the key', () => {
    const config = validate({ tables: [{ name: 'sales.orders', job_type: 'glue', colour: 'red' }] });

    expect(config.invalid[0]?.error).toBe('tables[0] (sales.orders): Unrecognized key: "colour"');
  });

  it.each([
    ['glue', { job_nmae: 'x' }, 'job_nmae'],
    ['emr', { entrypoint: 's3://a/b.py' }, 'entrypoint'],
    ['ecs', { subnet: 'subnet-0abc' }, 'subnet'],
  ])('rejects an unknown key under %s, naming the section and the key', (section, settings, key) => {
    const config = validate({ tables: [{ name: 't1', job_type: section, [section]: settings }] });

    expect(config.invalid[0]?.error).toBe(`tables[0] (t1).${section}: Unrecognized key: "${key}"`);
  });

  it.each([
    [
      'emr.application_id',
      { emr: { application_id: 'Not-An-Id' } },
      'must be an EMR Serverless application id',
    ],
    ['emr.execution_role_arn', { emr: { execution_role_arn: 'role/extract' } }, 'must be an IAM role ARN'],
    ['ecs.subnets[0]', { ecs: { subnets: ['vpc-123'] } }, 'must be a subnet id'],
    [
      'ecs.security_groups[1]',
      { ecs: { security_groups: ['sg-0abc', 'group'] } },
      'must be a security group id',
    ],
    ['source_secret_arn', { source_secret_arn: 'my-secret' }, 'must be a Secrets Manager secret ARN'],
    ['target_path', { target_path: '/tmp/lake' }, 'must be an s3:// URI'],
  ])('rejects a malformed %s with its own message', (field, settings, message) => {
    const config = validate({ tables: [{ name: 't1', job_type: 'glue', ...settings }] });

    expect(config.invalid[0]?.error).toBe(`tables[0] (t1).${field}: ${message}`);
  });

  it('keeps the other entries when one entry is invalid', () => {
    const config = validate({
      tables: [
        { name: 'a', job_type: 'glue' },
        { name: 'b', job_type: 'glue', glue: { worker_type: 'G.16X' } },
        { name: 'c', job_type: 'emr' },
      ],
    });

    expect(config.tables.map((t) => t.name)).toEqual(['a', 'c']);
    expect(config.invalid.map((e) => e.name)).toEqual(['b']);
    expect(config.invalid[0]?.error).toMatch(/^tables\[1\] \(b\)\.glue\.worker_type: /);
  });

  it('keeps an unknown job_type as written, for the state machine to record it FAILED', () => {
    const config = validate({ tables: [{ name: 'legacy.items', job_type: 'dms' }] });

    expect(config.invalid).toEqual([]);
    expect(config.tables[0]?.job_type).toBe('dms');
  });

  it('rejects an entry that is not a mapping, naming its position', () => {
    const config = validate({ tables: ['sales.orders', { name: 'ok', job_type: 'glue' }] });

    expect(config.tables.map((t) => t.name)).toEqual(['ok']);
    expect(config.invalid).toEqual([
      {
        name: 'tables[0]',
        job_type: 'unknown',
        error: 'tables[0] (tables[0]): must be a mapping with name and job_type',
        problems: [{ field: '', message: 'must be a mapping with name and job_type' }],
      },
    ]);
  });

  it('reports a name defined twice as one invalid entry naming both positions', () => {
    // Act
    const config = validate({
      tables: [
        { name: 'twice', job_type: 'glue' },
        { name: 'other', job_type: 'glue' },
        { name: 'twice', job_type: 'emr' },
      ],
    });

    // Assess
    expect(config.tables.map((t) => t.name)).toEqual(['other']);
    expect(config.invalid).toEqual([
      {
        name: 'twice',
        job_type: 'glue',
        error: "tables.name: 'twice' is defined more than once (tables[0], tables[2])",
        problems: [{ field: 'name', message: "'twice' is defined more than once (tables[0], tables[2])" }],
      },
    ]);
  });

  it('reports a name defined three times once, with all three positions', () => {
    const entry = { name: 'thrice', job_type: 'glue' };

    const config = validate({ tables: [entry, entry, entry] });

    expect(config.tables).toEqual([]);
    expect(config.invalid.map((e) => e.error)).toEqual([
      "tables.name: 'thrice' is defined more than once (tables[0], tables[1], tables[2])",
    ]);
  });
});

describe('extract config: arguments', () => {
  it('turns numbers and booleans into strings', () => {
    const config = validate({
      tables: [
        { name: 't1', job_type: 'glue', arguments: { fetch_size: 10000, full_load: true, mode: 'append' } },
      ],
    });

    expect(config.tables[0]?.arguments).toEqual({ fetch_size: '10000', full_load: 'true', mode: 'append' });
  });

  it.each([
    'db_password',
    'PASSWD',
    'client_secret',
    'auth_token',
    'api_key',
    'apikey',
    'api-key',
    'private_key',
  ])('rejects the credential-looking argument key %s, naming it', (key) => {
    const config = validate({ tables: [{ name: 't1', job_type: 'glue', arguments: { [key]: 'hunter2' } }] });

    expect(config.tables).toEqual([]);
    expect(config.invalid[0]?.error).toBe(
      `tables[0] (t1).arguments.${key}: looks like a credential: store it in Secrets Manager and reference it with source_secret_arn`,
    );
  });

  it.each(['db_password_arn', 'api_key_arn', 'oauth_token_arn', 'CLIENT_SECRET_ARN'])(
    'allows the *_arn argument key %s, which references a secret instead of holding one',
    (key) => {
      const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf';

      const config = validate({ tables: [{ name: 't1', job_type: 'glue', arguments: { [key]: arn } }] });

      expect(config.invalid).toEqual([]);
      expect(config.tables[0]?.arguments).toEqual({ [key]: arn });
    },
  );

  it.each(['table', 'run_id', 'job_type', 'target_path'])(
    'rejects the argument key %s, which the pipeline sets from the table itself',
    (key) => {
      const config = validate({ tables: [{ name: 't1', job_type: 'glue', arguments: { [key]: 'other' } }] });

      expect(config.tables).toEqual([]);
      expect(config.invalid[0]?.error).toBe(
        `tables[0] (t1).arguments.${key}: is set by the pipeline; use the table's ${key} field`,
      );
    },
  );

  it('rejects two argument keys that would become the same environment variable', () => {
    const config = validate({
      tables: [{ name: 't1', job_type: 'ecs', arguments: { 'fetch.size': '1', fetch_size: '2' } }],
    });

    expect(config.invalid[0]?.error).toBe(
      "tables[0] (t1).arguments.fetch_size: becomes the same environment variable (EXTRACT_FETCH_SIZE) as 'fetch.size'",
    );
  });

  it('rejects an argument key that does not start with a letter', () => {
    const config = validate({ tables: [{ name: 't1', job_type: 'glue', arguments: { '-table': 'x' } }] });

    expect(config.invalid[0]?.error).toContain('tables[0] (t1).arguments.-table: ');
  });
});

describe('extract config: defaults', () => {
  it('merges defaults under every entry, the entry winning key by key inside glue, emr, ecs and arguments', () => {
    // Prepare
    const document = {
      defaults: {
        source_type: 'postgres',
        target_path: 's3://example-lake/raw',
        arguments: { fetch_size: 10000, mode: 'append' },
        glue: { worker_type: 'G.2X', number_of_workers: 4 },
        emr: { entry_point: 's3://artifacts/extract.py', timeout_minutes: 30 },
        ecs: { subnets: ['subnet-0aaa', 'subnet-0bbb'], assign_public_ip: true },
      },
      tables: [
        {
          name: 'a',
          job_type: 'glue',
          source_type: 'mysql',
          arguments: { mode: 'overwrite', partition_column: 'day' },
          glue: { number_of_workers: 10 },
        },
        { name: 'b', job_type: 'emr', emr: { timeout_minutes: 90 } },
        { name: 'c', job_type: 'ecs', ecs: { subnets: ['subnet-0ccc'] } },
      ],
    };

    // Act
    const config = validate(document);

    // Assess
    expect(config.invalid).toEqual([]);
    const [a, b, c] = config.tables;
    expect(a).toMatchObject({
      source_type: 'mysql',
      target_path: 's3://example-lake/raw',
      arguments: { fetch_size: '10000', mode: 'overwrite', partition_column: 'day' },
      glue: { worker_type: 'G.2X', number_of_workers: 10 },
    });
    expect(b?.emr).toEqual({ entry_point: 's3://artifacts/extract.py', timeout_minutes: 90 });
    expect(b?.source_type).toBe('postgres');
    // Lists are replaced, not concatenated: a table's subnets are exactly the ones it names.
    expect(c?.ecs).toEqual({ subnets: ['subnet-0ccc'], assign_public_ip: true });
  });

  it('lets defaults supply the job_type', () => {
    const config = validate({ defaults: { job_type: 'emr' }, tables: [{ name: 't1' }] });

    expect(config.tables[0]?.job_type).toBe('emr');
  });

  it('reports an entry made invalid by a default against that entry', () => {
    const config = validate({
      defaults: { glue: { number_of_workers: 4 } },
      tables: [{ name: 't1', job_type: 'glue', glue: { number_of_workers: 2000 } }],
    });

    expect(config.invalid[0]?.error).toBe(
      'tables[0] (t1).glue.number_of_workers: Too big: expected number to be <=1000',
    );
  });

  it.each([
    ['an unknown section key', { glue: { bogus: 1 } }, 'defaults.glue: Unrecognized key: "bogus"'],
    ['a per-table key', { name: 'x' }, 'defaults: Unrecognized key: "name"'],
    ['an out-of-range value', { emr: { timeout_minutes: 0 } }, 'defaults.emr.timeout_minutes: Too small'],
    [
      'a credential-looking argument',
      { arguments: { token: 'x' } },
      'defaults.arguments.token: looks like a credential',
    ],
  ])(
    'fails the whole config with ConfigValidationError for defaults with %s',
    (_label, defaults, message) => {
      const text = validationMessage(() =>
        validate({ defaults, tables: [{ name: 't1', job_type: 'glue' }] }),
      );

      expect(text).toContain(`${KEY}: ${message}`);
    },
  );
});

describe('extract config: top level', () => {
  it.each([
    ['no tables key', {}, 'tables: Invalid input: expected array, received undefined'],
    ['an empty tables list', { tables: [] }, 'tables: must list at least one table'],
    ['tables as a mapping', { tables: { not: 'a list' } }, 'tables: Invalid input: expected array'],
    ['an unsupported version', { version: 2, tables: [{}] }, 'version: '],
    ['an unknown top-level key', { tables: [{}], extra: 1 }, 'Unrecognized key: "extra"'],
    ['a document that is not a mapping', ['sales.orders'], 'Invalid input: expected object, received array'],
  ])('fails with ConfigValidationError naming the config for %s', (_label, document, message) => {
    const text = validationMessage(() => validate(document));

    expect(text.startsWith(`${KEY}: `)).toBe(true);
    expect(text).toContain(message);
  });
  it('names an unknown top-level key right after the config key', () => {
    const text = validationMessage(() =>
      validate({ tables: [{ name: 't1', job_type: 'glue' }], tabels: [] }),
    );

    expect(text).toBe(`${KEY}: Unrecognized key: "tabels"`);
  });
});

describe('extract config: parsing', () => {
  it('parses YAML', () => {
    const text =
      'tables:\n  - name: sales.orders\n    job_type: glue\n    arguments:\n      fetch_size: 500\n';

    const config = validate(parseConfigDocument(text, 'c.yml'));

    expect(config.tables).toEqual([
      { name: 'sales.orders', job_type: 'glue', enabled: true, arguments: { fetch_size: '500' } },
    ]);
  });

  it('parses JSON', () => {
    const text = JSON.stringify({ version: 1, tables: [{ name: 'crm.accounts', job_type: 'emr' }] });

    const config = validate(parseConfigDocument(text, 'c.json'));

    expect(config.tables).toEqual([{ name: 'crm.accounts', job_type: 'emr', enabled: true }]);
  });

  it('turns unparseable YAML into a ConfigValidationError naming the key and the format', () => {
    const text = validationMessage(() =>
      parseConfigDocument('tables: [\n  - a: b\n', 'extract-config/c.yml'),
    );

    expect(text).toMatch(/^extract-config\/c\.yml is not valid YAML: .*line 2/s);
  });

  it('calls a broken .json file invalid JSON', () => {
    const text = validationMessage(() => parseConfigDocument('{"tables": [', 'extract-config/c.json'));

    expect(text).toMatch(/^extract-config\/c\.json is not valid JSON: /);
  });

  it('refuses YAML past MAX_YAML_BYTES before parsing it, and reads the same tables written as JSON', () => {
    const tables = Array.from({ length: 50_000 }, (_, i) => ({ name: `sales.table_${i}`, job_type: 'glue' }));
    const yaml = `tables:\n${tables.map((t) => `  - { name: ${t.name}, job_type: ${t.job_type} }`).join('\n')}\n`;
    expect(Buffer.byteLength(yaml)).toBeGreaterThan(MAX_YAML_BYTES);

    const text = validationMessage(() => parseConfigDocument(yaml, 'extract-config/big.yml'));

    expect(text).toMatch(
      /^extract-config\/big\.yml is \d+ bytes of YAML .*over the 2097152-byte limit for YAML; write a config this big as plain JSON/,
    );
    const json = parseConfigDocument(JSON.stringify({ tables }), 'extract-config/big.json') as {
      tables: unknown[];
    };
    expect(json.tables).toHaveLength(50_000);
  });

  it('refuses a YAML alias bomb', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );

    const text = validationMessage(() => parseConfigDocument(lines.join('\n'), 'bomb.yml'));

    expect(text).toMatch(/^bomb\.yml is not valid YAML: /);
  });
});

describe('a config of 200,000 table entries', () => {
  // `npm run bench` prints how long these take; here only the outcome is asserted (a quadratic check would not
  // finish within the test timeout).
  it('validates them when all are unique', () => {
    const tables = Array.from({ length: 200_000 }, (_, i) => ({ name: `t${i}`, job_type: 'glue' }));
    const config = validateExtractConfig({ tables }, 'big.yml');
    expect(config.tables).toHaveLength(200_000);
    expect(config.invalid).toEqual([]);
  });

  it('reports one name defined 200,000 times once, with a few positions and a count', () => {
    const tables = Array.from({ length: 200_000 }, () => ({ name: 'same', job_type: 'glue' }));
    const config = validateExtractConfig({ tables }, 'big.yml');
    expect(config.tables).toEqual([]);
    expect(config.invalid).toEqual([
      expect.objectContaining({
        name: 'same',
        job_type: 'glue',
        error: expect.stringMatching(
          /^tables\.name: 'same' is defined more than once \(tables\[0\], .*tables\[9\] and 199990 more\)$/,
        ),
      }),
    ]);
  });
});
