import { DEG } from '../../../shared/imu.ts';
import { LowPassFilter } from './lowpass.ts';
import type { OrientationParams } from './params.ts';

/**
 * Rest detection as in VQF: the sensor rests when, for at least restMinT, neither the gyroscope nor the
 * accelerometer deviates from its own low-pass by more than a threshold, and the low-passed rate is small
 * enough to be a bias. The low-passed raw gyroscope at rest is then a direct measurement of the bias.
 *
 * The gyroscope threshold is the paper's 2 °/s or REST_GYRO_NOISE_FACTOR times the gyroscope's own noise rms
 * per axis, whichever is larger, once the sensor's noise is known (setGyroNoiseRms: the stillness detector
 * learns it by minimum statistics, noise-floor.ts; without it the threshold is the paper's). An MPU-6050-class
 * gyroscope (1 °/s rms per axis) deviates from its low-pass by more than 2 °/s in a quarter of its samples, so
 * it never rested for 1.5 s: its bias (up to 2 °/s) was only learned from the motion corrections.
 */
/** The gyroscope threshold is at least this many times the noise rms per axis (χ² with 3 degrees of freedom
 *  beyond 25: about 1 sample in 70 000). */
const REST_GYRO_NOISE_FACTOR = 5;
/** With a raised threshold, the low-passed rate must stay within this range on each axis through a rest, rad/s. */
const REST_LOW_PASS_RANGE = 0.5 * DEG;

export class RestDetector {
  private readonly gyrLpFilter: LowPassFilter;
  private readonly accLpFilter: LowPassFilter;
  /** Low-passed raw gyroscope, rad/s: the bias measurement while resting. */
  readonly gyrLp = new Float64Array(3);
  private readonly accLp = new Float64Array(3);
  private readonly input = new Float64Array(3);
  private readonly thGyrSq: number;
  private readonly thAccSq: number;
  /** Largest plausible bias per axis, rad/s (the estimator clips each axis to it, so a rest may show that much on each). */
  private readonly maxBias: number;
  private readonly minT: number;
  private stillFor = 0;
  /** The gyroscope's noise rms per axis, rad/s (0: unknown), and the threshold it gives. */
  private gyroNoiseRms = 0;
  private thGyrNowSq: number;
  /** Range of the low-passed rate over the rest so far (empty: starts at the next sample). */
  private readonly lpMin = new Float64Array(3);
  private readonly lpMax = new Float64Array(3);
  private lpRangeEmpty = true;
  private resting = false;
  private moving = false;

  constructor(params: OrientationParams) {
    this.gyrLpFilter = new LowPassFilter(3, params.restFilterTau);
    this.accLpFilter = new LowPassFilter(3, params.restFilterTau);
    this.thGyrSq = (params.restThGyr * DEG) ** 2;
    this.thGyrNowSq = this.thGyrSq;
    this.thAccSq = params.restThAcc ** 2;
    this.maxBias = params.biasClip * DEG;
    this.minT = params.restMinT;
  }

  setSamplePeriod(ts: number): void {
    this.gyrLpFilter.setSamplePeriod(ts);
    this.accLpFilter.setSamplePeriod(ts);
  }

  reset(): void {
    this.gyrLpFilter.reset();
    this.accLpFilter.reset();
    this.gyrLp.fill(0);
    this.accLp.fill(0);
    this.stillFor = 0;
    this.resting = false;
    this.moving = false;
    this.lpRangeEmpty = true;
  }

  /**
   * With the threshold raised for a noisy gyroscope, a slow sway (a few °/s at under 1 Hz) deviates from the
   * low-pass by less than it, but moves the low-pass itself, which at rest is the bias measurement: the rest must
   * then also keep the low-passed rate within REST_LOW_PASS_RANGE on every axis. (Not with the paper's threshold:
   * the filter stays VQF's for a good gyroscope.)
   */
  private lowPassWandered(g: Float64Array): boolean {
    if (!(this.thGyrNowSq > this.thGyrSq)) return false;
    if (this.lpRangeEmpty) {
      this.lpRangeEmpty = false;
      this.lpMin.set(g);
      this.lpMax.set(g);
      return false;
    }
    for (let i = 0; i < 3; i++) {
      this.lpMin[i] = Math.min(this.lpMin[i], g[i]);
      this.lpMax[i] = Math.max(this.lpMax[i], g[i]);
      if (this.lpMax[i] - this.lpMin[i] > REST_LOW_PASS_RANGE) return true;
    }
    return false;
  }

  /** The gyroscope's white-noise rms per axis, rad/s, as learned elsewhere (0 or less: unknown). */
  setGyroNoiseRms(rms: number): void {
    if (rms === this.gyroNoiseRms || !Number.isFinite(rms)) return;
    this.gyroNoiseRms = rms;
    this.thGyrNowSq = Math.max(this.thGyrSq, rms > 0 ? (REST_GYRO_NOISE_FACTOR * rms) ** 2 : 0);
  }

  isResting(): boolean {
    return this.resting;
  }

  /** Whether this sample deviated from the low-passes by more than the thresholds (clear motion). */
  isMoving(): boolean {
    return this.moving;
  }

  /** Feeds one raw sample (rad/s, m/s²); `dt` is the time since the previous sample, 0 for the first. */
  update(dt: number, ax: number, ay: number, az: number, gx: number, gy: number, gz: number): void {
    const v = this.input;
    v[0] = gx;
    v[1] = gy;
    v[2] = gz;
    this.gyrLpFilter.step(v, this.gyrLp, dt);
    const g = this.gyrLp;
    const gyrDevSq = (gx - g[0]) ** 2 + (gy - g[1]) ** 2 + (gz - g[2]) ** 2;
    const gyrLpMax = Math.max(Math.abs(g[0]), Math.abs(g[1]), Math.abs(g[2]));

    v[0] = ax;
    v[1] = ay;
    v[2] = az;
    this.accLpFilter.step(v, this.accLp, dt);
    const a = this.accLp;
    const accDevSq = (ax - a[0]) ** 2 + (ay - a[1]) ** 2 + (az - a[2]) ** 2;

    this.moving = gyrDevSq >= this.thGyrNowSq || accDevSq >= this.thAccSq;
    if (this.moving || gyrLpMax > this.maxBias || this.lowPassWandered(g)) {
      this.stillFor = 0;
      this.resting = false;
      this.lpRangeEmpty = true;
      return;
    }
    this.stillFor += dt;
    this.resting = this.stillFor >= this.minT;
  }
}
