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
 * A gap in the samples longer than this (lost packets) leaves an unknown velocity change behind: the
 * acceleration inside it is not known. Corrections then put the velocity error into a jump across the gap
 * instead of spreading it as a bias drift.
 */
export const LONG_GAP_S = 0.12;

/** Index of the sample that ends the longest gap longer than LONG_GAP_S in [from, to], or −1. */
function longestGap(t: ArrayLike<number>, from: number, to: number): number {
  let gapIndex = -1;
  let longest = LONG_GAP_S;
  for (let i = from + 1; i <= to; i++) {
    if (t[i] - t[i - 1] > longest) {
      longest = t[i] - t[i - 1];
      gapIndex = i;
    }
  }
  return gapIndex;
}

/**
 * Integrates one movement between two moments of rest, [from, to], where the velocity is zero at both ends:
 * the velocity left at the end is an error, removed either as a constant bias over the segment or, if the
 * segment has a long gap, as a jump across it. Writes heights relative to the segment's start into
 * out[from..to] (plus `base`) and returns the height change.
 */
export function integrateBetweenRests(
  t: ArrayLike<number>,
  acc: ArrayLike<number>,
  from: number,
  to: number,
  base: number,
  out: Float64Array | null,
): number {
  let v = 0;
  for (let i = from + 1; i <= to; i++) v += 0.5 * (acc[i - 1] + acc[i]) * (t[i] - t[i - 1]);
  const T = t[to] - t[from];
  const gapIndex = longestGap(t, from, to);
  const bias = gapIndex < 0 && T > 0 ? v / T : 0;
  const jump = gapIndex < 0 ? 0 : v;
  let vel = 0;
  let p = 0;
  if (out) out[from] = base;
  for (let i = from + 1; i <= to; i++) {
    const dt = t[i] - t[i - 1];
    let v1 = vel + (0.5 * (acc[i - 1] + acc[i]) - bias) * dt;
    if (i === gapIndex) {
      // The jump sits mid-gap.
      p += 0.5 * (vel + v1) * dt - 0.25 * jump * dt;
      v1 -= jump;
    } else {
      p += 0.5 * (vel + v1) * dt;
    }
    vel = v1;
    if (out) out[i] = base + p;
  }
  return p;
}

/**
 * Heights (m, relative to the window's start) over a rep window whose first and last samples are at rest at
 * the same height; `still` marks samples at rest inside it (a pause at the bottom), where the velocity is zero
 * too. `acc` is the vertical acceleration with the live bias estimate already removed. Writes into `out`.
 *
 * Without a pause: one movement with two end conditions (v(T) = 0, p(T) = 0) that fix two unknowns of the
 * residual error — a bias a + b·τ, or (with a long gap) a constant bias and a velocity jump across the gap.
 * With pauses: each movement between rests is integrated on its own (v = 0 at both ends), and what height is
 * left at the end is spread over the moving time.
 */
export function refinedHeights(t: ArrayLike<number>, acc: ArrayLike<number>, still: ArrayLike<number>, n: number, out: Float64Array): void {
  if (n < 3) {
    out.fill(0, 0, n);
    return;
  }
  const segments: [number, number][] = [];
  let i = 0;
  while (i < n - 1) {
    // A movement starts at the last still sample before motion and ends at the next still one.
    while (i < n - 1 && still[i + 1] === 1) i++;
    if (i >= n - 1) break;
    const from = i;
    i++;
    while (i < n - 1 && still[i] !== 1) i++;
    segments.push([from, i]);
  }
  if (segments.length <= 1) {
    refineSingleMovement(t, acc, n, out);
    return;
  }
  let height = 0;
  let filled = 0;
  let movingTime = 0;
  for (const [from, to] of segments) {
    for (; filled < from; filled++) out[filled] = height;
    height += integrateBetweenRests(t, acc, from, to, height, out);
    filled = to + 1;
    movingTime += t[to] - t[from];
  }
  for (; filled < n; filled++) out[filled] = height;
  // Closure: the lifter ends where they started.
  const residual = out[n - 1];
  let elapsed = 0;
  let k = 0;
  for (const [from, to] of segments) {
    for (; k < from; k++) out[k] -= (residual * elapsed) / movingTime;
    for (; k <= to; k++) out[k] -= (residual * (elapsed + t[k] - t[from])) / movingTime;
    elapsed += t[to] - t[from];
  }
  for (; k < n; k++) out[k] -= residual;
}

/** refinedHeights for a window that is one movement from rest to rest (see there). */
function refineSingleMovement(t: ArrayLike<number>, acc: ArrayLike<number>, n: number, out: Float64Array): void {
  const t0 = t[0];
  let v = 0;
  let p = 0;
  for (let i = 1; i < n; i++) {
    const dt = t[i] - t[i - 1];
    const v1 = v + 0.5 * (acc[i - 1] + acc[i]) * dt;
    p += 0.5 * (v + v1) * dt;
    v = v1;
  }
  const T = t[n - 1] - t0;
  const gapIndex = longestGap(t, 0, n - 1);
  // Two end conditions, v(T) = 0 and p(T) = 0, fix two unknowns of the correction:
  //  - no gap: acceleration a + b·τ:          a·T + b·T²/2 = v;   a·T²/2 + b·T³/6 = p
  //  - gap at τg: acceleration a, jump Δv:    a·T + Δv = v;       a·T²/2 + Δv·(T − τg) = p
  let a: number;
  let b = 0;
  let jump = 0;
  if (gapIndex < 0) {
    const det = -(T * T * T * T) / 12;
    a = ((v * T * T * T) / 6 - (p * T * T) / 2) / det;
    b = (T * p - (v * T * T) / 2) / det;
  } else {
    const tGap = 0.5 * (t[gapIndex - 1] + t[gapIndex]) - t0;
    const det = T * (T - tGap) - (T * T) / 2;
    a = (v * (T - tGap) - p) / det;
    jump = (T * p - (v * T * T) / 2) / det;
  }
  v = 0;
  p = 0;
  out[0] = 0;
  for (let i = 1; i < n; i++) {
    const dt = t[i] - t[i - 1];
    const ca0 = a + b * (t[i - 1] - t0);
    const ca1 = a + b * (t[i] - t0);
    let v1 = v + 0.5 * (acc[i - 1] - ca0 + acc[i] - ca1) * dt;
    if (i === gapIndex) {
      p += 0.5 * (v + v1) * dt - 0.25 * jump * dt;
      v1 -= jump;
    } else {
      p += 0.5 * (v + v1) * dt;
    }
    v = v1;
    out[i] = p;
  }
}
