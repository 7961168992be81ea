// Jest's order, except that the template project's files go last. Its globalSetup starts `sls package` for both
// stages when the run starts (about a minute each), and every template file waits for those packages: run first,
// as Jest puts slow files first, they held the workers idle while other files could have run.
const Sequencer = require('@jest/test-sequencer').default;

const isTemplate = (test) => test.context.config.displayName?.name === 'template';

class TemplateLastSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted.filter((test) => !isTemplate(test)), ...sorted.filter(isTemplate)];
  }
}

module.exports = TemplateLastSequencer;
