/**
 * Vertical kinematics of the depth sensor: earth-vertical acceleration (gravity removed) → velocity →
 * height, two ways.
 *
 * Live (causal, for the cue and the live trace): integrate from the last moment the sensor was still, where
 * the velocity is zero (zero-velocity update) and the residual vertical acceleration is the accelerometer's
 * bias along the vertical, which is learned there and subtracted. Error grows with the time since the last
 * still moment; a squat's descent lasts 1–2.5 s, so it stays small.
 *
 * Refined (once a rep has ended, for its reported depth): over the rep's window, which starts and ends with
 * the lifter standing (velocity zero, same height), the bias is modelled as a + b·τ and its two
 * coefficients are solved from those two end conditions — the classic drift correction of foot-mounted
 * inertial navigation, here with the height constraint as well.
 */

/** Time constant of the vertical-bias estimate while still, s. */
const BIAS_TAU_S = 0.3;
/**
 * A smooth movement starts with accelerations under the stillness thresholds, so the first ~0.1–0.2 s of it
 * are still taken for rest. The bias is therefore learned from samples this old (quiet on both sides), and
 * when motion is detected the velocity and height are re-integrated from this far back.
 */
const LOOKBACK_S = 0.3;
/** Room for the look-back at the highest output rate (400 Hz). */
const HISTORY = 256;

export class LiveVerticalKinematics {
  private velocity = 0;
  private height = 0;
  private bias = 0;
  private started = false;
  private wasStill = true;
  private readonly accHistory = new Float64Array(HISTORY);
  private readonly dtHistory = new Float64Array(HISTORY);
  private head = 0;

  /**
   * Feeds one sample: time step dt (s), earth-vertical specific force minus gravity (m/s²), and whether the
   * sensor is still. Returns the height relative to the reference, m (negative below it).
   */
  update(dt: number, verticalAcc: number, still: boolean): number {
    const i = this.head % HISTORY;
    this.accHistory[i] = verticalAcc;
    this.dtHistory[i] = dt;
    this.head++;
    if (!this.started) {
      this.started = true;
      this.bias = verticalAcc;
      return this.height;
    }
    if (still) {
      this.velocity = 0;
      this.bias += Math.min(1, dt / BIAS_TAU_S) * (this.lookbackAcc() - this.bias);
    } else if (this.wasStill) {
      this.reintegrateLookback();
    } else {
      this.step(this.accHistory[(this.head - 2) % HISTORY], verticalAcc, dt);
    }
    this.wasStill = still;
    return this.height;
  }

  private step(previousAcc: number, acc: number, dt: number): void {
    const v1 = this.velocity + 0.5 * (previousAcc - this.bias + acc - this.bias) * dt;
    this.height += 0.5 * (this.velocity + v1) * dt;
    this.velocity = v1;
  }

  /** The sample about LOOKBACK_S ago (the oldest one not older), as an index into the history. */
  private lookbackIndex(): number {
    let k = this.head - 1;
    let age = 0;
    while (k > 0 && k > this.head - HISTORY + 1 && age + this.dtHistory[k % HISTORY] <= LOOKBACK_S) {
      age += this.dtHistory[k % HISTORY];
      k--;
    }
    return k;
  }

  private lookbackAcc(): number {
    return this.accHistory[this.lookbackIndex() % HISTORY];
  }

  /** Motion has just been detected: it began up to LOOKBACK_S ago, at rest; integrate from there. */
  private reintegrateLookback(): void {
    const from = this.lookbackIndex();
    this.velocity = 0;
    for (let k = from + 1; k < this.head; k++) {
      this.step(this.accHistory[(k - 1) % HISTORY], this.accHistory[k % HISTORY], this.dtHistory[k % HISTORY]);
    }
  }

  /** A better estimate of the height at a moment of rest (velocity zero). */
  setHeightAtRest(heightM: number): void {
    this.height = heightM;
    this.velocity = 0;
  }

  /** The lifter stands still: this is the standing height that depth is measured from. */
  resetHeight(): void {
    this.height = 0;
  }

  /** Height relative to the reference, m (negative below it). */
  get heightM(): number {
    return this.height;
  }

  get verticalVelocity(): number {
    return this.velocity;
  }

  get verticalBias(): number {
    return this.bias;
  }
}

/**
 * Heights (m, relative to the window's start) over a window whose first and last samples are at rest at the
 * same height. `acc` is the vertical acceleration with the live bias estimate already removed; what bias is
 * left is taken to vary linearly over the window. Writes into `out`.
 */
export function refinedHeights(t: ArrayLike<number>, acc: ArrayLike<number>, n: number, out: Float64Array): void {
  if (n < 3) {
    out.fill(0, 0, n);
    return;
  }
  const t0 = t[0];
  // First pass: plain trapezoidal integration, remembering velocity in `out`'s place temporarily is not
  // possible (we need both), so integrate twice: velocity and height at the end first.
  let v = 0;
  let p = 0;
  for (let i = 1; i < n; i++) {
    const dt = t[i] - t[i - 1];
    const v1 = v + 0.5 * (acc[i - 1] + acc[i]) * dt;
    p += 0.5 * (v + v1) * dt;
    v = v1;
  }
  const T = t[n - 1] - t0;
  // Correction acceleration c(τ) = a + b·τ with ∫c = v(T) and ∬c = p(T):
  //   a·T + b·T²/2 = v(T);  a·T²/2 + b·T³/6 = p(T).
  const det = (T * T * T * T) / 6 - (T * T * T * T) / 4; // = −T⁴/12
  const a = ((v * T * T * T) / 6 - (p * T * T) / 2) / det;
  const b = ((T * p) - (v * T * T) / 2) / det;
  v = 0;
  p = 0;
  out[0] = 0;
  for (let i = 1; i < n; i++) {
    const dt = t[i] - t[i - 1];
    const ca0 = a + b * (t[i - 1] - t0);
    const ca1 = a + b * (t[i] - t0);
    const v1 = v + 0.5 * (acc[i - 1] - ca0 + acc[i] - ca1) * dt;
    p += 0.5 * (v + v1) * dt;
    v = v1;
    out[i] = p;
  }
}
