/**
 * Is this sensor still right now? Every sample of the last `windowS` seconds must turn slower than
 * `maxGyroRadS` (after removing the orientation filter's gyroscope-bias estimate) and read a specific force
 * within `maxAccDeviation` of gravity. Those thresholds hold for a good IMU; a noisier one raises them to a
 * few times its own noise floor, learned as it runs (noise-floor.ts), up to a cap that still tells a slow
 * squat from rest. It marks the moments of zero velocity (standing between reps, a pause
 * at the bottom) for the depth integration, so a false "still" in the middle of a slow descent would be
 * costly: the window is long enough (0.4 s) that a squat's smooth acceleration and pelvic rotation cannot both
 * stay under the thresholds that long. O(1) per sample: it only remembers when the last moving sample was.
 */
import { NoiseFloor } from './noise-floor.ts';

export interface StillnessParams {
  readonly windowS: number;
  readonly maxGyroRadS: number;
  readonly maxAccDeviation: number;
}

export const DEFAULT_STILLNESS: StillnessParams = Object.freeze({
  windowS: 0.4,
  // 0.06 rad/s ≈ 3.4°/s: above an uncorrected gyroscope bias (≤ 2°/s) plus noise, below the pelvic rotation of
  // even a slow squat. Quiet-standing sway and breathing are ~0.3°/s.
  maxGyroRadS: 0.06,
  maxAccDeviation: 0.15,
});

/**
 * Noise-adaptive thresholds: this many rms of the sensor's noise. |f| noise is about normal (4.5 σ: a sample in
 * ~150 000 beyond it); the angular-rate norm of three axes' noise is chi-distributed (5.5 σ per axis: ~1 in 10⁶).
 */
const ACC_NOISE_SIGMAS = 4.5;
const GYRO_NOISE_SIGMAS = 5.5;
/** A standing lifter's sway peaks at about this many times its rms. */
const SWAY_FACTOR = 2;
/** For axis noise σ, consecutive norms of a still gyroscope differ by about this many σ rms /√2 (chi, 3 dof). */
const GYRO_NORM_SPREAD = 0.674;
/** The adaptive thresholds never exceed these (0.1 m/s², 1 °/s rms noise need about that; a squat moves more). */
const MAX_ACC_DEVIATION = 0.5;
const MAX_GYRO_RAD_S = 0.11;
/** Time constant of the gravity-magnitude estimate, which absorbs the accelerometer's scale error, s. */
const GRAVITY_TAU_S = 2;
/** How long the gyroscope must stay quiet, with |f| steady, before gravity may be re-seeded, s. */
const RESEED_S = 2;
/** Until the sensor has been still once, a quiet, steady stretch this long re-seeds gravity, s. */
const RESEED_BEFORE_FIRST_REST_S = 1;
const STANDARD_GRAVITY = 9.80665;
/** A first sample further than this from the standard gravity was taken in a movement, m/s². */
const MAX_FIRST_SAMPLE_DEVIATION = 0.3;
/** A gap between samples longer than this, s, is not taken as quiet. */
const MAX_QUIET_GAP_S = 0.1;
/** A gap up to this long, s, between quiet samples leaves `quietAcrossShortGaps` true (see there). */
export const SHORT_GAP_S = 0.25;
/** Room for a window's worth of samples at the highest output rate (400 Hz). */
const HISTORY = 256;

export class StillnessDetector {
  private lastMovingT = -Infinity;
  /** The last moving sample or gap longer than SHORT_GAP_S (shorter gaps do not count here). */
  private lastMovingOrLongGapT = -Infinity;
  private quietAcrossShortGapsNow = false;
  /** Since the gyroscope last turned fast: when, and the sum and count of |f| (to re-seed gravity). */
  private gyroQuietSince = -Infinity;
  private quietNormSum = 0;
  private quietNormCount = 0;
  private quietNormMin = Infinity;
  private quietNormMax = -Infinity;
  private firstT: number | null = null;
  private lastT = 0;
  private gravity = Number.NaN;
  private stillNow = false;
  private everStill = false;
  // Recent |f| and t: gravity is learned from the oldest sample of a still window — one with quiet on both
  // sides — because the first instants of a smooth movement stay under the thresholds for a moment.
  private readonly normHistory = new Float64Array(HISTORY);
  private readonly timeHistory = new Float64Array(HISTORY);
  private head = 0;
  /** Index of the oldest sample inside the window (only moves forward: O(1) per sample). */
  private tail = 0;
  private readonly accFloor = new NoiseFloor();
  /** The gyroscope's noise, and the angular rate of the quietest moments (a lifter's standing sway). */
  private readonly gyroFloor = new NoiseFloor();
  private maxGyro: number;
  private maxAccDeviation: number;
  /** The thresholds are computed from the noise floors as they are now (false until the first sample). */
  private thresholdsCurrent = false;

  constructor(readonly params: StillnessParams = DEFAULT_STILLNESS) {
    this.maxGyro = params.maxGyroRadS;
    this.maxAccDeviation = params.maxAccDeviation;
  }

  /** Feeds one sample: time, |specific force| (m/s²), |bias-corrected angular rate| (rad/s). */
  update(t: number, accNorm: number, gyroNorm: number): boolean {
    if (this.firstT === null) {
      this.firstT = t;
      // The first sample's |f| absorbs the accelerometer's scale error when the lifter stands; taken mid-movement
      // (a recording or connection that starts inside a rep) it can be off by a metre per second squared, and
      // the standard gravity is the better start.
      this.gravity = Math.abs(accNorm - STANDARD_GRAVITY) <= MAX_FIRST_SAMPLE_DEVIATION ? accNorm : STANDARD_GRAVITY;
      this.gyroQuietSince = t;
    }
    const dt = Math.max(0, t - this.lastT);
    this.lastT = t;
    this.adaptThresholds(t, accNorm, gyroNorm);
    // Nothing is known about a gap (lost packets): count it as movement, so rest needs a full quiet window after.
    if (dt > MAX_QUIET_GAP_S) this.lastMovingT = t;
    if (dt > SHORT_GAP_S) this.lastMovingOrLongGapT = t;
    // Gravity may start wrong (a scale error beyond the first-sample check, or the standard value for a sensor
    // that reads otherwise), and a wrong start would never let the sensor look still. So when the gyroscope has
    // been quiet for RESEED_S (RESEED_BEFORE_FIRST_REST_S until the first rest) and |f| stayed steady (static,
    // not a slow movement) yet keeps disagreeing with gravity, gravity is re-seeded from it.
    if (gyroNorm > this.maxGyro) {
      this.gyroQuietSince = t;
      this.quietNormSum = 0;
      this.quietNormCount = 0;
      this.quietNormMin = Infinity;
      this.quietNormMax = -Infinity;
    } else {
      const min = Math.min(this.quietNormMin, accNorm);
      const max = Math.max(this.quietNormMax, accNorm);
      if (max - min > 2 * this.maxAccDeviation) {
        // |f| moved: a (slow) movement, not rest. The steady stretch starts again here.
        this.gyroQuietSince = t;
        this.quietNormSum = accNorm;
        this.quietNormCount = 1;
        this.quietNormMin = accNorm;
        this.quietNormMax = accNorm;
      } else {
        this.quietNormSum += accNorm;
        this.quietNormCount++;
        this.quietNormMin = min;
        this.quietNormMax = max;
        const mean = this.quietNormSum / this.quietNormCount;
        const reseedAfter = this.everStill ? RESEED_S : RESEED_BEFORE_FIRST_REST_S;
        // Half the threshold already: an offset that large leaves the noise too little room to ever pass.
        if (t - this.gyroQuietSince >= reseedAfter && Math.abs(mean - this.gravity) > 0.5 * this.maxAccDeviation) this.gravity = mean;
      }
    }
    if (gyroNorm > this.maxGyro || Math.abs(accNorm - this.gravity) > this.maxAccDeviation) {
      this.lastMovingT = t;
      this.lastMovingOrLongGapT = t;
    }
    this.stillNow = t - Math.max(this.lastMovingT, this.firstT) >= this.params.windowS;
    this.quietAcrossShortGapsNow = t - Math.max(this.lastMovingOrLongGapT, this.firstT) >= this.params.windowS;
    if (this.stillNow) this.everStill = true;
    this.normHistory[this.head % HISTORY] = accNorm;
    this.timeHistory[this.head % HISTORY] = t;
    this.head++;
    while (this.tail < this.head - 1 && (t - this.timeHistory[this.tail % HISTORY] > this.params.windowS || this.tail <= this.head - HISTORY)) {
      this.tail++;
    }
    if (this.stillNow) {
      this.gravity += Math.min(1, dt / GRAVITY_TAU_S) * (this.normHistory[this.tail % HISTORY] - this.gravity);
    }
    return this.stillNow;
  }

  private adaptThresholds(t: number, accNorm: number, gyroNorm: number): void {
    // Both floors take every sample; the thresholds follow them only when one of them moved (twice a second).
    const accChanged = this.accFloor.update(t, accNorm);
    const gyroChanged = this.gyroFloor.update(t, gyroNorm);
    if (this.thresholdsCurrent && !accChanged && !gyroChanged) return;
    this.thresholdsCurrent = true;
    const accSigma = this.accFloor.noiseRms;
    const gyroSigma = this.gyroFloor.noiseRms / GYRO_NORM_SPREAD;
    const swayRms = this.gyroFloor.levelRms;
    this.maxAccDeviation = Math.min(MAX_ACC_DEVIATION, Math.max(this.params.maxAccDeviation, ACC_NOISE_SIGMAS * accSigma));
    this.maxGyro = Math.min(MAX_GYRO_RAD_S, Math.max(this.params.maxGyroRadS, GYRO_NOISE_SIGMAS * gyroSigma, SWAY_FACTOR * swayRms));
  }

  /** Rms of this gyroscope's noise per axis, learned as it runs, rad/s (0 until known). */
  get gyroNoiseRms(): number {
    return this.gyroFloor.noiseRms / GYRO_NORM_SPREAD;
  }

  /** Rms of this accelerometer's |f| noise, learned as it runs, m/s² (0 until known). */
  get accNoiseRms(): number {
    return this.accFloor.noiseRms;
  }

  /** The thresholds in use now (the configured ones, or higher for a noisy sensor): rad/s and m/s². */
  get thresholds(): { readonly maxGyroRadS: number; readonly maxAccDeviation: number } {
    return { maxGyroRadS: this.maxGyro, maxAccDeviation: this.maxAccDeviation };
  }

  get still(): boolean {
    return this.stillNow;
  }

  /**
   * Like `still`, but a gap of lost packets up to SHORT_GAP_S between quiet samples does not break the window:
   * no squat starts and stops inside a quarter of a second, and one that begins inside the gap shows on the
   * samples after it. `still` itself counts every gap over MAX_QUIET_GAP_S as movement (what the rest
   * detection builds on); this is for the live depth's zero-velocity updates (athlete-pipeline.ts).
   */
  get quietAcrossShortGaps(): boolean {
    return this.quietAcrossShortGapsNow;
  }

  /** The specific-force magnitude this sensor reads at rest (gravity as its accelerometer sees it), m/s². */
  get gravityMagnitude(): number {
    return this.gravity;
  }
}
