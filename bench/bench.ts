/**
 * `npm run bench`: the engine's speed and memory, measured (never asserted in
 * tests).
 *
 *   npm run bench [-- --model models/vox --device cpu --batch 4 --durations 5,60]
 *       stage costs, end-to-end fps and peak RSS for short and long videos (video-lengths.ts)
 *   npm run bench -- --compare-pytorch [--frames 16 --rounds 3]   (also npm run bench:fomm)
 *       the engine against the official FOMM demo loop in PyTorch, same weights and frames (fomm.ts)
 */
if (process.argv.includes('--compare-pytorch')) await import('./fomm.js');
else await import('./video-lengths.js');
