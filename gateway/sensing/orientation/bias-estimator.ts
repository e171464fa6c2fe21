import { DEG } from '../../../shared/imu.ts';
import type { OrientationParams } from './params.ts';

/** The rest measurement's H (the bias itself is measured); read only. */
const IDENTITY_3X3 = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);

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
  /** The estimate's covariance, (rad/s)², 3×3 row-major (read and seeded through OrientationFilter). */
  readonly p = new Float64Array(9);
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
  private readonly e = new Float64Array(3);

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
    this.e[0] = gyrLp[0] - this.bias[0];
    this.e[1] = gyrLp[1] - this.bias[1];
    this.e[2] = gyrLp[2] - this.bias[2];
    this.correct(IDENTITY_3X3, this.restNoise, this.restNoise, this.restNoise);
  }

  /**
   * Motion measurement. `rLp`: low-passed sensor-to-earth rotation matrix (row-major); `rbLp`: low-passed
   * horizontal part of R·b̂; (cx, cy): horizontal rotation vector of this step's inclination correction, rad;
   * `ts`: the step length it corresponds to, s.
   */
  updateInMotion(rLp: Float64Array, rbLp: Float64Array, cx: number, cy: number, ts: number): void {
    const b = this.bias;
    const rb0 = rLp[0] * b[0] + rLp[1] * b[1] + rLp[2] * b[2];
    const rb1 = rLp[3] * b[0] + rLp[4] * b[1] + rLp[5] * b[2];
    const rb2 = rLp[6] * b[0] + rLp[7] * b[1] + rLp[8] * b[2];
    this.e[0] = -cx / ts + rbLp[0] - rb0;
    this.e[1] = -cy / ts + rbLp[1] - rb1;
    this.e[2] = -rb2;
    // H is R_lp itself: read in place rather than copied into a scratch matrix first.
    this.correct(rLp, this.motionNoise, this.motionNoise, this.verticalNoise);
  }

  /** Kalman measurement update with H = `h` (row-major 3×3), innovation this.e, diagonal measurement noise (w0, w1, w2). */
  private correct(h: Float64Array, w0: number, w1: number, w2: number): void {
    // Written out in scalars: this runs for every sample of every sensor, and loops over typed-array
    // temporaries cost several times more than the ~150 multiplications themselves.
    const p = this.p;
    const bias = this.bias;
    const clip = this.clip;
    const e0 = Math.min(clip, Math.max(-clip, this.e[0]));
    const e1 = Math.min(clip, Math.max(-clip, this.e[1]));
    const e2 = Math.min(clip, Math.max(-clip, this.e[2]));
    const h0 = h[0], h1 = h[1], h2 = h[2], h3 = h[3], h4 = h[4], h5 = h[5], h6 = h[6], h7 = h[7], h8 = h[8];
    // P is symmetric.
    const p00 = p[0], p01 = p[1], p02 = p[2], p11 = p[4], p12 = p[5], p22 = p[8];

    // A = P Hᵀ (column c is P times row c of H).
    const a00 = p00 * h0 + p01 * h1 + p02 * h2, a01 = p00 * h3 + p01 * h4 + p02 * h5, a02 = p00 * h6 + p01 * h7 + p02 * h8;
    const a10 = p01 * h0 + p11 * h1 + p12 * h2, a11 = p01 * h3 + p11 * h4 + p12 * h5, a12 = p01 * h6 + p11 * h7 + p12 * h8;
    const a20 = p02 * h0 + p12 * h1 + p22 * h2, a21 = p02 * h3 + p12 * h4 + p22 * h5, a22 = p02 * h6 + p12 * h7 + p22 * h8;

    // S = H A + W (symmetric).
    const s00 = h0 * a00 + h1 * a10 + h2 * a20 + w0;
    const s01 = h0 * a01 + h1 * a11 + h2 * a21;
    const s02 = h0 * a02 + h1 * a12 + h2 * a22;
    const s11 = h3 * a01 + h4 * a11 + h5 * a21 + w1;
    const s12 = h3 * a02 + h4 * a12 + h5 * a22;
    const s22 = h6 * a02 + h7 * a12 + h8 * a22 + w2;

    // S⁻¹ by the adjugate (symmetric).
    const c00 = s11 * s22 - s12 * s12;
    const c01 = s02 * s12 - s01 * s22;
    const c02 = s01 * s12 - s02 * s11;
    const det = s00 * c00 + s01 * c01 + s02 * c02;
    if (!(Math.abs(det) > 0) || !Number.isFinite(det)) return;
    const inv = 1 / det;
    const i00 = c00 * inv, i01 = c01 * inv, i02 = c02 * inv;
    const i11 = (s00 * s22 - s02 * s02) * inv;
    const i12 = (s01 * s02 - s00 * s12) * inv;
    const i22 = (s00 * s11 - s01 * s01) * inv;

    // K = A S⁻¹.
    const k00 = a00 * i00 + a01 * i01 + a02 * i02, k01 = a00 * i01 + a01 * i11 + a02 * i12, k02 = a00 * i02 + a01 * i12 + a02 * i22;
    const k10 = a10 * i00 + a11 * i01 + a12 * i02, k11 = a10 * i01 + a11 * i11 + a12 * i12, k12 = a10 * i02 + a11 * i12 + a12 * i22;
    const k20 = a20 * i00 + a21 * i01 + a22 * i02, k21 = a20 * i01 + a21 * i11 + a22 * i12, k22 = a20 * i02 + a21 * i12 + a22 * i22;

    bias[0] = Math.min(clip, Math.max(-clip, bias[0] + k00 * e0 + k01 * e1 + k02 * e2));
    bias[1] = Math.min(clip, Math.max(-clip, bias[1] + k10 * e0 + k11 * e1 + k12 * e2));
    bias[2] = Math.min(clip, Math.max(-clip, bias[2] + k20 * e0 + k21 * e1 + k22 * e2));

    // P −= K Aᵀ (H P = Aᵀ since P is symmetric); the result is symmetric, so compute one triangle.
    const n00 = p00 - (k00 * a00 + k01 * a01 + k02 * a02);
    const n01 = p01 - (k00 * a10 + k01 * a11 + k02 * a12);
    const n02 = p02 - (k00 * a20 + k01 * a21 + k02 * a22);
    const n11 = p11 - (k10 * a10 + k11 * a11 + k12 * a12);
    const n12 = p12 - (k10 * a20 + k11 * a21 + k12 * a22);
    const n22 = p22 - (k20 * a20 + k21 * a21 + k22 * a22);
    p[0] = n00;
    p[1] = n01;
    p[2] = n02;
    p[3] = n01;
    p[4] = n11;
    p[5] = n12;
    p[6] = n02;
    p[7] = n12;
    p[8] = n22;
  }
}
