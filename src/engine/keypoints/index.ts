export { BestFrameTracker, bestFrameIndex, normalizedPose, poseDistance } from './best-frame.js';
export { convexHullArea } from './hull.js';
export { frameKeypoints, keypointCount, type Keypoints } from './keypoints.js';
export { det2, inverse2, multiply2, type Mat2 } from './matrix2.js';
export { movementScale, normalizeKeypoints, type NormalizeOptions } from './normalize.js';
