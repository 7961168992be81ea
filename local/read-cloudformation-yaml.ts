// Reads serverless.yml and resources/*.yml the way the framework does as far as the local runtime needs:
// CloudFormation short forms (!Ref, !GetAtt, !Sub, …) become their long forms ({"Fn::GetAtt": …}), so the
// result is plain data that callers can walk or resolve.
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

const SHORT_FORMS = [
  'Ref',
  'GetAtt',
  'Sub',
  'Join',
  'If',
  'Equals',
  'Not',
  'Select',
  'Split',
  'ImportValue',
  'FindInMap',
];

const longForm = (tag: string) => (tag === 'Ref' ? 'Ref' : `Fn::${tag}`);

export function readCloudFormationYaml(path: string): unknown {
  const document = parseDocument(readFileSync(path, 'utf8'), {
    customTags: SHORT_FORMS.flatMap((tag) =>
      [undefined, 'seq', 'map'].map((collection) => ({
        tag: `!${tag}`,
        collection,
        // Collections arrive as YAML nodes; their plain form is what callers walk.
        resolve: (value: { toJSON?: () => unknown }) => ({ [longForm(tag)]: value.toJSON?.() ?? value }),
      })),
    ) as never,
  });
  return document.toJS();
}
