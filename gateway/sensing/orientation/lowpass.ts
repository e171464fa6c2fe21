/**
 * Second-order Butterworth low-pass filter over several channels, as VQF uses it (Laidig & Seel 2023, §3):
 * parametrised by a time constant τ instead of a cutoff, and started from the mean of the first τ seconds so
 * that it has no start-up transient from an arbitrary initial state.
 */

/**
 * Cutoff of the Butterworth filter that VQF associates with a time constant τ: f_c = √2 / (2π τ).
 * (With this choice the filter's step response settles on about the same time scale as a first-order filter
 * with time constant τ.)
 */
export function cutoffForTimeConstant(tau: number): number {
  return Math.SQRT2 / (2 * Math.PI * tau);
}

export class LowPassFilter {
  /** [b0, b1, b2, a1, a2] of the discretised filter (a0 = 1). */
  private readonly coeffs = new Float64Array(5);
  /** Two transposed-direct-form-II states per channel: [s0 of ch0, s1 of ch0, s0 of ch1, ...]. */
  private readonly state: Float64Array;
  /** Running mean during the start-up phase. */
  private readonly mean: Float64Array;
  private count = 0;
  private startupElapsed = 0;
  private running = false;

  constructor(
    readonly channels: number,
    readonly tau: number,
  ) {
    this.state = new Float64Array(2 * channels);
    this.mean = new Float64Array(channels);
  }

  /**
   * Recomputes the coefficients for sample period `ts` (s): bilinear transform with the cutoff pre-warped, so
   * the digital filter has exactly the analogue cutoff at any rate. Keeps the filter state (a coefficient
   * change during a run only causes a small transient).
   */
  setSamplePeriod(ts: number): void {
    const c = Math.tan(Math.PI * cutoffForTimeConstant(this.tau) * ts);
    const c2 = c * c;
    const d = c2 + Math.SQRT2 * c + 1;
    this.coeffs[0] = c2 / d;
    this.coeffs[1] = (2 * c2) / d;
    this.coeffs[2] = c2 / d;
    this.coeffs[3] = (2 * (c2 - 1)) / d;
    this.coeffs[4] = (1 - Math.SQRT2 * c + c2) / d;
  }

  /** Forgets the signal; the next sample starts a new start-up phase. Coefficients are kept. */
  reset(): void {
    this.state.fill(0);
    this.mean.fill(0);
    this.count = 0;
    this.startupElapsed = 0;
    this.running = false;
  }

  /**
   * Filters one sample of every channel. `dt` is the time since the previous sample (0 for the first): during
   * the first τ seconds the output is the running mean of the input; then the filter starts in the steady state
   * of that mean. `setSamplePeriod` must have been called before the start-up phase ends.
   */
  step(input: Float64Array, out: Float64Array, dt: number): void {
    const n = this.channels;
    if (!this.running) {
      this.count++;
      this.startupElapsed += dt;
      for (let i = 0; i < n; i++) {
        this.mean[i] += (input[i] - this.mean[i]) / this.count;
        out[i] = this.mean[i];
      }
      if (this.startupElapsed >= this.tau) this.startFromMean();
      return;
    }
    const b0 = this.coeffs[0], b1 = this.coeffs[1], b2 = this.coeffs[2];
    const a1 = this.coeffs[3], a2 = this.coeffs[4];
    const s = this.state;
    for (let i = 0; i < n; i++) {
      const x = input[i];
      const y = b0 * x + s[2 * i];
      s[2 * i] = b1 * x - a1 * y + s[2 * i + 1];
      s[2 * i + 1] = b2 * x - a2 * y;
      out[i] = y;
    }
  }

  /**
   * Ends the start-up phase now (no-op when it has ended or not begun): the filter continues from the mean
   * so far. For when the samples still to come would no longer be representative of the starting value.
   */
  endStartup(): void {
    if (!this.running && this.count > 0) this.startFromMean();
  }

  /** States for which a constant input equal to the mean gives that mean as output from the first step. */
  private startFromMean(): void {
    const b0 = this.coeffs[0], b2 = this.coeffs[2], a2 = this.coeffs[4];
    for (let i = 0; i < this.channels; i++) {
      const m = this.mean[i];
      this.state[2 * i] = m * (1 - b0);
      this.state[2 * i + 1] = m * (b2 - a2);
    }
    this.running = true;
  }
}
