/**
 * One worn sensor inside the pipeline: its orientation filter and its latest skin inclination, which the
 * other sensor's samples can read at their own time (the two sensors sample at different instants).
 */
import type { ImuSample, SensorInfo } from '../../shared/imu.ts';
import type { GyroBias } from '../../shared/recording/index.ts';
import { RAD } from '../../shared/imu.ts';
import { OrientationFilter } from './orientation/index.ts';
import { skinInclinationDeg } from './inclination.ts';
import { StillnessDetector } from './stillness.ts';
import { FlexionAxisEstimator } from './flexion-axis.ts';
import { FaceEstimator } from './face-estimator.ts';

/** How far the inclination may be extrapolated past this sensor's last sample, s. */
const MAX_EXTRAPOLATION_S = 0.05;

export class SensorChannel {
  readonly filter = new OrientationFilter();
  readonly q = new Float64Array([1, 0, 0, 0]);
  readonly stillness = new StillnessDetector();
  readonly flexionAxis = new FlexionAxisEstimator();
  /** Face out or in; every inclination this channel gives is raw (as the sensor's own z axis sees it). */
  readonly face: FaceEstimator;
  private readonly bias = new Float64Array(3);
  private t = Number.NaN;
  private theta = Number.NaN;
  private prevT = Number.NaN;
  private prevTheta = Number.NaN;
  /** (theta − prevTheta) / (t − prevT), computed once per sample: it is read several times per sample. */
  private rateDegS = Number.NaN;
  /** |angular rate| with the bias removed, rad/s, of the latest sample and of the one before. */
  private rateNorm = Number.NaN;
  private prevRateNorm = Number.NaN;
  /** The latest accelerometer z reading (the rest inclination is computed from it only when asked). */
  private az = Number.NaN;
  private norm = Number.NaN;
  /** Started from a recording's bias estimate. */
  private readonly seeded: boolean;

  /** `gyroBias`: an earlier estimate of this sensor's gyroscope bias to start from (see OrientationFilter). */
  constructor(readonly info: SensorInfo, gyroBias?: GyroBias) {
    this.face = new FaceEstimator(info.face ?? null);
    if (gyroBias) this.filter.seedGyroBias(gyroBias);
    this.seeded = gyroBias !== undefined;
  }

  /**
   * The orientation filter's current gyroscope bias estimate; null while it knows nothing yet (no sample and no
   * head start): a recording beginning then needs no `# gyro_bias:` line, a fresh filter is the same.
   */
  gyroBias(): GyroBias | null {
    return Number.isNaN(this.t) && !this.seeded ? null : this.filter.gyroBiasEstimate();
  }

  /** Feeds a sample of this sensor; false when it was ignored (time not increasing). */
  update(s: ImuSample): boolean {
    if (!(s.t > this.t) && !Number.isNaN(this.t)) return false;
    this.filter.update(s.t, s.ax, s.ay, s.az, s.gx, s.gy, s.gz);
    this.filter.quaternion(this.q);
    this.filter.gyroBias(this.bias);
    const gx = s.gx - this.bias[0];
    const gy = s.gy - this.bias[1];
    const gz = s.gz - this.bias[2];
    const norm = Math.sqrt(s.ax * s.ax + s.ay * s.ay + s.az * s.az);
    this.norm = norm;
    this.prevRateNorm = this.rateNorm;
    this.rateNorm = Math.sqrt(gx * gx + gy * gy + gz * gz);
    this.stillness.update(s.t, norm, this.rateNorm);
    // The filter's rest detection tolerates the noise the stillness detector has learned (a cheap gyroscope).
    this.filter.setGyroNoiseRms(this.stillness.gyroNoiseRms);
    this.prevT = this.t;
    this.prevTheta = this.theta;
    this.t = s.t;
    this.theta = skinInclinationDeg(this.q);
    this.rateDegS = (this.theta - this.prevTheta) / (this.t - this.prevT);
    if (!this.stillness.still && !Number.isNaN(this.prevTheta)) {
      this.flexionAxis.update(gx, gy, this.inclinationRateDegS);
    }
    this.az = s.az;
    return true;
  }

  /** |specific force| of the latest sample, m/s². */
  get accNorm(): number {
    return this.norm;
  }

  /** Rate of the raw inclination over the last step, deg/s (NaN before two samples). */
  get inclinationRateDegS(): number {
    return this.rateDegS;
  }

  /** The larger angular rate (bias removed) of the last two samples, rad/s (NaN before two samples). */
  get recentRateNorm(): number {
    return Math.max(this.rateNorm, this.prevRateNorm);
  }

  /** Time step of the last sample, s (NaN on the first). */
  get lastStepS(): number {
    return this.t - this.prevT;
  }

  /**
   * Latest skin inclination, degrees (NaN before the first sample), as the sensor's own z axis gives it: for
   * a sensor worn face in it has the opposite sign of the contract's θ (multiply by `face.sign`).
   */
  get inclinationDeg(): number {
    return this.theta;
  }

  /**
   * Skin inclination from this sample's accelerometer alone, asin(a_z/|a|), degrees: the contract's definition
   * at rest, and more accurate there than the filter, which may still carry a few seconds of gyroscope-bias
   * drift early in a recording. Meaningless while moving.
   */
  get restInclinationDeg(): number {
    const norm = this.norm;
    return norm > 0 ? Math.asin(Math.max(-1, Math.min(1, this.az / norm))) * RAD : Number.NaN;
  }

  /** Skin inclination at time t, linearly extrapolated from the last two samples (up to 50 ms), degrees. */
  inclinationAt(t: number): number {
    if (Number.isNaN(this.prevT)) return this.theta;
    const ahead = Math.min(t - this.t, MAX_EXTRAPOLATION_S);
    if (ahead <= 0) return this.theta;
    return this.theta + this.rateDegS * ahead;
  }
}
