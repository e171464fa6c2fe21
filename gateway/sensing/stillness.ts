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
/** A gap between samples longer than this, s, is not taken as quiet. */
const MAX_QUIET_GAP_S = 0.1;
/** Room for a window's worth of samples at the highest output rate (400 Hz). */
const HISTORY = 256;

export class StillnessDetector {
  private lastMovingT = -Infinity;
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
    }
    const dt = Math.max(0, t - this.lastT);
    this.lastT = t;
    // Nothing is known about a gap (lost packets): count it as movement, so rest needs a full quiet window after.
    if (dt > MAX_QUIET_GAP_S) this.lastMovingT = t;
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
