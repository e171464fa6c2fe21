/**
 * A second look at a still moment before the depth takes it for zero velocity. The stillness detector
 * (stillness.ts) tests each sample against thresholds a few times the sensor's noise; a slow squat's first or
 * last half second accelerates less than that (a 4 s descent of 30 cm peaks near 0.1 m/s²), and a noisy
 * sensor's thresholds are 0.3 m/s² and more. Taken for a rest, such a moment stops the velocity and, worse,
 * teaches the live depth that acceleration as its bias: the rest of the rep then drifts by centimetres.
 *
 * What tells them apart is the mean: at rest the vertical acceleration, less its learned bias, averages to
 * zero within the noise; in a slow movement it holds one sign. Averaged over a tenth of a second the noise
 * shrinks by √N, below a slow squat's acceleration. A still moment whose mean is off is not confirmed —
 * unless it lasts REST_CONFIRM_S, longer than any part of a squat can stay that quiet: then it is a rest and
 * the bias was what had changed (a pause at the bottom in a pose the bias model has not learned yet). Until a
 * first rest that long has taught the bias, there is nothing to compare with, and every still moment counts.
 * The mean is watched through the rest as well: a slow squat that starts from standing stays under the
 * stillness thresholds for its first half second, and its mean leaving the tolerance ends the rest there.
 *
 * The pelvis tells the same from its side: a slow shallow squat (13 cm in 2.5 s) accelerates at 0.1 m/s² at
 * most, but tilts the pelvis steadily at 2–8 °/s, under the stillness's per-sample gyroscope threshold yet far
 * from the zero mean of a rest. So the mean inclination rate must also stay within max(1 °/s, 3 × its rms over
 * this lifter's rests): a lifter who sways at rest raises it by as much as the sway needs.
 */

/**
 * Time constant of the mean, s: long enough to average the noise down (√(2τ/dt) samples), short enough that
 * the end of a movement the stillness window already lets through (the last of a stand-up's deceleration)
 * is forgotten by the time the stillness says still, so a real rest is confirmed at once.
 */
const MEAN_TAU_S = 0.1;
/** The mean may stray this far (m/s²) — what the bias model leaves at a new pose, the last of a stand-up's
 * deceleration — or this many of its σ. */
const MIN_MEAN_TOLERANCE = 0.09;
const MEAN_SIGMAS = 4;
/**
 * Through a confirmed rest the mean is held to less: the learned bias is what it is compared with, and a slow
 * squat's first half second (0.02–0.09 m/s²) must end the rest before it teaches the bias or hides the onset.
 * At least this much (m/s²), or this many times its rms over this lifter's rests (a lifter who sways moves
 * the hips up and down a few millimetres: 0.05 m/s² and more).
 */
const MIN_WATCH_TOLERANCE = 0.025;
const ACC_SPREAD_FACTOR = 3;
/**
 * A still moment this long is a rest whatever its mean, s — unless the pelvis keeps turning: a tempo squat of
 * 25 cm in 3.8 s accelerates at under 0.1 m/s² and tilts the pelvis at 1–3.5 °/s, under every per-sample
 * threshold of a good IMU for more than this, but its mean inclination rate holds one sign.
 */
const REST_CONFIRM_S = 1.2;
/**
 * A still moment whose mean has held steady this long (within the watch tolerance), with the pelvis not
 * turning, is a rest at a pose whose bias the live estimate has not learned (a pause at the bottom): a slow
 * movement's acceleration keeps changing (a squat's jerk is never zero for long), a rest's stays put, s.
 */
const STEADY_REST_S = 0.4;
/** Within the loose tolerance (MIN_MEAN_TOLERANCE), a mean steady this long is enough, s. */
const STEADY_NEAR_REST_S = 0.2;
/**
 * …and only within this of the learned bias (m/s²): an accelerometer bias of 0.15 m/s² per axis, seen at a pose
 * 45° from the one it was learned at, moves the vertical by about that much; a mean held further off is a
 * movement (or a bias only the long rule should trust).
 */
const MAX_STEADY_MEAN = 0.15;
/** The mean inclination rate may stray this far (°/s), or this many of its rms over the lifter's rests (sway). */
const MIN_RATE_TOLERANCE_DEG_S = 1;
const RATE_SPREAD_FACTOR = 3;
/** Time constant (of rest time) of that rms, s. */
const RATE_SPREAD_TAU_S = 5;

export class RestConfirmation {
  private mean = 0;
  /** Mean of the depth sensor's inclination rate over the same time, °/s, and its mean square over rests. */
  private rateMean = 0;
  private restRateSquare = Number.NaN;
  private restAccSquare = Number.NaN;
  private stillForS = 0;
  /** The mean where it last moved by more than the watch tolerance, and for how long it has stayed there. */
  private steadyMean = Number.NaN;
  private steadyForS = 0;
  private confirmed = false;
  /** The rest's mean has been within the tolerance of a learned bias, and is watched for a slow movement. */
  private watchMean = false;
  /** A rest of REST_CONFIRM_S has been seen: the live bias is learned and the mean can be trusted. */
  private biasLearned = false;
  /** In doubt since a hole (distrustVertical), and whether the bias was learned when the doubt began. */
  private verticalDoubted = false;
  private learnedBeforeDoubt = false;
  /**
   * The mean has ended a rest of this still stretch (a slow start). Until the stillness sees movement, only the
   * mean's return to the bias or the length of the stretch confirm a rest, not its steadiness: a slow start's
   * mean drifts slowly enough to look steady, and a rest flickering on and off restarts the depth integration
   * at each sample it is on (the refined window then started late in a tempo squat's descent, 3–4 cm short).
   */
  private departed = false;
  /** The mean a confirmed rest is watched against, m/s² (0: the learned bias). */
  private watchLevel = 0;

  /**
   * The live bias was just learned some other way than at a rest (a touch-and-go cycle), or the link dropped
   * (a hole over 0.5 s: the orientation restarts after it, and the live depth came out of it metres off): until
   * a rest of REST_CONFIRM_S has confirmed it, every still moment counts again — an acceleration off by 0.15
   * m/s² would otherwise refuse every short rest, and nothing would correct it.
   */
  distrustBias(): void {
    this.biasLearned = false;
    this.learnedBeforeDoubt = false;
  }

  /**
   * The vertical itself is in doubt (the orientation was bridged across a hole in the samples): every still
   * moment counts, as after distrustBias, but only until the caller has checked the vertical at a still moment
   * (trustVerticalAgain). Until a rest of REST_CONFIRM_S, as distrustBias, it left a set with shorter rests in
   * doubt to its end, and a slow descent's first half second passed for rest (docs/SENSING.md §5).
   */
  distrustVertical(): void {
    if (!this.verticalDoubted) this.learnedBeforeDoubt = this.biasLearned;
    this.verticalDoubted = true;
    this.biasLearned = false;
  }

  /** Whether distrustVertical's doubt holds: the caller is to check the vertical at its next still moment. */
  get verticalInDoubt(): boolean {
    return this.verticalDoubted;
  }

  /** Ends distrustVertical's doubt: the bias counts as learned again if it was, and no distrustBias came since. */
  trustVerticalAgain(): void {
    if (!this.verticalDoubted) return;
    this.verticalDoubted = false;
    this.biasLearned = this.biasLearned || this.learnedBeforeDoubt;
  }

  /** The mean is within both tolerances of `level` (the learned bias: 0), with the bias learned and the pelvis quiet. */
  private heldAt(level: number, tolerance: number, watchTolerance: number, pelvisQuiet: boolean): boolean {
    const off = Math.abs(this.mean - level);
    return this.biasLearned && pelvisQuiet && off <= tolerance && off <= watchTolerance;
  }

  /**
   * One sample: dt (s), the vertical acceleration less the live bias (m/s²), whether the stillness detector
   * says still, the accelerometer's noise rms per sample (m/s²) and the sensor's inclination rate (°/s).
   * Returns whether this is a rest.
   */
  update(dt: number, accLessBias: number, still: boolean, noiseRms: number, inclinationRateDegS = 0): boolean {
    if (Number.isFinite(accLessBias) && dt > 0) this.mean += Math.min(1, dt / MEAN_TAU_S) * (accLessBias - this.mean);
    if (Number.isFinite(inclinationRateDegS) && dt > 0) this.rateMean += Math.min(1, dt / MEAN_TAU_S) * (inclinationRateDegS - this.rateMean);
    if (!still) {
      this.departed = false;
      this.stillForS = 0;
      this.steadyMean = Number.NaN;
      this.confirmed = false;
      this.watchMean = false;
      return false;
    }
    this.stillForS += dt > 0 ? dt : 0;
    // The mean's noise: an exponential average over τ of white noise keeps σ·√(dt / 2τ) of it.
    const meanNoise = MEAN_SIGMAS * noiseRms * Math.sqrt(Math.max(dt, 0) / (2 * MEAN_TAU_S));
    const tolerance = Math.max(MIN_MEAN_TOLERANCE, meanNoise);
    if (this.stillForS >= REST_CONFIRM_S) {
      this.biasLearned = true;
      this.verticalDoubted = false;
    }
    const rateTolerance = Number.isNaN(this.restRateSquare) ? Infinity : Math.max(MIN_RATE_TOLERANCE_DEG_S, RATE_SPREAD_FACTOR * Math.sqrt(this.restRateSquare));
    const pelvisQuiet = Math.abs(this.rateMean) <= rateTolerance;
    const within = this.biasLearned && Math.abs(this.mean) <= tolerance && pelvisQuiet;
    const watchTolerance = Number.isNaN(this.restAccSquare)
      ? tolerance
      : Math.max(MIN_WATCH_TOLERANCE, meanNoise, ACC_SPREAD_FACTOR * Math.sqrt(this.restAccSquare));
    const withinWatch = this.heldAt(0, tolerance, watchTolerance, pelvisQuiet);
    if (!(Math.abs(this.mean - this.steadyMean) <= watchTolerance)) {
      this.steadyMean = this.mean;
      this.steadyForS = 0;
    } else if (dt > 0) {
      this.steadyForS += dt;
    }
    // After a departure (below) the mean's steadiness confirms nothing more in this still stretch.
    const steadyRest =
      pelvisQuiet &&
      !this.departed &&
      ((this.steadyForS >= STEADY_REST_S && Math.abs(this.mean) <= MAX_STEADY_MEAN) || (this.steadyForS >= STEADY_NEAR_REST_S && Math.abs(this.mean) <= tolerance));
    if (!this.confirmed) {
      this.confirmed = !this.biasLearned || withinWatch || steadyRest || (this.stillForS >= REST_CONFIRM_S && pelvisQuiet);
      // The level the watch holds the rest to: the learned bias, or for a rest at a pose whose bias is not
      // learned yet (confirmed by a steady mean off it) that steady level — its noise crossing the tolerance
      // around the bias would otherwise end and confirm it every other sample.
      if (this.confirmed) this.watchLevel = withinWatch || !steadyRest ? 0 : this.steadyMean;
    } else if (this.watchMean && !this.heldAt(this.watchLevel, tolerance, watchTolerance, pelvisQuiet)) {
      // A rest whose mean has left the tolerance: a slow movement has begun under the thresholds (a slow
      // shallow squat starts at 0.05–0.1 m/s²). It ends the rest now, before the bias learns it.
      this.confirmed = false;
      this.watchMean = false;
      this.stillForS = 0;
      this.departed = true;
      return false;
    }
    // Watched once its mean is within the tolerance of a learned bias: not while a rest confirmed by its
    // length is still teaching the bias anew.
    if (this.confirmed && within) this.watchMean = true;
    if (this.watchMean && dt > 0) {
      const gain = Math.min(1, dt / RATE_SPREAD_TAU_S);
      const r2 = this.rateMean * this.rateMean;
      this.restRateSquare = Number.isNaN(this.restRateSquare) ? r2 : this.restRateSquare + gain * (r2 - this.restRateSquare);
      const a2 = this.mean * this.mean;
      this.restAccSquare = Number.isNaN(this.restAccSquare) ? a2 : this.restAccSquare + gain * (a2 - this.restAccSquare);
    }
    return this.confirmed;
  }
}
