/**
 * Standing pelvic tilt class (INTERFACES.md §2): by standing lordosis when both sensors are worn (the clinical
 * dual-inclinometer angle), else by sacral inclination. Thresholds are configurable.
 */
import type { PelvicTilt } from '../coach/plan.ts';

export interface TiltThresholds {
  /** Standing lordosis below this, degrees: posterior. */
  readonly lordosisPosteriorBelowDeg: number;
  /** Standing lordosis above this, degrees: anterior. */
  readonly lordosisAnteriorAboveDeg: number;
  /** Sacral inclination below this, degrees: posterior (one sensor). */
  readonly sacralPosteriorBelowDeg: number;
  /** Sacral inclination above this, degrees: anterior (one sensor). */
  readonly sacralAnteriorAboveDeg: number;
}

export const DEFAULT_TILT_THRESHOLDS: TiltThresholds = Object.freeze({
  lordosisPosteriorBelowDeg: 20,
  lordosisAnteriorAboveDeg: 40,
  sacralPosteriorBelowDeg: 10,
  sacralAnteriorAboveDeg: 30,
});

/**
 * Null when neither angle is known (no quiet standing yet, or a single thoracolumbar sensor: neither
 * lordosis nor sacral inclination can be measured then).
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
