// A globalSetup: validates the deployed state machine definition once, before any test file runs. Every later
// process then finds it validated (local/runtime/validated-definitions.ts); without this, on a clean clone, the
// files and commands that start at the same moment (npm start runs, serve instances, pipeline files) each paid for
// the same validation.
import { loadDefinition } from '../../local/runtime/load-definition';
import { validateOnce } from '../../local/runtime/validated-definitions';

export default function validateTheDefinitionOnce(): void {
  validateOnce(loadDefinition());
}
