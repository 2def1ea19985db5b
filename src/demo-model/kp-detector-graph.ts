import { GraphBuilder, type Value } from '../onnx-builder/graph-builder.js';
import { foreground, linspace } from './foreground.js';
import { ops } from './graph-helpers.js';

/**
 * The demo keypoint detector: one analytic keypoint per frame.
 *   kp_value     the object's centroid (first moments of the foreground weight)
 *   kp_jacobian  J = R(θ)·diag(σ₁, σ₂) from the second moments: σ² are the
 *                covariance eigenvalues, θ the major axis, its sign fixed by the
 *                third moment (skew) so an asymmetric object's orientation is
 *                tracked through a full turn. J·Jᵀ equals the covariance, and
 *                J_a·J_b⁻¹ is the rotation and scaling between two poses.
 * When the object is nearly round (σ₁ ≈ σ₂) its orientation cannot be read, so θ
 * is blended towards 0: round objects transfer translation and scale only.
 */
const COVARIANCE_FLOOR = 1e-4; // σ ≥ 0.01 (≈ 1.3 px at 256²): keeps J invertible for empty frames
const SKEW_DEADZONE = 0.02;
const ANISOTROPY_LOW = 0.05;
const ANISOTROPY_HIGH = 0.2;

export function buildKpDetectorGraph(height: number, width: number): GraphBuilder {
  const g = new GraphBuilder('marionette_demo_kp_detector');
  const o = ops(g);
  const source = g.input('source', ['N', 3, height, width]);
  const { weight } = foreground(o, source, height, width);

  const gx = g.floats(linspace(width), [1, 1, 1, width], 'grid_x');
  const gy = g.floats(linspace(height), [1, 1, height, 1], 'grid_y');
  const mass = o.add(o.sum(weight, [2, 3]), 1e-6);
  const moment = (x: Value) => o.div(o.sum(o.mul(weight, x), [2, 3]), mass);

  const mx = moment(gx); // [N,1,1,1]
  const my = moment(gy);
  const dx = o.sub(gx, mx);
  const dy = o.sub(gy, my);
  const cxx = o.add(moment(o.mul(dx, dx)), COVARIANCE_FLOOR);
  const cyy = o.add(moment(o.mul(dy, dy)), COVARIANCE_FLOOR);
  const cxy = moment(o.mul(dx, dy));

  // Eigen-decomposition of [[cxx, cxy], [cxy, cyy]] in closed form.
  const half = o.mul(o.sub(cxx, cyy), 0.5);
  const meanVar = o.mul(o.add(cxx, cyy), 0.5);
  const r = o.sqrt(o.add(o.mul(half, half), o.mul(cxy, cxy)));
  const l1 = o.add(meanVar, r);
  const l2 = o.max(o.sub(meanVar, r), COVARIANCE_FLOOR * 0.5);
  const xDominant = o.ge(cxx, cyy);
  const vx = o.add(o.where(xDominant, o.add(half, r), cxy), 1e-12);
  const vy = o.where(xDominant, cxy, o.sub(r, half));
  const norm = o.sqrt(o.add(o.mul(vx, vx), o.mul(vy, vy)));
  // Canonical sign (x ≥ 0), then flip by skew along the axis when it is clear.
  const canon = o.where(o.lt(vx, 0), -1, 1);
  const ux0 = o.div(o.mul(vx, canon), norm);
  const uy0 = o.div(o.mul(vy, canon), norm);
  const proj = o.add(o.mul(dx, ux0), o.mul(dy, uy0));
  const sigma1 = o.sqrt(l1);
  const sigma2 = o.sqrt(l2);
  const skew = o.div(moment(o.mul(o.mul(proj, proj), proj)), o.mul(o.mul(sigma1, sigma1), sigma1));
  const flip = o.where(o.lt(skew, -SKEW_DEADZONE), -1, 1);
  const ux = o.mul(ux0, flip);
  const uy = o.mul(uy0, flip);

  // θ = atan2(uy, ux), damped towards 0 for nearly round objects.
  const safeX = o.where(o.lt(o.abs(ux), 1e-7), 1e-7, ux);
  const base = o.atan(o.div(uy, safeX));
  const theta = o.add(base, o.where(o.lt(ux, -1e-7), o.where(o.ge(uy, 0), Math.PI, -Math.PI), 0));
  const anisotropy = o.div(r, meanVar);
  const trust = o.clip(o.mul(o.sub(anisotropy, ANISOTROPY_LOW), 1 / (ANISOTROPY_HIGH - ANISOTROPY_LOW)), 0, 1);
  const angle = o.mul(theta, trust);
  const cos = o.cos(angle);
  const sin = o.sin(angle);

  const flat = (v: Value) => o.reshape(v, [0, 1, 1]);
  const kpValue = o.concat([flat(mx), flat(my)], 2);
  const jac = o.concat([flat(o.mul(cos, sigma1)), flat(o.mul(o.mul(sin, sigma2), -1)), flat(o.mul(sin, sigma1)), flat(o.mul(cos, sigma2))], 2);
  g.output(kpValue, 'kp_value', ['N', 1, 2]);
  g.output(o.reshape(jac, [0, 1, 2, 2]), 'kp_jacobian', ['N', 1, 2, 2]);
  return g;
}
