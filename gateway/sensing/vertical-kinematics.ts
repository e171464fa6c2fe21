/**
 * Vertical kinematics of the depth sensor: earth-vertical acceleration (gravity removed) → velocity →
 * height, two ways.
 *
 * Live (causal, for the cue and the live trace): integrate from the last moment the sensor was still, where
 * the velocity is zero (zero-velocity update) and the residual vertical acceleration is the accelerometer's
 * bias along the vertical, which is learned there and subtracted. Error grows with the time since the last
 * still moment; a squat's descent lasts 1–2.5 s, so it stays small.
 *
 * Refined (once a rep has ended, for its reported depth): the rep's window starts and ends with the lifter
 * standing (velocity zero, same height), and rests inside it (a pause at the bottom) have zero velocity too.
 * What is left wrong in the acceleration — a bias, its drift, a velocity jump across a burst of lost packets —
 * is corrected by the most likely correction that meets those conditions (see refinedHeights): the drift
 * correction of foot-mounted inertial navigation, with the height constraint as well.
 */

/** At rest the bias follows the acceleration with this time constant, s (see update). */
const BIAS_TAU_S = 2;
/** A rest this long teaches a bias that later rests start from, s. */
const FIRST_REST_S = 0.2;
/**
 * A smooth movement starts with accelerations under the stillness thresholds, so its first instants are still
 * taken for rest. The bias is therefore learned from samples this old (quiet on both sides), and when motion is
 * detected the velocity and height are re-integrated from this far back. How long a start hides depends on the
 * thresholds, so on the sensor's noise: the caller sets it (setLookback); this until it does, s.
 */
const DEFAULT_LOOKBACK_S = 0.3;
/**
 * Without rests there is no zero-velocity moment to learn the bias from. A bounded movement's true vertical
 * acceleration averages to zero over a few seconds (its mean over any stretch is the velocity change over the
 * stretch's length), so after this long without a rest the bias follows the acceleration's running mean.
 */
const NO_REST_BIAS_AFTER_S = 6;
/** A bias learned from a whole rep cycle (learnCycleBias) holds this long before the running mean may move it, s. */
const CYCLE_BIAS_HOLD_S = 6;
/** Share of a cycle's bias estimate taken at once (the velocity at a top is only about zero). */
const CYCLE_BIAS_GAIN = 0.5;
/** Time constant of that running mean, s: a few reps. */
const MOTION_MEAN_TAU_S = 4;
/** How fast the bias follows the running mean without rests, s. */
const NO_REST_BIAS_TAU_S = 2;
/**
 * A slow descent on a noisy sensor can pass for rest for a moment just after it began: standing, a brief
 * movement (at most EARLY_MOVEMENT_MAX_S), a "rest" shorter than FALSE_REST_MAX_S, then the rest of the descent.
 * When motion resumes after such a rest, it is taken for part of the movement (see update).
 */
export const FALSE_REST_MAX_S = 0.3;
export const EARLY_MOVEMENT_MAX_S = 0.5;
/** ... and it was going down into that rest, this fast at least (m/s): a sway's brief movement is no descent. */
export const FALSE_REST_MIN_DESCENT_M_S = 0.02;
/** Room at the highest output rate (400 Hz) for the look-back, a brief movement and a false rest (1.1 s). */
const HISTORY = 512;

export class LiveVerticalKinematics {
  private velocity = 0;
  private height = 0;
  private bias = 0;
  private started = false;
  private wasStill = true;
  private readonly accHistory = new Float64Array(HISTORY);
  private readonly dtHistory = new Float64Array(HISTORY);
  private readonly stillHistory = new Uint8Array(HISTORY);
  private head = 0;
  /** How far back a movement's start may hide (setLookback), s. */
  private lookbackS = DEFAULT_LOOKBACK_S;
  /** Oldest history index within the look-back, and the time from it to the newest sample. */
  private tail = 0;
  private tailAge = 0;
  private motionMean = Number.NaN;
  private movingForS = 0;
  /** Time this rest has taught the bias so far, s, and whether an earlier rest has (then it is a prior). */
  private restLearnedS = 0;
  private biasFromRest = false;
  private cycleBiasAgeS = Infinity;
  /** The movement under way or just ended: the history index it is integrated from, and the height there. */
  private moveFrom = -1;
  private moveFromHeight = 0;
  /** The last movement (before this rest): where it was integrated from, its height there, how long it lasted. */
  private lastMoveFrom = -1;
  private lastMoveFromHeight = 0;
  private lastMoveS = Infinity;
  private lastMoveEndVelocity = 0;
  /** This rest so far, s, and the bias before it. */
  private restS = 0;
  private biasBeforeRest = 0;
  /** History index of the last sample at rest before a gap the rest is held across (−1: none), and its height. */
  private holdFrom = -1;
  private holdHeight = 0;

  /**
   * Feeds one sample: time step dt (s), earth-vertical specific force minus gravity (m/s²), and whether the
   * sensor is still. Returns the height relative to the reference, m (negative below it).
   */
  update(dt: number, verticalAcc: number, still: boolean, heldAcrossGap = false): number {
    const i = this.head % HISTORY;
    this.accHistory[i] = verticalAcc;
    this.dtHistory[i] = dt;
    this.stillHistory[i] = still ? 1 : 0;
    this.head++;
    if (this.head > 1) this.tailAge += dt;
    // Keep [tail, head) within the look-back: take older samples in while the span is short of it (the look-back
    // grew), and drop the oldest while the span without it still covers it.
    while (this.tailAge < this.lookbackS && this.tail > 0 && this.tail > this.head - HISTORY) {
      this.tailAge += this.dtHistory[this.tail % HISTORY];
      this.tail--;
    }
    while (this.tail < this.head - 1 && (this.tailAge - this.dtHistory[(this.tail + 1) % HISTORY] >= this.lookbackS || this.tail <= this.head - HISTORY)) {
      this.tail++;
      this.tailAge -= this.dtHistory[this.tail % HISTORY];
    }
    if (!this.started) {
      // The bias starts as the first sample's acceleration: a lifter standing there gives the bias itself (and a
      // first rest replaces it with its own mean). A lifter caught inside a rep gives a live depth that leaves any
      // squat's range at once — which is wanted: the velocity at that first sample is unknown, and until an
      // anchor (a rest, an upright top, a restart at a top of the leaky motion) no live rep starts and no face
      // evidence is taken from the upper part of the movement. Started at zero instead, a plausible but wrong
      // live depth gathered evidence for the wrong face in simulated touch-and-go sets joined mid-rep (reps after
      // the join found 275 → 217 of 292).
      // The running mean starts at zero (gravity is removed already): the leaky velocity subtracts it, and with
      // the first sample's acceleration as its start it read up while the lifter went down (real sets cut
      // 0.5–2 s in: the face wrong and 12 % of the reps after the cut lost, against 1 % now).
      this.started = true;
      this.bias = verticalAcc;
      this.motionMean = 0;
      return this.height;
    }
    this.motionMean += Math.min(1, dt / MOTION_MEAN_TAU_S) * (verticalAcc - this.motionMean);
    if (this.holdAcrossGap(still, heldAcrossGap)) return this.height;
    if (still && !this.wasStill) {
      this.lastMoveFrom = this.moveFrom;
      this.lastMoveFromHeight = this.moveFromHeight;
      this.lastMoveS = this.movingForS;
      this.lastMoveEndVelocity = this.velocity;
      this.biasBeforeRest = this.bias;
      this.restS = 0;
    }
    if (still) this.restS += dt;
    this.movingForS = still ? 0 : this.movingForS + dt;
    if (!still) this.restLearnedS = 0;
    this.cycleBiasAgeS += dt;
    if (this.movingForS > NO_REST_BIAS_AFTER_S && this.cycleBiasAgeS > CYCLE_BIAS_HOLD_S) this.bias += Math.min(1, dt / NO_REST_BIAS_TAU_S) * (this.motionMean - this.bias);
    if (still) {
      this.velocity = 0;
      // From a sample that was at rest itself: in the first instants of a rest the sample that old is still the
      // end of the movement (a slow squat decelerates at 0.05 m/s² into a pause at the bottom), so the rest's
      // own newest sample is taught until the look-back lies inside the rest.
      const learnFrom = this.stillHistory[this.tail % HISTORY] === 1 ? this.lookbackAcc() : verticalAcc;
      // An exponential mean over BIAS_TAU_S, from what the earlier rests taught: a restless lifter's hips bob a
      // few millimetres at up to 0.8 Hz (0.08 m/s²), which a rest of a second or two does not average out, and
      // a shorter memory caught the bob's phase — the next descent's live depth drifted by centimetres and the
      // cue fired 100–300 ms off. The first rest has nothing before it: a plain mean of itself until it is
      // BIAS_TAU_S long.
      this.restLearnedS += dt;
      const gain = this.biasFromRest ? dt / BIAS_TAU_S : Math.max(dt / BIAS_TAU_S, dt / this.restLearnedS);
      this.bias += Math.min(1, gain) * (learnFrom - this.bias);
      if (this.restLearnedS >= FIRST_REST_S) this.biasFromRest = true;
    } else if (this.wasStill) {
      if (this.restWasFalse()) this.reintegrateAcrossFalseRest();
      else this.reintegrateLookback();
    } else {
      this.step(this.accHistory[(this.head - 2) % HISTORY], verticalAcc, dt);
    }
    this.wasStill = still;
    return this.height;
  }

  /**
   * A rest interrupted by a short gap of lost packets (`heldAcrossGap`: the stillness window is still refilling,
   * its samples quiet): the velocity is held at zero, and nothing is learned, until the rest resumes — then the
   * gap was part of it. If movement shows first, it may have begun inside the gap: the movement is integrated
   * from the last sample at rest before the gap, as if no hold had been. Returns true while holding.
   */
  private holdAcrossGap(still: boolean, heldAcrossGap: boolean): boolean {
    if (heldAcrossGap && !still && (this.holdFrom >= 0 || this.wasStill)) {
      if (this.holdFrom < 0) {
        this.holdFrom = this.head - 2;
        this.holdHeight = this.height;
      }
      this.velocity = 0;
      return true;
    }
    if (this.holdFrom < 0) return false;
    const from = this.holdFrom;
    this.holdFrom = -1;
    if (still || this.head - from >= HISTORY) return false;
    this.integrateFrom(from, this.holdHeight);
    this.movingForS = 0;
    this.restLearnedS = 0;
    this.wasStill = false;
    return true;
  }

  private step(previousAcc: number, acc: number, dt: number): void {
    const v1 = this.velocity + 0.5 * (previousAcc - this.bias + acc - this.bias) * dt;
    this.height += 0.5 * (this.velocity + v1) * dt;
    this.velocity = v1;
  }

  private lookbackAcc(): number {
    return this.accHistory[this.tail % HISTORY];
  }

  /** How far back a movement's start may hide under the rest flags, s (from the next sample on). */
  setLookback(seconds: number): void {
    if (Number.isFinite(seconds) && seconds > 0) this.lookbackS = seconds;
  }

  /** Motion has just been detected: it began up to the look-back ago, at rest; integrate from there. */
  private reintegrateLookback(): void {
    this.integrateFrom(this.tail, this.height);
  }

  /**
   * The rest that just ended was short and came right after a brief movement from a rest: a slow descent's
   * first instants (FALSE_REST_MAX_S). The velocity was not zero in it, and its acceleration was movement, not
   * bias (one 4 s descent of 30 cm on a 50 Hz, 0.08 m/s² sensor: the live depth 5.5 cm short at the bottom).
   */
  private restWasFalse(): boolean {
    return (
      this.restS < FALSE_REST_MAX_S &&
      this.lastMoveS <= EARLY_MOVEMENT_MAX_S &&
      this.lastMoveEndVelocity <= -FALSE_REST_MIN_DESCENT_M_S &&
      this.lastMoveFrom >= 0 &&
      this.head - this.lastMoveFrom < HISTORY
    );
  }

  /** Takes back what the false rest taught and integrates from the start of the movement before it. */
  private reintegrateAcrossFalseRest(): void {
    this.bias = this.biasBeforeRest;
    this.integrateFrom(this.lastMoveFrom, this.lastMoveFromHeight);
  }

  /** Integrates the history from index `from` (at rest there, at height `heightM`) up to the newest sample. */
  private integrateFrom(from: number, heightM: number): void {
    this.moveFrom = from;
    this.moveFromHeight = heightM;
    this.height = heightM;
    this.velocity = 0;
    for (let k = from + 1; k < this.head; k++) {
      this.step(this.accHistory[(k - 1) % HISTORY], this.accHistory[k % HISTORY], this.dtHistory[k % HISTORY]);
    }
  }

  /**
   * The acceleration averaged `meanAcc` (m/s²) over a whole cycle between two moments of about zero velocity
   * (two upright tops, touch-and-go): its true mean there is zero, so that mean is the bias.
   */
  learnCycleBias(meanAcc: number): void {
    this.bias += CYCLE_BIAS_GAIN * (meanAcc - this.bias);
    this.cycleBiasAgeS = 0;
  }

  /**
   * The acceleration fed from now on will read `delta` (m/s²) higher than before for the same motion (the
   * vertical-bias model learned something): the bias, the running mean and the look-back history move with it,
   * so the depth does not see a step.
   */
  shiftAcceleration(delta: number): void {
    if (!Number.isFinite(delta) || delta === 0) return;
    this.bias += delta;
    this.motionMean += delta;
    for (let k = 0; k < HISTORY; k++) this.accHistory[k] += delta;
  }

  /** A better estimate of the height at a moment of rest (velocity zero). */
  setHeightAtRest(heightM: number): void {
    this.height = heightM;
    this.velocity = 0;
  }

  /** A better estimate of the height and velocity (re-integrated from an upright turn), the sensor moving. */
  restart(heightM: number, velocity: number): void {
    this.height = heightM;
    this.velocity = velocity;
    this.wasStill = false;
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

  /** Running mean of the vertical acceleration over a few reps (MOTION_MEAN_TAU_S), m/s²; NaN before any sample. */
  get motionMeanAcc(): number {
    return this.motionMean;
  }
}

/**
 * A gap in the samples longer than this (lost packets) leaves an unknown velocity change behind: the
 * acceleration inside it is not known.
 */
export const LONG_GAP_S = 0.12;

/**
 * What is left wrong in the vertical acceleration of a movement between two rests, and how large each part
 * is expected to be (1 σ): a bias a (what the live estimate missed), a drift b·τ of it, and a velocity jump at
 * the longest gap (what the trapezoid across it missed). The end conditions (v = 0 at the rest, and when known
 * p = 0) are met exactly; among the corrections that meet them, the most likely one is taken (minimum norm
 * weighted by these σ). A jump in the middle of a window and a constant bias have the same effect on the end
 * conditions, so neither alone can be solved for: the σ decide how to share.
 */
const SIGMA_BIAS = 0.05;
const SIGMA_BIAS_DRIFT = 0.02;
/**
 * The gap jump's σ is GAP_TRAPEZOID_ERROR · h³ (m/s) for a gap of h seconds. The integration bridges a gap with
 * the trapezoid between the accelerations on either side; it misses at most max|a''|·h³/12, and a brisk squat's
 * acceleration (2 m/s² at 1 Hz) has |a''| up to 80 m/s⁴: 7 m/s⁴. It used to be 3 m/s² · h (0.48 m/s for a 0.16 s
 * gap instead of 0.03): a 0.16 s burst of lost packets then took the whole velocity error of a touch-and-go
 * cycle whose live bias was 0.13 m/s² off, the cycle's top came out 77 cm deep, and three reps merged (tuning
 * seed 2070069: 3 → 6 of 7 reps). Measured (tuning seeds, 60 per group): `mixed` recall 0.973 → 0.977, depth
 * MAE 1.90 → 1.87 cm, `noisy` 1.11 → 1.07 cm, the old distribution's onset MAE 0.68 → 0.63 cm, nothing worse
 * beyond ±0.1; 3 and 20 m/s⁴ were tried too (3 lost a `low-rate` rep, 20 gave `mixed` 0.975).
 */
const GAP_TRAPEZOID_ERROR = 7;

interface Correction {
  a: number;
  b: number;
  jump: number;
  /** Index of the sample that ends the gap carrying the jump, or −1. */
  gapIndex: number;
}

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

/** Velocity and height at the end of [from, to], starting at rest, with a correction applied. */
function integrate(t: ArrayLike<number>, acc: ArrayLike<number>, from: number, to: number, c: Correction, base: number, out: Float64Array | null): { v: number; p: number } {
  const t0 = t[from];
  let v = 0;
  let p = 0;
  if (out) out[from] = base;
  for (let i = from + 1; i <= to; i++) {
    const dt = t[i] - t[i - 1];
    const c0 = c.a + c.b * (t[i - 1] - t0);
    const c1 = c.a + c.b * (t[i] - t0);
    let v1 = v + 0.5 * (acc[i - 1] - c0 + acc[i] - c1) * dt;
    if (i === c.gapIndex) {
      // The jump sits mid-gap.
      p += 0.5 * (v + v1) * dt - 0.25 * c.jump * dt;
      v1 -= c.jump;
    } else {
      p += 0.5 * (v + v1) * dt;
    }
    v = v1;
    if (out) out[i] = base + p;
  }
  return { v, p };
}

/**
 * The most likely correction of [from, to] given its end velocity error v (and, when `closeHeight`, its end
 * height error p): x = Σ·Hᵀ·(H·Σ·Hᵀ)⁻¹·y over x = [a, b, jump].
 */
function solveCorrection(t: ArrayLike<number>, from: number, to: number, v: number, p: number, closeHeight: boolean): Correction {
  const T = t[to] - t[from];
  const gapIndex = longestGap(t, from, to);
  const tauGap = gapIndex < 0 ? 0 : 0.5 * (t[gapIndex - 1] + t[gapIndex]) - t[from];
  const gapLength = gapIndex < 0 ? 0 : t[gapIndex] - t[gapIndex - 1];
  const s = [SIGMA_BIAS ** 2, closeHeight ? SIGMA_BIAS_DRIFT ** 2 : 0, (GAP_TRAPEZOID_ERROR * gapLength ** 3) ** 2];
  // Rows: effect of [a, b, jump] on the end velocity and the end height.
  const hv = [T, (T * T) / 2, gapIndex < 0 ? 0 : 1];
  const hp = [(T * T) / 2, (T * T * T) / 6, gapIndex < 0 ? 0 : T - tauGap];
  if (!closeHeight || T <= 0) {
    const m = hv[0] * s[0] * hv[0] + hv[1] * s[1] * hv[1] + hv[2] * s[2] * hv[2];
    const k = m > 0 ? v / m : 0;
    return { a: s[0] * hv[0] * k, b: s[1] * hv[1] * k, jump: s[2] * hv[2] * k, gapIndex };
  }
  let m00 = 0, m01 = 0, m11 = 0;
  for (let j = 0; j < 3; j++) {
    m00 += hv[j] * s[j] * hv[j];
    m01 += hv[j] * s[j] * hp[j];
    m11 += hp[j] * s[j] * hp[j];
  }
  const det = m00 * m11 - m01 * m01;
  const kv = (m11 * v - m01 * p) / det;
  const kp = (m00 * p - m01 * v) / det;
  const x = [0, 1, 2].map((j) => s[j] * (hv[j] * kv + hp[j] * kp));
  return { a: x[0], b: x[1], jump: x[2], gapIndex };
}

const NO_CORRECTION: Correction = { a: 0, b: 0, jump: 0, gapIndex: -1 };

/**
 * Integrates one movement between two moments of rest, [from, to], where the velocity is zero at both ends:
 * the velocity left at the end is an error, removed as the most likely bias and gap jump. Writes heights
 * relative to the segment's start into out[from..to] (plus `base`) and returns the height change.
 */
export function integrateBetweenRests(
  t: ArrayLike<number>,
  acc: ArrayLike<number>,
  from: number,
  to: number,
  base: number,
  out: Float64Array | null,
): number {
  const raw = integrate(t, acc, from, to, NO_CORRECTION, 0, null);
  const correction = solveCorrection(t, from, to, raw.v, raw.p, false);
  return integrate(t, acc, from, to, correction, base, out).p;
}

/**
 * Heights (m) over samples [0, n) from rest at height 0 (velocity zero at the first sample), uncorrected —
 * the live depth re-anchored at an upright turn. Writes into `out`; returns the last height and velocity.
 */
export function integrateFromRest(t: ArrayLike<number>, acc: ArrayLike<number>, n: number, out: Float64Array): { v: number; p: number } {
  return integrate(t, acc, 0, n - 1, NO_CORRECTION, 0, out);
}

/**
 * Clears the still runs inside (0, n−1) that last less than `minS` seconds: they are taken for movement. The
 * runs touching either end stay.
 */
export function dropShortRests(t: ArrayLike<number>, still: Uint8Array | Float64Array, n: number, minS: number): void {
  let k = 0;
  while (k < n && still[k] === 1) k++;
  while (k < n) {
    while (k < n && still[k] !== 1) k++;
    const first = k;
    while (k < n && still[k] === 1) k++;
    if (k >= n) break; // the run at the end stays
    if (t[k - 1] - t[first] < minS) for (let q = first; q < k; q++) still[q] = 0;
  }
}

/** The movements of a window: each from the last still sample before motion to the next still one. */
function movementSegments(still: ArrayLike<number>, n: number): [number, number][] {
  const segments: [number, number][] = [];
  let i = 0;
  while (i < n - 1) {
    while (i < n - 1 && still[i + 1] === 1) i++;
    if (i >= n - 1) break;
    const from = i;
    i++;
    while (i < n - 1 && still[i] !== 1) i++;
    segments.push([from, i]);
  }
  return segments;
}

/** Heights over [0, n): each movement integrated on its own (v = 0 at both its rests), chained; still between. */
function chainMovements(t: ArrayLike<number>, acc: ArrayLike<number>, segments: readonly [number, number][], n: number, out: Float64Array): void {
  let height = 0;
  let filled = 0;
  for (const [from, to] of segments) {
    for (; filled < from; filled++) out[filled] = height;
    height += integrateBetweenRests(t, acc, from, to, height, out);
    filled = to + 1;
  }
  for (; filled < n; filled++) out[filled] = height;
}

/**
 * Heights (m, relative to the first sample) over a stretch that starts and ends at rest, with rests inside it
 * marked in `still`: each movement between two rests is integrated on its own with its end velocity closed, and
 * nothing closes the height, so the last height says where the lifter ended up (the rest audit, auditStretch in
 * athlete-pipeline.ts, asks whether they came back). Writes into `out`; returns the last height.
 */
export function heightsBetweenRests(t: ArrayLike<number>, acc: ArrayLike<number>, still: ArrayLike<number>, n: number, out: Float64Array): number {
  if (n < 2) {
    out.fill(0, 0, n);
    return 0;
  }
  chainMovements(t, acc, movementSegments(still, n), n, out);
  return out[n - 1];
}

/**
 * Heights (m, relative to the window's start) over a rep window whose first and last samples are at rest at
 * the same height; `still` marks samples at rest inside it (a pause at the bottom), where the velocity is zero
 * too. `acc` is the vertical acceleration with the live bias estimate already removed. Writes into `out`.
 *
 * Without a pause: one movement whose two end conditions (v(T) = 0, p(T) = 0) correct it (solveCorrection) —
 * unless it has a hole longer than BRIDGE_GAP_S, which is bridged instead (bridgeGap), and the bridge's lowest
 * point is returned (it may lie inside the hole, where there are no samples).
 * With pauses: each movement between rests is integrated on its own (v = 0 at both ends), and what height is
 * left at the end is spread over the moving time.
 */
export function refinedHeights(
  t: ArrayLike<number>,
  acc: ArrayLike<number>,
  still: ArrayLike<number>,
  n: number,
  out: Float64Array,
): BridgedGap | null {
  if (n < 3) {
    out.fill(0, 0, n);
    return null;
  }
  const segments = movementSegments(still, n);
  if (segments.length <= 1) {
    const gap = longestGap(t, 0, n - 1);
    if (gap > 0 && t[gap] - t[gap - 1] > BRIDGE_GAP_S) {
      const bridged = bridgeGap(t, acc, n, gap, out);
      if (bridged !== null) return bridged;
    }
    const raw = integrate(t, acc, 0, n - 1, NO_CORRECTION, 0, null);
    integrate(t, acc, 0, n - 1, solveCorrection(t, 0, n - 1, raw.v, raw.p, true), 0, out);
    return null;
  }
  chainMovements(t, acc, segments, n, out);
  let movingTime = 0;
  for (const [from, to] of segments) movingTime += t[to] - t[from];
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
  return null;
}

/**
 * A hole this long inside a movement (a dropped link, not a burst of lost packets) is not integrated across:
 * nothing is known of the acceleration inside it, and carrying the velocity at its start through it (what the
 * jump model of solveCorrection amounts to) sends the lifter a metre down when the hole covers the bottom.
 */
export const BRIDGE_GAP_S = 0.5;
/**
 * Neither side of a bridge may reach the hole faster or farther than a squat goes (descents stay under about
 * 1.5 m/s and 0.8 m): an uncorrected side that does has integrated an error (an orientation still settling
 * after the hole, a bias), and then the hole is left to the correction of solveCorrection after all.
 */
const BRIDGE_MAX_SPEED_M_S = 2.5;
const BRIDGE_MAX_DEPTH_M = 1.2;

/** The lowest point of the path across a long hole, m relative to the window's start, and when it is, s. */
export interface BridgedGap {
  readonly lowestM: number;
  readonly t: number;
  /** Index of the first sample after the hole. */
  readonly afterIndex: number;
}

/**
 * A movement with one long hole: integrated forwards from the rest at the window's start up to the hole and
 * backwards from the rest at its end (same height, velocity zero) back to the hole — each side from a known
 * state, so neither carries the hole's unknown — and joined across the hole by the cubic that meets both sides'
 * heights and velocities (cubic Hermite). The part of a rep inside the hole is a guess by construction; the
 * rep's gap_fraction says so. Null when a side is implausible (BRIDGE_MAX_SPEED_M_S); `out` is then rewritten
 * by the caller.
 */
function bridgeGap(t: ArrayLike<number>, acc: ArrayLike<number>, n: number, gap: number, out: Float64Array): BridgedGap | null {
  let v = 0;
  let p = 0;
  out[0] = 0;
  for (let i = 1; i < gap; i++) {
    const dt = t[i] - t[i - 1];
    const v1 = v + 0.5 * (acc[i - 1] + acc[i]) * dt;
    p += 0.5 * (v + v1) * dt;
    v = v1;
    out[i] = p;
  }
  const [p0, v0] = [p, v];
  v = 0;
  p = 0;
  out[n - 1] = 0;
  for (let i = n - 2; i >= gap; i--) {
    const dt = t[i + 1] - t[i];
    const vi = v - 0.5 * (acc[i] + acc[i + 1]) * dt;
    p -= 0.5 * (v + vi) * dt;
    v = vi;
    out[i] = p;
  }
  const [p1, v1] = [p, v];
  if (Math.max(Math.abs(v0), Math.abs(v1)) > BRIDGE_MAX_SPEED_M_S || Math.max(Math.abs(p0), Math.abs(p1)) > BRIDGE_MAX_DEPTH_M) return null;
  const t0 = t[gap - 1];
  const T = t[gap] - t0;
  let lowest: BridgedGap = p0 <= p1 ? { lowestM: p0, t: t0, afterIndex: gap } : { lowestM: p1, t: t[gap], afterIndex: gap };
  const STEPS = 64;
  for (let k = 1; k < STEPS; k++) {
    const s = k / STEPS;
    const s2 = s * s;
    const s3 = s2 * s;
    const h = (2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * T * v0 + (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * T * v1;
    if (h < lowest.lowestM) lowest = { lowestM: h, t: t0 + s * T, afterIndex: gap };
  }
  return lowest;
}
