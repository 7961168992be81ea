// The mock file: how the local job backend answers each table's Glue, EMR or ECS run (in the spirit of Step
// Functions Local's MockConfigFile). Users write it by hand, so it is validated and every error names the field.
//
//   default: { seconds: 1 }              # every table, unless overridden below
//   tables:
//     sales.orders: { throttle: 2 }      # refused twice with the service's throttling error, then runs
//     crm.accounts: { fail: { error: Glue.JobRunFailed, cause: 'Out of memory' } }
//     sales.invoices: { watermark: '2024-06-01T00:00:00Z' }   # a watermark table's job reports this mark
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { formatIssues } from '../../functions/lib/format-issues';
import type { JobScript } from './job-backend';

/** The mock file cannot be read, parsed or validated. */
export class MockFileError extends Error {
  override name = 'MockFileError';
}

const tableScript = z.strictObject({
  fail: z
    .strictObject({
      error: z.string().min(1).optional(),
      cause: z.string().optional(),
    })
    .optional(),
  throttle: z.int().min(0).max(100).optional(),
  seconds: z.number().min(0).max(3600).optional(),
  watermark: z.union([z.string().min(1).max(256), z.int()]).optional(),
});

const mockSchema = z.strictObject({
  default: tableScript.optional(),
  tables: z.record(z.string().min(1), tableScript).optional(),
});

export function parseMockFile(text: string, file: string): JobScript {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new MockFileError(`${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = mockSchema.safeParse(document ?? {});
  if (!parsed.success) {
    throw new MockFileError(`${file}: ${formatIssues(parsed.error)}`);
  }
  return parsed.data;
}

export function readMockFile(file: string): JobScript {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new MockFileError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseMockFile(text, file);
}
