import { describe, expect, it } from 'vitest';
import { createRunControl, RunGuard, stopRuns, StoppingError } from '../../src/engine/worker/run-guard.js';

describe('run guard', () => {
  it('GIVEN a run in progress THEN stopRuns resolves only after it ends, and no new run starts', async () => {
    const control = createRunControl();
    const guard = new RunGuard(control);
    let finish!: () => void;
    let ended = false;
    const running = guard.run(() => new Promise<void>((resolve) => (finish = resolve))).then(() => (ended = true));
    let stopped = false;
    const stopping = stopRuns(control, 10_000).then((idle) => {
      stopped = idle;
      return ended;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    finish();
    await running;
    expect(await stopping).toBe(true);
    expect(stopped).toBe(true);
    await expect(guard.run(async () => 1)).rejects.toBeInstanceOf(StoppingError);
  });

  it('GIVEN no run THEN stopRuns resolves at once', async () => {
    expect(await stopRuns(createRunControl(), 10_000)).toBe(true);
  });

  it('GIVEN a run that does not end THEN stopRuns gives up after its timeout', async () => {
    const control = createRunControl();
    void new RunGuard(control).run(() => new Promise(() => undefined));
    expect(await stopRuns(control, 30)).toBe(false);
  });
});
