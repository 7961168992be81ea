// A config file's document: plain JSON read with JSON.parse (parse-json-config.ts), anything else with the YAML
// parser. A module of its own so that the config manager loads the parser (about 9 ms of CPU) when it first reads
// a config that is not plain JSON, not at every cold start (read-extract-config.ts).
import { parse as parseYaml } from 'yaml';
import { ConfigValidationError } from '../errors';
import { parseJsonConfig } from './parse-json-config';

/**
 * The most YAML the config manager parses. The YAML parser holds a node with its source range per value: about 90
 * bytes of memory per byte of text (a 5 MB, 100,000-table config peaked at 466 MB, past what the config manager
 * has besides the run's table jobs). At 2 MB, some 40,000 one-line table entries, it stays well inside 512 MB;
 * a bigger config is written as JSON, which is read with JSON.parse up to the 10 MB object limit.
 */
export const MAX_YAML_BYTES = 2 * 1024 * 1024;

export function parseConfigDocument(text: string, key: string): unknown {
  const json = parseJsonConfig(text);
  return json !== undefined ? json : parseYamlConfig(text, key);
}

/** A config text that is not plain JSON (parseJsonConfig returned undefined), read with the YAML parser. */
export function parseYamlConfig(text: string, key: string): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_YAML_BYTES) {
    // Refused before the parser runs: past this size it would exhaust the config manager's memory, and a Lambda
    // killed for memory leaves only a Runtime.OutOfMemory behind.
    const message =
      `is ${bytes} bytes of YAML (or of JSON that repeats a key), over the ${MAX_YAML_BYTES}-byte limit for YAML; ` +
      'write a config this big as plain JSON, which is read up to 10 MB (docs/limits.md)';
    throw new ConfigValidationError(`${key} ${message}`, [{ field: '', message }]);
  }
  try {
    // YAML is a superset of JSON, so one parser serves both; the key's extension only decides the message.
    return parseYaml(text, { prettyErrors: true, maxAliasCount: 100 });
  } catch (error) {
    const message = `is not valid ${key.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`;
    throw new ConfigValidationError(`${key} ${message}`, [{ field: '', message }]);
  }
}
