/** The per-rep fields of the contract (docs/INTERFACES.md §4), shared by the sensing core's rep and the simulator's truth. */
export interface RepFields {
  /** 1-based. */
  readonly index: number;
  /** The descent starts, s. */
  readonly t_start: number;
  /** The deepest point, s. */
  readonly t_bottom: number;
  /** Back up standing, s. */
  readonly t_end: number;
  readonly depth_cm: number;
  /** Null with one sensor. */
  readonly lumbar_flexion_max_deg: number | null;
  readonly wink_deg: number;
  readonly butt_wink: boolean;
  readonly wink_onset_depth_cm: number | null;
}

/**
 * Above this share of the depth sensor's samples missing inside a rep (lost packets, a dropped link), the
 * rep's depth is an estimate across a hole rather than a measurement: it is shown as uncertain and left out
 * of the stopping-depth suggestion and of the mean depth.
 */
export const UNCERTAIN_GAP_FRACTION = 0.25;

/** Whether a rep's depth is uncertain by its `gap_fraction` (absent in reps stored before it existed: no). */
export function depthIsUncertain(gapFraction: number | null | undefined): boolean {
  return (gapFraction ?? 0) > UNCERTAIN_GAP_FRACTION;
}
