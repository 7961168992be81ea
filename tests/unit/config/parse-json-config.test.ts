// JSON configs are read with JSON.parse (a 100,000-table config in 0.1 s instead of 9 s and 400 MB of YAML nodes),
// without losing what the YAML parser guarantees: a key given twice is an error that names it, not dropped.
import { ConfigValidationError } from '../../../functions/lib/errors';
import { parseConfigDocument } from '../../../functions/lib/config/parse-config-document';
import { parseJsonConfig } from '../../../functions/lib/config/parse-json-config';

describe('a config written as JSON', () => {
  it('is read with JSON.parse, strings that look like keys included', () => {
    const document = {
      version: 1,
      tables: [{ name: 'sales.orders', job_type: 'glue', arguments: { filter: 'a": "b\\" : {"c":' } }],
    };

    expect(parseJsonConfig(JSON.stringify(document, null, 2))).toEqual(document);
  });

  it('with a key given twice in one object goes to the YAML parser, which names the key', () => {
    const text = '{"version": 1, "tables": [{"name": "a", "job_type": "glue"}], "tables": []}';

    expect(parseJsonConfig(text)).toBeUndefined();
    expect(() => parseConfigDocument(text, 'extract-config/c.json')).toThrow(ConfigValidationError);
    expect(() => parseConfigDocument(text, 'extract-config/c.json')).toThrow(
      /c\.json is not valid JSON: .*unique/s,
    );
  });

  it('leaves YAML, and JSON with YAML in it, to the YAML parser', () => {
    expect(parseJsonConfig('version: 1\ntables: []\n')).toBeUndefined();
    expect(parseJsonConfig('{version: 1, tables: []}')).toBeUndefined();
    expect(parseConfigDocument('{version: 1, tables: []}', 'c.yml')).toEqual({ version: 1, tables: [] });
  });
});
