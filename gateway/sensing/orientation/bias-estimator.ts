import { DEG } from '../../../shared/imu.ts';
import type { OrientationParams } from './params.ts';

/** The process noise grows the bias std by this much per biasForgettingTime (VQF's definition), rad/s. */
const FORGETTING_STD = 0.1 * DEG;

/**
 * Gyroscope bias estimation of VQF: a 3-state Kalman filter on the sensor-frame bias b (rad/s, constant model
 * with slow forgetting) and two kinds of measurement:
 *
 * - at rest, the low-passed raw gyroscope measures b directly (H = I);
 * - in motion, the inclination correction measures the horizontal part of R·b. A bias error δb makes the
 *   strapdown frame drift at the earth-frame rate R·δb, and the accelerometer correction undoes exactly that
 *   drift, so the correction's horizontal rate is −(R·δb)_xy. The correction comes from the low-passed
 *   acceleration, so it is compared with low-passed R and R·b̂ (same filter) rather than their current values.
 *   The vertical part is unobservable from gravity; a weak pseudo-measurement (R·b)_z = 0 keeps it bounded.
 *
 * Measurement noises are chosen so that the steady-state std equals biasSigmaMotion / biasSigmaRest: for a
 * scalar filter with process noise V per step, a steady posterior variance p needs W = p²/V + p.
 */
export class GyroBiasEstimator {
  /** Bias estimate, rad/s, sensor frame. */
  readonly bias = new Float64Array(3);
  /** Covariance, row-major 3×3, (rad/s)². */
  private readonly p = new Float64Array(9);
  private readonly clip: number;
  private readonly p0: number;
  private readonly pMotion: number;
  private readonly pRest: number;
  private readonly verticalFactor: number;
  private readonly forgettingTime: number;
  private processNoise = 0;
  private motionNoise = 0;
  private verticalNoise = 0;
  private restNoise = 0;
  // Scratch for the update: allocated once.
  private readonly h = new Float64Array(9);
  private readonly e = new Float64Array(3);
  private readonly pht = new Float64Array(9);
  private readonly s = new Float64Array(9);
  private readonly sInv = new Float64Array(9);
  private readonly k = new Float64Array(9);
  private readonly hp = new Float64Array(9);

  constructor(params: OrientationParams) {
    this.clip = params.biasClip * DEG;
    this.p0 = (params.biasSigmaInit * DEG) ** 2;
    this.pMotion = (params.biasSigmaMotion * DEG) ** 2;
    this.pRest = (params.biasSigmaRest * DEG) ** 2;
    this.verticalFactor = params.biasVerticalForgettingFactor;
    this.forgettingTime = params.biasForgettingTime;
    this.reset();
  }

  /** Noise coefficients for one step of length ts (s). */
  setSamplePeriod(ts: number): void {
    this.processNoise = (FORGETTING_STD * FORGETTING_STD * ts) / this.forgettingTime;
    this.motionNoise = (this.pMotion * this.pMotion) / this.processNoise + this.pMotion;
    this.verticalNoise = this.motionNoise / this.verticalFactor;
    this.restNoise = (this.pRest * this.pRest) / this.processNoise + this.pRest;
  }

  reset(): void {
    this.bias.fill(0);
    this.p.fill(0);
    this.p[0] = this.p0;
    this.p[4] = this.p0;
    this.p[8] = this.p0;
  }

  /** Standard deviation of the estimate per axis, rad/s (diagonal of the covariance). */
  sigma(axis: 0 | 1 | 2): number {
    return Math.sqrt(this.p[4 * axis]);
  }

  /** Time update of one step: the uncertainty grows (up to the initial one) so old evidence is forgotten. */
  predict(): void {
    for (let i = 0; i < 9; i += 4) {
      if (this.p[i] < this.p0) this.p[i] += this.processNoise;
    }
  }

  /** Rest measurement: `gyrLp` is the low-passed raw gyroscope, rad/s. */
  updateAtRest(gyrLp: Float64Array): void {
    const h = this.h;
    h.fill(0);
    h[0] = 1;
    h[4] = 1;
    h[8] = 1;
    this.e[0] = gyrLp[0] - this.bias[0];
    this.e[1] = gyrLp[1] - this.bias[1];
    this.e[2] = gyrLp[2] - this.bias[2];
    this.correct(this.restNoise, this.restNoise, this.restNoise);
  }

  /**
   * Motion measurement. `rLp`: low-passed sensor-to-earth rotation matrix (row-major); `rbLp`: low-passed
   * horizontal part of R·b̂; (cx, cy): horizontal rotation vector of this step's inclination correction, rad;
   * `ts`: the step length it corresponds to, s.
   */
  updateInMotion(rLp: Float64Array, rbLp: Float64Array, cx: number, cy: number, ts: number): void {
    const b = this.bias;
    this.h.set(rLp);
    const rb0 = rLp[0] * b[0] + rLp[1] * b[1] + rLp[2] * b[2];
    const rb1 = rLp[3] * b[0] + rLp[4] * b[1] + rLp[5] * b[2];
    const rb2 = rLp[6] * b[0] + rLp[7] * b[1] + rLp[8] * b[2];
    this.e[0] = -cx / ts + rbLp[0] - rb0;
    this.e[1] = -cy / ts + rbLp[1] - rb1;
    this.e[2] = -rb2;
    this.correct(this.motionNoise, this.motionNoise, this.verticalNoise);
  }

  /** Kalman measurement update with H = this.h, innovation this.e, diagonal measurement noise (w0, w1, w2). */
  private correct(w0: number, w1: number, w2: number): void {
    const { h, e, p, pht, s, sInv, k, hp, bias } = this;
    const clip = this.clip;
    for (let i = 0; i < 3; i++) e[i] = Math.min(clip, Math.max(-clip, e[i]));

    // pht = P Hᵀ; s = H P Hᵀ + W
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        pht[3 * r + c] = p[3 * r] * h[3 * c] + p[3 * r + 1] * h[3 * c + 1] + p[3 * r + 2] * h[3 * c + 2];
      }
    }
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        s[3 * r + c] = h[3 * r] * pht[c] + h[3 * r + 1] * pht[3 + c] + h[3 * r + 2] * pht[6 + c];
      }
    }
    s[0] += w0;
    s[4] += w1;
    s[8] += w2;
    if (!invert3(s, sInv)) return;

    // K = P Hᵀ S⁻¹; b += K e; P -= K (H P)
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        k[3 * r + c] = pht[3 * r] * sInv[c] + pht[3 * r + 1] * sInv[3 + c] + pht[3 * r + 2] * sInv[6 + c];
      }
    }
    for (let r = 0; r < 3; r++) {
      bias[r] += k[3 * r] * e[0] + k[3 * r + 1] * e[1] + k[3 * r + 2] * e[2];
      bias[r] = Math.min(clip, Math.max(-clip, bias[r]));
    }
    // H P = (P Hᵀ)ᵀ since P is symmetric.
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) hp[3 * r + c] = pht[3 * c + r];
    }
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 3; c++) {
        p[3 * r + c] -= k[3 * r] * hp[c] + k[3 * r + 1] * hp[3 + c] + k[3 * r + 2] * hp[6 + c];
      }
    }
    // Keep P exactly symmetric against rounding.
    for (let r = 0; r < 3; r++) {
      for (let c = r + 1; c < 3; c++) {
        const m = 0.5 * (p[3 * r + c] + p[3 * c + r]);
        p[3 * r + c] = m;
        p[3 * c + r] = m;
      }
    }
  }
}

/** Inverse of a row-major 3×3 matrix by the adjugate; false (out untouched) if it is singular. */
function invert3(m: Float64Array, out: Float64Array): boolean {
  const a = m[0], b = m[1], c = m[2];
  const d = m[3], e = m[4], f = m[5];
  const g = m[6], h = m[7], i = m[8];
  const c00 = e * i - f * h;
  const c01 = f * g - d * i;
  const c02 = d * h - e * g;
  const det = a * c00 + b * c01 + c * c02;
  if (!(Math.abs(det) > 0) || !Number.isFinite(det)) return false;
  const inv = 1 / det;
  out[0] = c00 * inv;
  out[1] = (c * h - b * i) * inv;
  out[2] = (b * f - c * e) * inv;
  out[3] = c01 * inv;
  out[4] = (a * i - c * g) * inv;
  out[5] = (c * d - a * f) * inv;
  out[6] = c02 * inv;
  out[7] = (b * g - a * h) * inv;
  out[8] = (a * e - b * d) * inv;
  return true;
}
