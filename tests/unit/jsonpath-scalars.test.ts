// The interpreter's JSONPath evaluates a path to a scalar without throwing (local/runtime/jsonpath-scalars.ts);
// every answer must be the one jsonpath-plus's own JSONPath gives.
import { interpreterJsonPath, originalJsonPath } from '../../local/runtime/jsonpath-scalars';

const document = {
  table: 'sales.orders',
  attempt: 0,
  done: false,
  nothing: null,
  empty: '',
  job: { type: 'glue', arguments: { '--table': 'sales.orders' } },
  tables: [
    { name: 'a', size: 1 },
    { name: 'b', size: 3 },
  ],
};

describe("the interpreter's JSONPath", () => {
  it("is not jsonpath-plus's own, which throws to return a scalar", () => {
    // Assess
    expect(interpreterJsonPath()).not.toBe(originalJsonPath);
  });

  it.each([
    '$.table',
    '$.attempt',
    '$.done',
    '$.nothing',
    '$.empty',
    '$.job',
    '$.job.arguments.--table',
    "$.job.arguments['--table']",
    '$.tables',
    '$.tables[1].name',
    '$.tables[*].name',
    '$.tables[?(@.size > 2)]',
    '$.tables[?(@.size > 2)].name',
    '$.missing',
    '$..name',
    '$',
    '$.job.type',
    '$.table.length',
    '$.tables.length',
    '$.empty.length',
    '$.nothing.type',
    '$.attempt.toFixed',
    '$.constructor',
    '$.job.arguments.missing.deeper',
  ])('evaluates %s as jsonpath-plus does', (path) => {
    // Act
    const ours = interpreterJsonPath()({ path, json: document, wrap: false } as never);

    // Assess
    expect(ours).toEqual(originalJsonPath({ path, json: document, wrap: false } as never));
  });

  it.each([null, 0, '', false, 'text', [1, 2]])(
    'evaluates $ and $.length of %p as jsonpath-plus does',
    (json) => {
      for (const path of ['$', '$.length']) {
        // Act
        const ours = interpreterJsonPath()({ path, json, wrap: false } as never);

        // Assess
        expect(ours).toEqual(originalJsonPath({ path, json, wrap: false } as never));
      }
    },
  );

  it('leaves other forms of call to jsonpath-plus (wrapped results, positional arguments, new)', () => {
    // Prepare
    const jsonPath = interpreterJsonPath() as unknown as (...args: unknown[]) => unknown;
    const JsonPath = jsonPath as unknown as new (...args: unknown[]) => unknown;

    // Act and assess
    expect(jsonPath({ path: '$.table', json: document })).toEqual(['sales.orders']);
    expect(jsonPath('$.tables[*].size', document)).toEqual([1, 3]);
    expect(new JsonPath({ path: '$.tables', json: document, wrap: false })).toEqual(document.tables);
  });
});
