/**
 * MEMS IMU error model applied to ideal specific force and angular rate, per sample in time order:
 * measured = (I + scale + cross-axis) · ideal + bias(t) + white noise, where the bias is a constant turn-on
 * offset plus a random walk. Quantisation and clock errors belong to the firmware layer, not here.
 */
import { DEG } from '../../shared/imu.ts';
import type { Rng } from '../../shared/rng.ts';

export interface ImuErrorParams {
  /** Output data rate the noise densities are integrated over: white-noise sd = density · √rate. */
  readonly rateHz: number;
  /** Accelerometer white-noise density, m/s²/√Hz (1.4e-3 ≈ 145 µg/√Hz → 0.02 m/s² rms at 200 Hz). */
  readonly accelNoiseDensity: number;
  /** Gyroscope white-noise density, rad/s/√Hz (2.5e-4 → 0.0035 rad/s rms at 200 Hz). */
  readonly gyroNoiseDensity: number;
  /** Turn-on bias sd per axis (clamped at ±2 sd): m/s² and rad/s. */
  readonly accelBiasSd: number;
  readonly gyroBiasSd: number;
  /** Bias random walk: sd growth per √s, m/s²/√s and rad/s/√s. */
  readonly accelBiasWalk: number;
  readonly gyroBiasWalk: number;
  /** Scale-factor error sd per axis (fraction, clamped at ±2 sd). */
  readonly scaleErrorSd: number;
  /** Cross-axis coupling (axis non-orthogonality) sd per off-diagonal term, rad (clamped at ±2 sd). */
  readonly crossAxisSd: number;
  /**
   * Draw turn-on biases and scale errors uniformly within ±2 sd instead of a clamped Gaussian (default false):
   * randomised sets use it so that "bias up to ±b" really reaches its bound as often as small values.
   */
  readonly uniformErrors?: boolean;
}

/** Typical consumer MEMS IMU at 200 Hz. */
export const DEFAULT_IMU_ERRORS: ImuErrorParams = {
  rateHz: 200,
  accelNoiseDensity: 1.4e-3,
  gyroNoiseDensity: 2.5e-4,
  accelBiasSd: 0.1,
  gyroBiasSd: 1 * DEG,
  accelBiasWalk: 1e-4,
  gyroBiasWalk: 2e-5,
  scaleErrorSd: 0.005,
  crossAxisSd: 0.2 * DEG,
};

/** A perfect sensor (every error off). */
export const IDEAL_IMU_ERRORS: ImuErrorParams = {
  rateHz: 200,
  accelNoiseDensity: 0,
  gyroNoiseDensity: 0,
  accelBiasSd: 0,
  gyroBiasSd: 0,
  accelBiasWalk: 0,
  gyroBiasWalk: 0,
  scaleErrorSd: 0,
  crossAxisSd: 0,
};

function clamped(rng: Rng, sd: number): number {
  return Math.max(-2 * sd, Math.min(2 * sd, sd * rng.gaussian()));
}

function uniformWithin(rng: Rng, sd: number): number {
  return rng.uniform(-2 * sd, 2 * sd);
}

export class ImuErrorModel {
  /** Current biases [ax, ay, az, gx, gy, gz] (turn-on offset plus the random walk so far). */
  readonly bias = new Float64Array(6);
  /** Row-major 3×3 gain matrices (I + scale + cross-axis) of the accelerometer and the gyroscope. */
  readonly accelGain = new Float64Array(9);
  readonly gyroGain = new Float64Array(9);
  private readonly accelSigma: number;
  private readonly gyroSigma: number;
  private lastT = Number.NEGATIVE_INFINITY;

  constructor(
    readonly params: ImuErrorParams,
    private readonly rng: Rng,
  ) {
    this.accelSigma = params.accelNoiseDensity * Math.sqrt(params.rateHz);
    this.gyroSigma = params.gyroNoiseDensity * Math.sqrt(params.rateHz);
    const draw = params.uniformErrors === true ? uniformWithin : clamped;
    for (let i = 0; i < 3; i++) this.bias[i] = draw(rng, params.accelBiasSd);
    for (let i = 3; i < 6; i++) this.bias[i] = draw(rng, params.gyroBiasSd);
    for (const gain of [this.accelGain, this.gyroGain]) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          gain[3 * i + j] = i === j ? 1 + draw(rng, params.scaleErrorSd) : clamped(rng, params.crossAxisSd);
        }
      }
    }
  }

  /**
   * Measured sample at true time t from ideal [ax, ay, az, gx, gy, gz] into out (may alias ideal).
   * Calls must come in strictly increasing t: the bias walk advances by the elapsed time.
   */
  apply(t: number, ideal: ArrayLike<number>, out: Float64Array): Float64Array {
    if (!(t > this.lastT)) throw new RangeError(`IMU samples must be requested in increasing time (${t} after ${this.lastT})`);
    const p = this.params;
    const rng = this.rng;
    if (Number.isFinite(this.lastT)) {
      const root = Math.sqrt(t - this.lastT);
      if (p.accelBiasWalk > 0) for (let i = 0; i < 3; i++) this.bias[i] += p.accelBiasWalk * root * rng.gaussian();
      if (p.gyroBiasWalk > 0) for (let i = 3; i < 6; i++) this.bias[i] += p.gyroBiasWalk * root * rng.gaussian();
    }
    this.lastT = t;
    const ax = ideal[0], ay = ideal[1], az = ideal[2];
    const gx = ideal[3], gy = ideal[4], gz = ideal[5];
    const A = this.accelGain;
    const G = this.gyroGain;
    const an = this.accelSigma;
    const gn = this.gyroSigma;
    out[0] = A[0] * ax + A[1] * ay + A[2] * az + this.bias[0] + (an > 0 ? an * rng.gaussian() : 0);
    out[1] = A[3] * ax + A[4] * ay + A[5] * az + this.bias[1] + (an > 0 ? an * rng.gaussian() : 0);
    out[2] = A[6] * ax + A[7] * ay + A[8] * az + this.bias[2] + (an > 0 ? an * rng.gaussian() : 0);
    out[3] = G[0] * gx + G[1] * gy + G[2] * gz + this.bias[3] + (gn > 0 ? gn * rng.gaussian() : 0);
    out[4] = G[3] * gx + G[4] * gy + G[5] * gz + this.bias[4] + (gn > 0 ? gn * rng.gaussian() : 0);
    out[5] = G[6] * gx + G[7] * gy + G[8] * gz + this.bias[5] + (gn > 0 ? gn * rng.gaussian() : 0);
    return out;
  }
}
