/**
 * Is this sensor still right now? Every sample of the last `windowS` seconds must turn slower than
 * `maxGyroRadS` (after removing the orientation filter's gyroscope-bias estimate) and read a specific force
 * within `maxAccDeviation` of gravity. It marks the moments of zero velocity (standing between reps, a pause
 * at the bottom) for the depth integration, so a false "still" in the middle of a slow descent would be
 * costly: the window is long enough (0.4 s) that a squat's smooth acceleration and pelvic rotation cannot both
 * stay under the thresholds that long. O(1) per sample: it only remembers when the last moving sample was.
 */
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

/** Time constant of the gravity-magnitude estimate, which absorbs the accelerometer's scale error, s. */
const GRAVITY_TAU_S = 2;
/** How long the gyroscope must stay quiet, with |f| steady, before gravity may be re-seeded, s. */
const RESEED_S = 2;
/** A gap between samples longer than this, s, is not taken as quiet. */
const MAX_QUIET_GAP_S = 0.1;
/** Room for a window's worth of samples at the highest output rate (400 Hz). */
const HISTORY = 256;

export class StillnessDetector {
  private lastMovingT = -Infinity;
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
  // Recent |f| and t: gravity is learned from the oldest sample of a still window — one with quiet on both
  // sides — because the first instants of a smooth movement stay under the thresholds for a moment.
  private readonly normHistory = new Float64Array(HISTORY);
  private readonly timeHistory = new Float64Array(HISTORY);
  private head = 0;
  /** Index of the oldest sample inside the window (only moves forward: O(1) per sample). */
  private tail = 0;

  constructor(private readonly params: StillnessParams = DEFAULT_STILLNESS) {}

  /** Feeds one sample: time, |specific force| (m/s²), |bias-corrected angular rate| (rad/s). */
  update(t: number, accNorm: number, gyroNorm: number): boolean {
    if (this.firstT === null) {
      this.firstT = t;
      this.gravity = accNorm;
      this.gyroQuietSince = t;
    }
    const dt = Math.max(0, t - this.lastT);
    this.lastT = t;
    // Nothing is known about a gap (lost packets): count it as movement, so rest needs a full quiet window after.
    if (dt > MAX_QUIET_GAP_S) this.lastMovingT = t;
    // Gravity starts as the first sample's |f| (it absorbs the accelerometer's scale error); but a recording or
    // a connection may begin mid-movement, and a wrong start would never let the sensor look still. So when
    // the gyroscope has been quiet for RESEED_S and |f| stayed steady (static, not a slow movement) yet keeps
    // disagreeing with gravity, gravity is re-seeded from it.
    if (gyroNorm > this.params.maxGyroRadS) {
      this.gyroQuietSince = t;
      this.quietNormSum = 0;
      this.quietNormCount = 0;
      this.quietNormMin = Infinity;
      this.quietNormMax = -Infinity;
    } else {
      const min = Math.min(this.quietNormMin, accNorm);
      const max = Math.max(this.quietNormMax, accNorm);
      if (max - min > 2 * this.params.maxAccDeviation) {
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
        if (t - this.gyroQuietSince >= RESEED_S && Math.abs(mean - this.gravity) > this.params.maxAccDeviation) this.gravity = mean;
      }
    }
    if (gyroNorm > this.params.maxGyroRadS || Math.abs(accNorm - this.gravity) > this.params.maxAccDeviation) {
      this.lastMovingT = t;
    }
    this.stillNow = t - Math.max(this.lastMovingT, this.firstT) >= this.params.windowS;
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

  get still(): boolean {
    return this.stillNow;
  }

  /** The specific-force magnitude this sensor reads at rest (gravity as its accelerometer sees it), m/s². */
  get gravityMagnitude(): number {
    return this.gravity;
  }
}
