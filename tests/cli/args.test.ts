import { describe, expect, it } from 'vitest';
import { parseAnimateArgs, UsageError } from '../../src/cli/args.js';
import { formatDuration, formatProgress } from '../../src/cli/progress-bar.js';

const base = ['--source', 'a.jpg', '--driving', 'b.mp4', '--out', 'c.mp4'];

describe('parseAnimateArgs', () => {
  it('GIVEN only the required options THEN the documented defaults', () => {
    const c = parseAnimateArgs(base);
    if (c === 'help') throw new Error('unexpected help');
    expect(c.options).toMatchObject({
      source: 'a.jpg',
      driving: 'b.mp4',
      output: 'c.mp4',
      mode: 'relative',
      adaptScale: true,
      bestFrame: 'off',
      audio: true,
      label: true,
      model: undefined,
    });
    expect(c.device).toBe('auto');
  });
  it('GIVEN negations and values THEN they are applied', () => {
    const c = parseAnimateArgs([
      ...base,
      '--no-adapt-scale',
      '--no-audio',
      '--no-label',
      '--mode',
      'absolute',
      '--best-frame',
      '12',
      '--device',
      'cpu',
      '--batch',
      '8',
      '--max-seconds',
      '2.5',
    ]);
    if (c === 'help') throw new Error('unexpected help');
    expect(c.options).toMatchObject({
      adaptScale: false,
      audio: false,
      label: false,
      mode: 'absolute',
      bestFrame: 12,
      batchSize: 8,
      limits: { maxDurationSeconds: 2.5 },
    });
    expect(c.device).toBe('cpu');
  });
  it.each([
    [['--source', 'a', '--out', 'c'], /--driving is required/],
    [[...base, '--mode', 'sideways'], /--mode must be relative or absolute/],
    [[...base, '--device', 'tpu'], /--device must be one of auto, cpu, webgpu, cuda/],
    [[...base, '--best-frame', 'first'], /--best-frame must be off, auto or a frame number/],
    [[...base, '--batch', '0'], /--batch must be a whole number of at least 1/],
    [[...base, '--batch', '99999999999999999999'], /^--batch must be at most 256 \(got "99999999999999999999"\)\.$/],
    [[...base, '--threads', '99999999999'], /^--threads must be at most 256 \(got "99999999999"\)\.$/],
    [[...base, '--audio', '--no-audio'], /either --audio or --no-audio/],
    [[...base, '--frobnicate'], /Unknown option '--frobnicate'/],
  ])('GIVEN a mistake THEN a UsageError naming it (%#)', (args, message) => {
    expect(() => parseAnimateArgs(args)).toThrow(UsageError);
    expect(() => parseAnimateArgs(args)).toThrow(message);
  });
  it('GIVEN --help THEN help', () => expect(parseAnimateArgs(['--help'])).toBe('help'));
});

describe('progress line', () => {
  it('GIVEN progress THEN phase, bar, percent, frames, fps and ETA', () => {
    const line = formatProgress({ phase: 'generating', framesDone: 50, framesTotal: 200, percent: 25, fps: 12.5, etaSeconds: 12 }, 8);
    expect(line).toBe('Animating          [##......]  25% 50/200 frames · 12.5 fps · ETA 0:12');
  });
  it('GIVEN an unknown total THEN placeholders', () => {
    expect(formatProgress({ phase: 'reference', framesDone: 3, framesTotal: null, percent: null, fps: null, etaSeconds: null }, 4)).toBe(
      'Finding best frame [....]   ?% 3/? frames · – fps · ETA –',
    );
  });
  it('formats durations', () => {
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(59.6)).toBe('1:00');
  });
});
