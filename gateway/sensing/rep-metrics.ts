/**
 * Per-rep metrics by the operational definitions of docs/INTERFACES.md §2, computed once a rep has ended from its
 * (refined) sample series. Pure: arrays in, numbers out.
 */
import { DEFAULT_WINK_THRESHOLD_DEG } from '../../shared/posture.ts';

export const BOTTOM_PHASE_FRACTION = 0.95;

export interface RepSeries {
  /** Sample times, s, increasing. */
  readonly t: ArrayLike<number>;
  /** Depth below the standing height just before the rep, cm, positive down. */
  readonly depthCm: ArrayLike<number>;
  /** Pelvic tilt change Δθ_sacrum, degrees (positive = anterior). */
  readonly pelvicTiltDeg: ArrayLike<number>;
  /** Lumbar flexion φ, degrees, or null with one sensor. */
  readonly lumbarFlexionDeg: ArrayLike<number> | null;
  /** Index range of the rep within the arrays: [start, end). */
  readonly start: number;
  readonly end: number;
}

export interface RepMetrics {
  readonly t_bottom: number;
  readonly depth_cm: number;
  /** Index of the last sample of the bottom phase (depth ≥ 95 % of the rep's depth). */
  readonly bottomEndIndex: number;
  readonly t_peak: number;
  readonly lumbar_flexion_max_deg: number | null;
  readonly wink_deg: number;
  readonly butt_wink: boolean;
  readonly wink_onset_depth_cm: number | null;
}

export function computeRepMetrics(s: RepSeries, winkThresholdDeg = DEFAULT_WINK_THRESHOLD_DEG): RepMetrics {
  if (s.end - s.start < 1) throw new Error('computeRepMetrics: empty rep');
  let bottomIndex = s.start;
  for (let i = s.start + 1; i < s.end; i++) if (s.depthCm[i] > s.depthCm[bottomIndex]) bottomIndex = i;
  const depth = s.depthCm[bottomIndex];

  let bottomEnd = bottomIndex;
  const bottomLevel = BOTTOM_PHASE_FRACTION * depth;
  for (let i = s.end - 1; i > bottomIndex; i--) {
    if (s.depthCm[i] >= bottomLevel) {
      bottomEnd = i;
      break;
    }
  }

  // t_peak: the most anterior pelvis from the rep's start to the end of the bottom phase.
  // Samples where a sensor had not reported yet (a recording that starts inside a rep, one sensor's first
  // sample a little after the other's) are NaN and skipped: one of them must not make the whole rep's angle NaN.
  let peak = s.start;
  while (peak < bottomEnd && !Number.isFinite(s.pelvicTiltDeg[peak])) peak++;
  for (let i = peak + 1; i <= bottomEnd; i++) if (s.pelvicTiltDeg[i] > s.pelvicTiltDeg[peak]) peak = i;
  let minAfterPeak = s.pelvicTiltDeg[peak];
  for (let i = peak + 1; i <= bottomEnd; i++) if (s.pelvicTiltDeg[i] < minAfterPeak) minAfterPeak = s.pelvicTiltDeg[i];
  const winkDeg = s.pelvicTiltDeg[peak] - minAfterPeak;
  const buttWink = winkDeg >= winkThresholdDeg;

  let flexionMax: number | null = null;
  if (s.lumbarFlexionDeg) {
    let max = -Infinity;
    for (let i = s.start; i < s.end; i++) if (s.lumbarFlexionDeg[i] > max) max = s.lumbarFlexionDeg[i];
    flexionMax = Number.isFinite(max) ? max : null;
  }

  return {
    t_bottom: s.t[bottomIndex],
    depth_cm: depth,
    bottomEndIndex: bottomEnd,
    t_peak: s.t[peak],
    lumbar_flexion_max_deg: flexionMax,
    wink_deg: winkDeg,
    butt_wink: buttWink,
    wink_onset_depth_cm: buttWink ? s.depthCm[peak] : null,
  };
}
