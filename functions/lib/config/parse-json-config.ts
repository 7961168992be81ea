// A config written as JSON, read with JSON.parse: the YAML parser holds a node with its source range for every
// value, about 4 KB per table entry, so a 100,000-table config took 9 s and 400 MB there, more than the config
// manager's memory allows; JSON.parse takes 0.1 s and the document's own size. JSON.parse keeps the last of two
// equal keys in one object, which would drop the first silently; so the keys in the text are counted too, and a
// text with more keys than its parsed objects hold is left to the YAML parser, which names the repeated key.

/** The parsed document, or undefined when the text is not plain JSON or repeats a key within an object. */
export function parseJsonConfig(text: string): unknown {
  if (!/^\s*\{/.test(text)) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  return countParsedKeys(document) === countKeysInText(text) ? document : undefined;
}

function countParsedKeys(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + countParsedKeys(item), 0);
  if (value === null || typeof value !== 'object') return 0;
  let count = 0;
  for (const inner of Object.values(value)) count += 1 + countParsedKeys(inner);
  return count;
}

/** Object keys in valid JSON text: the strings followed by a colon. */
function countKeysInText(text: string): number {
  let count = 0;
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '"') {
      i++;
      continue;
    }
    // Skip the string, escapes included.
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    while (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t') i++;
    if (text[i] === ':') count++;
  }
  return count;
}
