import { effectivePollWindowMs } from '../../../functions/lib/task-runner/handle-request';

describe('the long-poll window inside Lambda', () => {
  it('uses the stage window when the function has time to spare', () => {
    expect(effectivePollWindowMs(90_000, 119_000)).toBe(90_000);
  });

  it('ends 5 s before the Lambda timeout when the stage window would outlast it', () => {
    expect(effectivePollWindowMs(90_000, 60_000)).toBe(55_000);
    expect(effectivePollWindowMs(90_000, 3_000)).toBe(0);
  });

  it('uses the stage window unchanged where there is no Lambda (local server)', () => {
    expect(effectivePollWindowMs(90_000, undefined)).toBe(90_000);
  });
});
