import { describe, expect, it } from 'vitest';
import { CancelledError, EngineError, InputError } from '../../src/engine/errors.js';
import { isDiskFull, settleFailure, UndeliverableError, type FailureFacts } from '../../src/jobs/failure-settlement.js';

const facts = (f: Partial<FailureFacts>): FailureFacts => ({
  stopReason: null,
  aborted: false,
  stopping: false,
  error: new Error('boom'),
  jobTimeoutMs: 600_000,
  ...f,
});
const cancelled = new CancelledError();

describe('settleFailure: how an attempt that did not succeed ends', () => {
  it.each<[string, Partial<FailureFacts>, unknown]>([
    ['GIVEN the lease was lost THEN nothing is recorded', { stopReason: 'lease-lost', error: cancelled, aborted: true }, { outcome: 'lease-lost' }],
    ['GIVEN its requester cancelled it THEN cancelled', { stopReason: 'cancel', error: cancelled, aborted: true }, { outcome: 'cancelled' }],
    [
      'GIVEN a shutdown stopped it THEN handed back',
      { stopReason: 'shutdown', stopping: true, error: cancelled, aborted: true },
      { outcome: 'handed-back', why: 'shutdown' },
    ],
    [
      'GIVEN it failed while the runner was stopping THEN handed back, not counted',
      { stopping: true, error: new Error('ffmpeg killed') },
      { outcome: 'handed-back', why: 'failed-while-stopping' },
    ],
    [
      'GIVEN it ran past the limit THEN failed for good, with the limit in minutes',
      { stopReason: 'timeout', error: cancelled, aborted: true, jobTimeoutMs: 90_000 },
      { outcome: 'failed', failure: { reason: { code: 'timeout', minutes: 2 }, retryable: false } },
    ],
    [
      'GIVEN the engine refused the input THEN failed for good, with its sentence',
      { error: new InputError('video-too-long', 'The video is too long.') },
      { outcome: 'failed', failure: { reason: { code: 'input', message: 'The video is too long.' }, retryable: false } },
    ],
    [
      'GIVEN the clip cannot fit the upload limit THEN failed for good, with the limit',
      { error: new UndeliverableError(8_000_000) },
      { outcome: 'failed', failure: { reason: { code: 'too-large-to-deliver', limitBytes: 8_000_000 }, retryable: false } },
    ],
    ['GIVEN anything else THEN retried', { error: new Error('onnxruntime: out of memory') }, { outcome: 'failed', failure: { retryable: true } }],
    [
      'GIVEN a full disk THEN retried, and it says so',
      { error: Object.assign(new Error('write failed'), { code: 'ENOSPC' }) },
      { outcome: 'failed', failure: { retryable: true, reason: { code: 'disk-full' } } },
    ],
  ])('%s', (_name, given, expected) => {
    expect(settleFailure(facts(given))).toMatchObject(expected as object);
  });

  it('GIVEN a cancel asked while the runner is stopping THEN the cancel wins', () => {
    expect(settleFailure(facts({ stopReason: 'cancel', stopping: true, error: cancelled, aborted: true }))).toEqual({ outcome: 'cancelled' });
  });
});

describe('isDiskFull', () => {
  it('GIVEN ENOSPC, the sentence, or ffmpeg’s output in an engine error THEN true; GIVEN other errors THEN false', () => {
    expect(isDiskFull(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBe(true);
    expect(isDiskFull(new Error('No space left on device'))).toBe(true);
    expect(isDiskFull(new EngineError('ffmpeg failed', { stderr: 'av_interleaved_write_frame(): No space left on device' }))).toBe(true);
    expect(isDiskFull(new EngineError('ffmpeg failed', { stderr: 'Invalid data found when processing input' }))).toBe(false);
  });
});
