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
 * The same minimum over the window rms of the signal itself is its level in the quietest moments: how much a
 * standing lifter still sways (the angular rate), which no sample-to-sample difference shows.
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
  private readonly noiseWindows = new Float64Array(WINDOWS_KEPT).fill(Number.NaN);
  private readonly levelWindows = new Float64Array(WINDOWS_KEPT).fill(Number.NaN);
  private windowsDone = 0;
  private sumSqDiff = 0;
  private pairs = 0;
  private sumSq = 0;
  private count = 0;
  private windowStart = Number.NaN;
  private lastT = Number.NaN;
  private lastValue = Number.NaN;
  private noise = 0;
  private level = 0;

  /**
   * Feeds one reading of the signal at time t (s). Returns whether a window closed, the only time noiseRms and
   * levelRms can change (callers that derive values from them recompute only then).
   */
  update(t: number, value: number): boolean {
    if (!Number.isFinite(value) || !Number.isFinite(t)) return false;
    if (Number.isNaN(this.windowStart)) this.windowStart = t;
    this.sumSq += value * value;
    this.count++;
    const dt = t - this.lastT;
    if (dt > 0 && dt <= MAX_PAIR_GAP_S) {
      const d = value - this.lastValue;
      this.sumSqDiff += d * d;
      this.pairs++;
    }
    this.lastT = t;
    this.lastValue = value;
    if (t - this.windowStart < WINDOW_S) return false;
    const closed = this.pairs >= MIN_WINDOW_SAMPLES;
    if (closed) this.closeWindow(Math.sqrt(this.sumSqDiff / this.pairs / 2), Math.sqrt(this.sumSq / this.count));
    this.sumSqDiff = 0;
    this.pairs = 0;
    this.sumSq = 0;
    this.count = 0;
    this.windowStart = t;
    return closed;
  }

  /** Rms of the signal's white noise (0 until known). */
  get noiseRms(): number {
    return this.noise;
  }

  /** Rms of the signal itself in its quietest moments (0 until known). */
  get levelRms(): number {
    return this.level;
  }

  private closeWindow(noiseRms: number, levelRms: number): void {
    const k = this.windowsDone % WINDOWS_KEPT;
    this.noiseWindows[k] = noiseRms;
    this.levelWindows[k] = levelRms;
    this.windowsDone++;
    // One or two windows may both hold a transient (a first sample taken mid-movement): no floor from them.
    if (this.windowsDone < MIN_WINDOWS) return;
    let noise = Infinity;
    let level = Infinity;
    for (let w = 0; w < WINDOWS_KEPT; w++) {
      if (this.noiseWindows[w] < noise) noise = this.noiseWindows[w];
      if (this.levelWindows[w] < level) level = this.levelWindows[w];
    }
    this.noise = noise * MINIMUM_BIAS;
    this.level = level * MINIMUM_BIAS;
  }
}
