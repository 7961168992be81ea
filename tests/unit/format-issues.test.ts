// The one way every validation in the project reports its problems (config, run event, stage settings, runner
// requests, local mock file).
import * as z from 'zod';
import { fieldPath, formatIssues } from '../../functions/lib/format-issues';

describe('formatting validation issues', () => {
  it('writes list positions in brackets and object keys with dots, as the SDKs name fields', () => {
    expect(fieldPath(['fields', 0, 'key'])).toBe('fields[0].key');
    expect(fieldPath([2, 'name'], 'tables')).toBe('tables[2].name');
    expect(fieldPath([])).toBe('');
  });

  it('names every problem once, under the prefix, joined by semicolons', () => {
    // Prepare
    const schema = z.strictObject({ name: z.string(), subnets: z.array(z.string().startsWith('subnet-')) });

    // Act
    const parsed = schema.safeParse({ subnets: ['subnet-1', 'vpc-2'], extra: true });

    // Assess
    expect(parsed.success).toBe(false);
    expect(formatIssues(parsed.error!, 'tables[0] (t1)')).toBe(
      'tables[0] (t1).name: Invalid input: expected string, received undefined; ' +
        'tables[0] (t1).subnets[1]: Invalid string: must start with "subnet-"; ' +
        'tables[0] (t1): Unrecognized key: "extra"',
    );
  });

  it('leaves a top-level problem without an empty field in front', () => {
    const parsed = z.strictObject({}).safeParse({ typo: 1 });

    expect(formatIssues(parsed.error!)).toBe('Unrecognized key: "typo"');
  });
});
