import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/util/log.js';

describe('structured logger', () => {
  it('GIVEN a message with context THEN one JSON line with time, level, message and context', () => {
    const lines: string[] = [];
    createLogger({ write: (l) => lines.push(l) })
      .child({ job: 'j1' })
      .info('done', { frames: 3 });
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 'info', msg: 'done', job: 'j1', frames: 3 });
    expect(lines[0]!.endsWith('\n')).toBe(true);
  });
  it('GIVEN secrets THEN neither registered values nor secret-named keys are written', () => {
    const lines: string[] = [];
    const token = 'MTIzNDU2Nzg5.abcdef.verysecretvalue';
    const log = createLogger({ write: (l) => lines.push(l), redact: [token] });
    log.error('failed', { url: `https://discord.com/api/webhooks/1/${token}`, interactionToken: 'aW50ZXJhY3Rpb24tdG9rZW4', error: new Error(`bad ${token}`) });
    expect(lines.join('')).not.toContain(token);
    expect(lines.join('')).not.toContain('aW50ZXJhY3Rpb24tdG9rZW4');
    expect(lines.join('')).toContain('[redacted]');
  });
  it('GIVEN an interaction token inside a URL (an error message, say) THEN it is cut out', () => {
    const lines: string[] = [];
    const interactionToken = 'aW50ZXJhY3Rpb246MTIzOmFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6';
    createLogger({ write: (l) => lines.push(l) }).warn('failed', {
      error: new Error(`PATCH /api/v10/webhooks/123456789012345678/${interactionToken}/messages/@original: 500`),
    });
    expect(lines[0]).not.toContain(interactionToken);
    expect(lines[0]).toContain('/webhooks/123456789012345678/[redacted]/messages/@original');
  });
  it('GIVEN a level THEN lower levels are dropped', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', write: (l) => lines.push(l) });
    log.info('no');
    log.warn('yes');
    expect(lines).toHaveLength(1);
  });
});
