/**
 * Tuning of the orientation filter, in physical units. The defaults of the VQF paper's parameters are the paper's
 * (Laidig & Seel 2023, Table 1, 6D part) except tauAcc; they do not depend on the sampling rate.
 */
export interface OrientationParams {
  /** Time constant of the accelerometer low-pass filter in the almost-inertial frame, s. Larger: trust the
   *  gyroscope longer, so brief linear accelerations (a squat's descent and drive) tilt the estimate less. */
  tauAcc: number;
  /** Estimate the gyroscope bias while the sensor rests. */
  restBiasEstimation: boolean;
  /** Estimate the gyroscope bias during motion, from the inclination corrections. */
  motionBiasEstimation: boolean;
  /** Standard deviation of the initial bias estimate (0), °/s. */
  biasSigmaInit: number;
  /** Time in which the bias uncertainty grows by 0.1 °/s (std) when nothing corrects it, s. */
  biasForgettingTime: number;
  /** Largest plausible bias magnitude per axis, °/s: estimates and innovations are clipped to it. */
  biasClip: number;
  /** Steady-state std of the bias estimate under continuous motion, °/s (sets the motion measurement noise). */
  biasSigmaMotion: number;
  /** How strongly the unobservable vertical bias component is pulled to 0, relative to the horizontal
   *  measurement (dimensionless; the vertical pseudo-measurement noise is the horizontal one divided by it). */
  biasVerticalForgettingFactor: number;
  /** Steady-state std of the bias estimate at rest, °/s. */
  biasSigmaRest: number;
  /** How long the sensor must be still before rest is detected, s. */
  restMinT: number;
  /** Time constant of the low-pass filters used by rest detection, s. */
  restFilterTau: number;
  /** Rest threshold on the gyroscope's deviation from its low-pass, °/s. */
  restThGyr: number;
  /** Rest threshold on the accelerometer's deviation from its low-pass, m/s². */
  restThAcc: number;
  /** Nominal sample period, s, if known (e.g. from the sensor's configured rate): used until the timestamps
   *  have shown the real one. Null: learned from the timestamps from the second sample on. */
  samplePeriod: number | null;
  /** A gap longer than this, s, makes the orientation unknown: inclination is re-initialised from the
   *  accelerometer (the bias estimate is kept). Shorter gaps are bridged with the gyroscope. */
  maxGapTime: number;
}

/** The VQF paper's accelerometer time constant, s (the default differs: see tauAcc below). */
export const VQF_PAPER_TAU_ACC_S = 3.0;

export const DEFAULT_ORIENTATION_PARAMS: Readonly<OrientationParams> = Object.freeze({
  // The paper's 3 s left a gyroscope bias the filter had not learned yet (a set without rests, a cheap sensor's
  // 1–2 °/s) as a 3–4° inclination error (bias × tauAcc), which the depth and the cue inherit; 2 s halves it
  // where it matters and is still better on BROAD than 3 s (mean RMSE 0.720° vs 0.731°; 1.75 s: 0.751°).
  // Measured choice: docs/SENSING.md §2, "τ_acc".
  tauAcc: 2.0,
  restBiasEstimation: true,
  motionBiasEstimation: true,
  biasSigmaInit: 0.5,
  biasForgettingTime: 100.0,
  biasClip: 2.0,
  biasSigmaMotion: 0.1,
  biasVerticalForgettingFactor: 0.0001,
  biasSigmaRest: 0.03,
  restMinT: 1.5,
  restFilterTau: 0.5,
  restThGyr: 2.0,
  restThAcc: 0.5,
  samplePeriod: null,
  // Half a second: a link that drops across a squat's bottom misses the pelvis tilting forward and back again,
  // which rates interpolated across the hole cannot know — a 0.8 s hole left the inclination 30° off, to
  // be corrected over seconds (the vertical acceleration 0.9 m/s² off while standing). The accelerometer
  // after the hole is nearer. Was 1 s; docs/SENSING.md §2, "Long holes".
  maxGapTime: 0.5,
});

/** Defaults overlaid with the given values; throws on values that would make the filter meaningless. */
export function resolveOrientationParams(params: Partial<OrientationParams> = {}): OrientationParams {
  const p: OrientationParams = { ...DEFAULT_ORIENTATION_PARAMS, ...params };
  const positive: (keyof OrientationParams)[] = [
    'tauAcc',
    'biasSigmaInit',
    'biasForgettingTime',
    'biasClip',
    'biasSigmaMotion',
    'biasVerticalForgettingFactor',
    'biasSigmaRest',
    'restFilterTau',
    'restThGyr',
    'restThAcc',
    'maxGapTime',
  ];
  for (const key of positive) {
    const v = p[key];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      throw new RangeError(`orientation parameter ${key} must be a positive number, got ${String(v)}`);
    }
  }
  if (!(p.restMinT >= 0)) throw new RangeError(`orientation parameter restMinT must be ≥ 0, got ${p.restMinT}`);
  if (p.samplePeriod !== null && !(p.samplePeriod > 0 && p.samplePeriod < p.maxGapTime)) {
    throw new RangeError(`orientation parameter samplePeriod must be in (0, maxGapTime), got ${p.samplePeriod}`);
  }
  return p;
}
