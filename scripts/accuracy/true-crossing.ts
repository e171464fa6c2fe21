/**
 * The true time a rep's depth first reaches the cue cutoff, from the simulator's noise-free model: the
 * reference a cue's timing is scored against. Depth follows docs/INTERFACES.md §2 and the simulator's truth
 * (firmware-sim/model/truth.ts): drop of the depth sensor below its mean height over the
 * STANDING_REFERENCE_WINDOW_S before the rep's start, on the TRUTH_STEP_S grid of true time.
 */
import type { SquatSet } from '../../firmware-sim/model/index.ts';
import { TRUTH_STEP_S } from '../../firmware-sim/model/index.ts';

/**
 * First time in [tStart, tEnd] at which depthAt(t) ≥ cutoffCm, scanning a grid of `step` and interpolating
 * linearly inside the step where it happens (the grid is 1 ms, the cue tolerance 80 ms: sub-step precision
 * only keeps the reference from adding its own bias). Null when the depth never gets there.
 */
export function firstCrossing(
  depthAt: (t: number) => number,
  tStart: number,
  tEnd: number,
  cutoffCm: number,
  step: number = TRUTH_STEP_S,
): number | null {
  const count = Math.round((tEnd - tStart) / step);
  let previous = depthAt(tStart);
  if (previous >= cutoffCm) return tStart;
  for (let k = 1; k <= count; k++) {
    const t = tStart + k * step;
    const depth = depthAt(t);
    if (depth >= cutoffCm) return t - step + (step * (cutoffCm - previous)) / (depth - previous);
    previous = depth;
  }
  return null;
}

/** Index of the sensor whose drop is the depth: the sacrum sensor, else the thoracolumbar one. */
export function depthSensorIndex(set: SquatSet): number {
  const sacrum = set.sensors.findIndex((s) => s.placement === 'sacrum');
  return sacrum >= 0 ? sacrum : set.sensors.findIndex((s) => s.placement === 'thoracolumbar');
}

/** Depth (cm, positive down) of the depth sensor at true time t, below its standing height before `repStart`. */
export function trueDepthFunction(set: SquatSet, repStart: number): (t: number) => number {
  const sensor = depthSensorIndex(set);
  const position = new Float64Array(3);
  // The same reference as the truth's (the model's standing posture for touch-and-go and mid-set starts, the
  // upright top for touch-and-go reps that no quiet standing came before).
  const standingZ = set.standingHeightBefore(sensor, repStart);
  return (t) => (standingZ - set.position(sensor, t, position)[2]) * 100;
}

/** Per truth rep of `set`, the true time its descent first reaches `cutoffCm`, or null if it stays shallower. */
export function trueCutoffCrossings(set: SquatSet, cutoffCm: number): (number | null)[] {
  return set.truth.reps.map((rep) =>
    rep.depth_cm < cutoffCm ? null : firstCrossing(trueDepthFunction(set, rep.t_start), rep.t_start, rep.t_bottom, cutoffCm),
  );
}
