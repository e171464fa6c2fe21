/**
 * The acceptance targets of the sensing core (the text) and their pass/fail check. A metric with no
 * data to score, or with values the pipeline left null where the truth has one, fails: a check must not pass
 * by having nothing to look at.
 */
import type { AccuracyMetrics, MeanAbsError, Ratio } from './scoring.ts';
import type { BroadOrientationResult } from './orientation-broad.ts';

export interface TargetCheck {
  readonly metric: string;
  /** The measured value, formatted, with its sample size. */
  readonly measured: string;
  readonly target: string;
  readonly pass: boolean;
}

const atLeast = (metric: string, r: Ratio, min: number, note = ''): TargetCheck => ({
  metric,
  measured: r.value === null ? 'no data' : `${r.value.toFixed(3)} (${r.hits}/${r.total}${note})`,
  target: `≥ ${min}`,
  pass: r.value !== null && r.value >= min,
});

const atMost = (metric: string, e: MeanAbsError, max: number, unit: string): TargetCheck => ({
  metric,
  measured:
    (e.value === null ? 'no data' : `${e.value.toFixed(2)} ${unit} (n = ${e.n})`) +
    (e.missing > 0 ? `, ${e.missing} missing` : ''),
  target: `≤ ${max} ${unit}`,
  pass: e.value !== null && e.missing === 0 && e.value <= max,
});

/** The simulator targets, in the order. */
export function checkSimulatorTargets(m: AccuracyMetrics): TargetCheck[] {
  const f1 = m.winkF1;
  return [
    atLeast('Rep recall', m.repRecall, 0.99),
    atLeast('Rep precision (walk-outs, re-racks, fidgets present)', m.repPrecision, 0.99),
    atMost('Depth MAE', m.depthMaeCm, 2, 'cm'),
    atMost('Lumbar flexion max MAE (two sensors)', m.lumbarFlexionMaeDeg, 2, '°'),
    {
      metric: 'Butt wink F1 (true wink within ±2.5° of the threshold excluded)',
      measured:
        f1.value === null
          ? 'no data'
          : `${f1.value.toFixed(3)} (TP ${f1.tp}, FP ${f1.fp}, FN ${f1.fn}, TN ${f1.tn}; ${f1.excluded} excluded)`,
      target: '≥ 0.95',
      pass: f1.value !== null && f1.value >= 0.95,
    },
    atMost('Wink onset depth MAE (winked in truth and detection)', m.winkOnsetMaeCm, 3, 'cm'),
    atLeast('Standing tilt class accuracy (per set)', m.tiltAccuracy, 0.95),
    atMost('Standing lordosis MAE (two sensors)', m.standingLordosisMaeDeg, 3, '°'),
    atMost('Sacral inclination MAE', m.sacralInclinationMaeDeg, 3, '°'),
    atLeast('Cue recall (reps ≥ cutoff + 2 cm)', m.cueRecall, 0.95),
    atLeast('Cue precision (cues outside the ±2 cm band)', m.cuePrecision, 0.95),
    atLeast('Cue within 80 ms of the true crossing', m.cueTiming.withinTolerance, 0.9),
    atLeast('Suggested cutoff within 5 cm above the wink onset (winking sets)', m.suggestionInBand, 0.95),
  ];
}

/** BROAD: the bound on the mean inclination RMSE over the 8 trials (VQF's own figure is 0.73°). */
export const BROAD_MAX_MEAN_RMSE_DEG = 0.75;

export function checkBroadTarget(r: BroadOrientationResult): TargetCheck {
  return {
    metric: `BROAD mean inclination RMSE (${r.trials.length} trials)`,
    measured: `${r.meanDeg.toFixed(3)}° (VQF ${r.vqfMeanDeg.toFixed(2)}°)`,
    target: `≤ ${BROAD_MAX_MEAN_RMSE_DEG}°`,
    pass: r.meanDeg <= BROAD_MAX_MEAN_RMSE_DEG,
  };
}
