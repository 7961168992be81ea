// Validates a state machine definition the way the interpreter does, once per definition on this machine.
// aws-local-stepfunctions runs asl-validator on every StateMachine it constructs, compiling every JSON schema with a
// fresh Ajv: 0.5-0.7 s of CPU, more than the rest of a small run, paid by every `npm start`, serve instance and
// pipeline test file. A definition is the same valid definition for as long as its text and the validator are
// unchanged, so a marker file per (definition, interpreter, validator) lets every later process skip it; an
// edited definition, or another version of either package, is validated again on its first run.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { PROJECT_ROOT } from '../project-root';

const CACHE_DIR = join(PROJECT_ROOT, 'node_modules', '.cache', 'extract-pipeline-validated-definitions');

const validatedHere = new Set<string>();
let validatorCode: string | undefined;

/**
 * Throws the interpreter's validation error for an invalid definition; returns at once for one this process or an
 * earlier one validated. The runtime validates the deployed definition as deployed (the bridged one, with its
 * stand-ins, is not ASL).
 */
export function validateOnce(definition: StateMachineDefinition): void {
  const text = JSON.stringify(definition);
  if (validatedHere.has(text) || existsSync(markerFor(text))) return;
  // A copy: asl-validator fills in defaults (QueryLanguage) where it validates.
  new StateMachine(JSON.parse(text) as StateMachineDefinition, { validationOptions: { checkArn: false } });
  validatedHere.add(text);
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(markerFor(text), '');
  } catch {
    // The marker is only a saving: a read-only checkout validates on every process start, as before.
  }
}

/** The interpreter's and its asl-validator's code, which decide what "valid" means. */
function validatorFingerprint(): string {
  if (validatorCode === undefined) {
    const interpreter = require.resolve('aws-local-stepfunctions');
    const validator = createRequire(interpreter).resolve('asl-validator');
    validatorCode = createHash('sha256')
      .update(readFileSync(interpreter))
      .update(readFileSync(validator))
      .digest('hex');
  }
  return validatorCode;
}

function markerFor(text: string): string {
  const key = createHash('sha256').update(validatorFingerprint()).update(text).digest('hex').slice(0, 32);
  return join(CACHE_DIR, key);
}
