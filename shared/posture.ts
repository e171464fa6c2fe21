/**
 * Posture definitions that the gateway and the simulator's ground truth share (docs/INTERFACES.md §2): the
 * standing pelvic tilt classes and their thresholds, the butt-wink threshold and the suggested stopping depth.
 */
export type PelvicTilt = 'anterior' | 'neutral' | 'posterior';

export interface TiltThresholds {
  /** Standing lordosis below this, degrees: posterior (two sensors). */
  readonly lordosisPosteriorBelowDeg: number;
  /** Standing lordosis above this, degrees: anterior (two sensors). */
  readonly lordosisAnteriorAboveDeg: number;
  /** Sacral inclination below this, degrees: posterior (sacrum sensor only). */
  readonly sacralPosteriorBelowDeg: number;
  /** Sacral inclination above this, degrees: anterior (sacrum sensor only). */
  readonly sacralAnteriorAboveDeg: number;
}

export const DEFAULT_TILT_THRESHOLDS: TiltThresholds = Object.freeze({
  lordosisPosteriorBelowDeg: 20,
  lordosisAnteriorAboveDeg: 40,
  sacralPosteriorBelowDeg: 10,
  sacralAnteriorAboveDeg: 30,
});

/** `butt_wink` = `wink_deg` ≥ this, by default. */
export const DEFAULT_WINK_THRESHOLD_DEG = 10;

/**
 * By standing lordosis when both sensors are worn (the clinical dual-inclinometer angle), else by sacral
 * inclination. Null when neither is known (no quiet standing yet, or a single thoracolumbar sensor).
 */
export function classifyPelvicTilt(
  standingLordosisDeg: number | null,
  sacralInclinationDeg: number | null,
  thresholds: TiltThresholds = DEFAULT_TILT_THRESHOLDS,
): PelvicTilt | null {
  if (standingLordosisDeg !== null) {
    if (standingLordosisDeg < thresholds.lordosisPosteriorBelowDeg) return 'posterior';
    if (standingLordosisDeg > thresholds.lordosisAnteriorAboveDeg) return 'anterior';
    return 'neutral';
  }
  if (sacralInclinationDeg !== null) {
    if (sacralInclinationDeg < thresholds.sacralPosteriorBelowDeg) return 'posterior';
    if (sacralInclinationDeg > thresholds.sacralAnteriorAboveDeg) return 'anterior';
    return 'neutral';
  }
  return null;
}

/** How far above the athlete's wink onset the suggested stopping depth lies, cm. */
export const CUTOFF_MARGIN_CM = 2;

/**
 * The athlete's wink onset (contract v1.1): the 25th percentile, linearly interpolated, of the winking reps'
 * onset depths — where the back usually starts rounding, which one odd shallow rep cannot drag far. Null
 * when no rep winked.
 */
export function winkOnsetCm(winkOnsetDepthsCm: readonly number[]): number | null {
  const onsets = winkOnsetDepthsCm.filter(Number.isFinite).sort((a, b) => a - b);
  if (onsets.length === 0) return null;
  const h = 0.25 * (onsets.length - 1);
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, onsets.length - 1);
  return onsets[lo] + (h - lo) * (onsets[hi] - onsets[lo]);
}

/**
 * The suggested stopping depth: at or above the athlete's wink onset (winkOnsetCm), by at most 5 cm; null when
 * no rep winked. squatmon stops the lifter about 2 cm above that onset, rounded down to whole centimetres
 * (a number a lifter remembers): a margin for rep-to-rep variation that still trains nearly the whole range.
 */
export function suggestedCutoffCm(winkOnsetDepthsCm: readonly number[]): number | null {
  const onset = winkOnsetCm(winkOnsetDepthsCm);
  // floor(x − 2) lies in (x − 3, x − 2]: within the contract's 5 cm bound by construction.
  return onset === null ? null : Math.max(0, Math.floor(onset - CUTOFF_MARGIN_CM));
}

/** A winking rep's onset depth, with the rep's number in the session. */
export interface WinkOnset {
  readonly rep: number;
  readonly onset_cm: number;
}

/** What the suggested stopping depth rests on: the athlete's onset and the reps near it. */
export interface SuggestionBasis {
  /** The 25th percentile of the winking reps' onsets (winkOnsetCm), cm. */
  readonly onset_cm: number;
  /** The reps whose onsets lie within SUGGESTION_BASIS_BAND_CM of it, in session order. */
  readonly reps: readonly number[];
  /** The range of those reps' onsets, cm. */
  readonly onset_min_cm: number;
  readonly onset_max_cm: number;
}

/** Reps whose onset lies this close to the athlete's onset are the ones the suggestion rests on, cm. */
export const SUGGESTION_BASIS_BAND_CM = 2;

/** The suggestion's basis (null when no rep winked), so that it can say which reps it rests on. */
export function suggestionBasis(onsets: readonly WinkOnset[]): SuggestionBasis | null {
  const onset = winkOnsetCm(onsets.map((o) => o.onset_cm));
  if (onset === null) return null;
  let near = onsets.filter((o) => Math.abs(o.onset_cm - onset) <= SUGGESTION_BASIS_BAND_CM);
  // The interpolated onset may fall between two reps further apart than the band: then both of them, the one
  // shallower and the one deeper. Citing only the nearest (33 cm) beside a stopping depth interpolated deeper
  // (34 cm) read as "stop below where you start rounding".
  if (near.length === 0) {
    const shallower = onsets.filter((o) => o.onset_cm < onset);
    const deeper = onsets.filter((o) => o.onset_cm > onset);
    const closest = (list: readonly WinkOnset[]) => list.reduce((a, b) => (Math.abs(b.onset_cm - onset) < Math.abs(a.onset_cm - onset) ? b : a));
    near = [...(shallower.length > 0 ? [closest(shallower)] : []), ...(deeper.length > 0 ? [closest(deeper)] : [])];
  }
  const round1 = (x: number): number => Math.round(x * 10) / 10;
  return {
    onset_cm: round1(onset),
    reps: near.map((o) => o.rep).sort((a, b) => a - b),
    onset_min_cm: round1(Math.min(...near.map((o) => o.onset_cm))),
    onset_max_cm: round1(Math.max(...near.map((o) => o.onset_cm))),
  };
}
