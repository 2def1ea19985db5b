/**
 * `npm run bench:framing`: the framing pass's speed (issue 19's goal: at least 100 frames per second of 720p
 * video) — the driving video decoded small, one frame in fps/8 detected, the face followed — and the photo's
 * face detection, each in the inference worker as the engine runs them. Never asserted in tests.
 *
 *   npm run bench:framing [-- --runs 3 --seconds 10]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findPhotoFaces, followVideoFace } from '../src/engine/framing/find-faces.js';
import { MIN_FACE_SIDE } from '../src/engine/framing/framing-plan.js';
import { photoOrientation } from '../src/engine/media/decode.js';
import { resolveFfmpeg } from '../src/engine/media/ffmpeg-path.js';
import { DEFAULT_LIMITS } from '../src/engine/media/limits.js';
import { probeMedia } from '../src/engine/media/probe.js';
import { InferenceWorker } from '../src/engine/worker/inference-worker.js';
import { PROJECT_ROOT } from '../src/version.js';
import { median } from './parity.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' } } });
const runs = Number(values.runs);
const dir = join(PROJECT_ROOT, 'data', 'bench', 'framing');
mkdirSync(dir, { recursive: true });
const photos = join(PROJECT_ROOT, 'tests', 'fixtures', 'photos');
const video = join(dir, `phone-720p-${values.seconds}s.mp4`);
const selfie = join(dir, 'selfie.jpg');
const { ffmpeg } = resolveFfmpeg();
// A 720×1280 phone-shaped video at 30 fps: a moving test pattern with the astronaut's face (about 280 px) panning over it.
execFileSync(ffmpeg, [
  '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=720x1280:rate=30:duration=${values.seconds}`, '-loop', '1', '-i', join(photos, 'astronaut.jpg'),
  '-filter_complex', "[1]crop=300:300:80:20,scale=400:400[f];[0][f]overlay=x='160+100*sin(t)':y='300+80*cos(t/2)':shortest=1,format=yuv420p",
  '-c:v', 'libx264', '-preset', 'veryfast', video,
]); // prettier-ignore
execFileSync(ffmpeg, ['-v', 'error', '-y', '-i', join(photos, 'astronaut.jpg'), '-vf', 'scale=1536:1536,pad=3000:4000:700:500:gray', '-q:v', '3', selfie]);

const worker = new InferenceWorker();
const ctx = { worker, cpuThreads: cpus().length, signal: undefined };
try {
  const info = await probeMedia(video, 'video', DEFAULT_LIMITS);
  const photoInfo = await probeMedia(selfie, 'photo', DEFAULT_LIMITS);
  const { shown } = await photoOrientation(selfie, photoInfo);
  const frames = Math.round(30 * Number(values.seconds));
  const pass: number[] = [];
  const photo: number[] = [];
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    const found = await followVideoFace(ctx, video, info, DEFAULT_LIMITS, () => undefined);
    pass.push(performance.now() - t);
    if (r === 0)
      process.stderr.write(`video: face in ${found.track.framesWithFace} of ${found.track.framesLookedAt} frames looked at (one in ${found.every})\n`);
    t = performance.now();
    const faces = await findPhotoFaces(ctx, selfie, photoInfo, shown, MIN_FACE_SIDE);
    photo.push(performance.now() - t);
    if (r === 0) process.stderr.write(`photo 3000×4000: ${faces.length} face(s)\n`);
  }
  const passMs = median(pass);
  process.stdout.write(
    `${JSON.stringify({
      machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
      loadAverage: loadavg()[0],
      runs,
      video: `720×1280, 30 fps, ${frames} frames`,
      framingPassMs: pass.map(Math.round),
      framingPassFps: Math.round(frames / (passMs / 1000)),
      photo3000x4000Ms: photo.map(Math.round),
    })}\n`,
  );
} finally {
  await worker.terminate();
}
