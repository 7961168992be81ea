// The shipped config/dev.yml and config/prod.yml hold example values, so that `sls package` works offline from a
// fresh clone; a deploy with them would create roles for accounts and resources that are not yours. This finds them.

/** A setting that still holds an example value, by its key in the stage file (`ecs.subnets[1]`). */
export interface Placeholder {
  key: string;
  value: string;
  why: string;
}

const EXAMPLES: { pattern: RegExp; why: string }[] = [
  // AWS's documentation account ids, and the all-zero one of the local stage.
  {
    pattern: /(^|\D)(123456789012|111122223333|444455556666|000000000000)(\D|$)/,
    why: 'an example account id',
  },
  { pattern: /example/i, why: 'an example value' },
  // The id part of the shipped subnet and security group ids.
  { pattern: /0123456789abcdef/, why: 'an example resource id' },
];

function walk(value: unknown, key: string, found: Placeholder[]): void {
  if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${key}[${index}]`, found));
  else if (value && typeof value === 'object') {
    for (const [name, inner] of Object.entries(value)) walk(inner, key ? `${key}.${name}` : name, found);
  } else if (typeof value === 'string') {
    const example = EXAMPLES.find(({ pattern }) => pattern.test(value));
    if (example) found.push({ key, value, why: example.why });
  }
}

/** Every setting of a stage file that still holds an example value. */
export function findPlaceholders(config: unknown): Placeholder[] {
  const found: Placeholder[] = [];
  walk(config, '', found);
  return found;
}
