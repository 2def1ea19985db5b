import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { resolveFfmpeg } from '../../src/engine/media/ffmpeg-path.js';
import { tempDir } from '../support/temp-dir.js';

describe('ffmpeg resolution', () => {
  const onPath = execFileSync('sh', ['-c', 'command -v ffmpeg']).toString().trim();
  it('GIVEN FFMPEG_PATH THEN it is used, and ffprobe is looked for beside it', () => {
    const r = resolveFfmpeg({ PATH: '/nonexistent', FFMPEG_PATH: onPath });
    expect(r.ffmpeg).toBe(onPath);
    expect(r.origin.ffmpeg).toBe('FFMPEG_PATH');
    expect(r.origin.ffprobe).toBe('beside FFMPEG_PATH');
  });
  it('GIVEN a broken FFMPEG_PATH THEN the next candidate (PATH) is used', () => {
    const r = resolveFfmpeg({ PATH: process.env['PATH'], FFMPEG_PATH: '/nonexistent/ffmpeg' });
    expect(r.origin.ffmpeg).not.toBe('FFMPEG_PATH');
  });
  it('GIVEN nothing works THEN one error names all three ways', () => {
    expect(() => resolveFfmpeg({ PATH: '/nonexistent', FFMPEG_PATH: '/nonexistent/ffmpeg' })).toThrow(
      /No working ffmpeg was found: set FFMPEG_PATH .*, install the optional npm package ffmpeg-static, or install ffmpeg \(which includes ffprobe\) on PATH/,
    );
  });
  it('GIVEN ffmpeg but no ffprobe THEN the error does not offer ffmpeg-static, which has no ffprobe', () => {
    // A folder holding ffmpeg alone, as ffmpeg-static's does.
    const alone = tempDir('ffmpeg-alone-');
    const found = resolveFfmpeg().ffmpeg;
    symlinkSync(found.includes('/') ? found : execFileSync('sh', ['-c', 'command -v ffmpeg']).toString().trim(), join(alone, 'ffmpeg'));
    let error = '';
    try {
      resolveFfmpeg({ PATH: '/nonexistent', FFMPEG_PATH: join(alone, 'ffmpeg'), FFPROBE_PATH: '/nonexistent/ffprobe' });
    } catch (e) {
      error = (e as Error).message;
    }
    expect(error).toMatch(/^No working ffprobe was found: set FFPROBE_PATH to the binary, or install ffmpeg \(which includes ffprobe\) on PATH/);
    expect(error).not.toContain('ffmpeg-static');
  });
});
