/**
 * A sensor's own noise floor, learned while it runs, so that stillness (stillness.ts) holds for a cheap,
 * noisy IMU as well as for a research-grade one.
 *
 * White noise dominates the difference between consecutive samples, while a body's smooth movement barely
 * changes from one sample to the next: the rms of those differences over a short window, divided by √2, is
 * the noise's rms. Movement (and a low output rate) inflates it, so the floor is the *smallest* window value
 * over the last half minute — the "minimum statistics" of speech-enhancement noise estimation (R. Martin,
 * 2001): some quiet moment (standing, the bottom of a pause, the top between reps) sets it, and a minimum of
 * noisy estimates is a little low, hence the correction factor.
 *
 * With `differences: false` it is the smallest window rms of the signal itself: how much a standing lifter
 * still sways (the angular rate of the quietest moments), which no sample-to-sample difference shows.
 */

/** Length of one estimate, s. */
const WINDOW_S = 0.5;
/** How many windows the minimum is taken over (30 s). */
const WINDOWS_KEPT = 60;
/** The floor is known once this many windows are done (2 s). */
const MIN_WINDOWS = 4;
/** A window with fewer samples than this gives no estimate (lost packets, a very low rate). */
const MIN_WINDOW_SAMPLES = 10;
/** The minimum of ~60 window estimates of ≥ 10 samples each sits this much below the true rms, roughly. */
const MINIMUM_BIAS = 1.15;
/** A gap between samples longer than this is no consecutive pair, s. */
const MAX_PAIR_GAP_S = 0.1;

export class NoiseFloor {
  private readonly windows = new Float64Array(WINDOWS_KEPT).fill(Number.NaN);
  private windowsDone = 0;
  private sumSq = 0;
  private count = 0;
  private windowStart = Number.NaN;
  private lastT = Number.NaN;
  private lastValue = Number.NaN;
  private floor = 0;

  constructor(private readonly differences = true) {}

  /** Feeds one reading of the signal at time t (s). Returns the floor (rms of the noise; 0 while unknown). */
  update(t: number, value: number): number {
    if (!Number.isFinite(value) || !Number.isFinite(t)) return this.floor;
    if (Number.isNaN(this.windowStart)) this.windowStart = t;
    if (!this.differences) {
      this.sumSq += 2 * value * value;
      this.count++;
    } else if (t - this.lastT > 0 && t - this.lastT <= MAX_PAIR_GAP_S) {
      const d = value - this.lastValue;
      this.sumSq += d * d;
      this.count++;
    }
    this.lastT = t;
    this.lastValue = value;
    if (t - this.windowStart >= WINDOW_S) {
      if (this.count >= MIN_WINDOW_SAMPLES) this.closeWindow(Math.sqrt(this.sumSq / this.count / 2));
      this.sumSq = 0;
      this.count = 0;
      this.windowStart = t;
    }
    return this.floor;
  }

  /** Rms of the signal's noise (0 until the first window is done). */
  get rms(): number {
    return this.floor;
  }

  private closeWindow(rms: number): void {
    this.windows[this.windowsDone % WINDOWS_KEPT] = rms;
    this.windowsDone++;
    let min = Infinity;
    for (const w of this.windows) if (w < min) min = w;
    // One or two windows may both hold a transient (a first sample taken mid-movement): no floor from them.
    this.floor = this.windowsDone >= MIN_WINDOWS ? min * MINIMUM_BIAS : 0;
  }
}
