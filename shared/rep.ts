/** The per-rep fields of the contract (INTERFACES.md §4), shared by the sensing core's rep and the simulator's truth. */
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
