/**
 * What the sensing core emits (docs/INTERFACES.md §4 and §6). Field names are the contract's (snake_case); fields
 * may be added, never removed. The live gateway adds `id`, `athlete`, `session`, `set` on the way out.
 */
import type { SensorFace, SensorInfo } from '../../shared/imu.ts';
import type { RepFields } from '../../shared/rep.ts';
import type { PelvicTilt, SuggestionBasis } from '../../shared/posture.ts';

/** A rep (index: 1-based, in the order reps end) with two extension fields. */
export interface RepEvent extends RepFields {
  readonly type: 'rep';
  /** Largest anterior pelvic tilt change during the rep (Δθ_sacrum at t_peak), degrees. Extension. */
  readonly pelvic_tilt_max_deg: number;
  /** Samples of the depth sensor missing inside the rep (lost packets), as a fraction. Extension. */
  readonly gap_fraction: number;
  /** Lumbar flexion max as % of the lifter's own maximum (from a maximum flexion test); null without one. Extension. */
  readonly lumbar_flexion_pct_of_max?: number | null;
}

export interface CueEvent {
  readonly type: 'cue';
  readonly kind: 'depth_cutoff';
  /** Time of the first sample whose causal depth reached the cutoff. */
  readonly t: number;
  /** Index the rep in progress will have when it ends. */
  readonly rep: number;
  /** The causal depth at that sample, cm (≥ the cutoff). */
  readonly depth_cm: number;
}

export type Phase = 'standing' | 'descent' | 'bottom' | 'ascent' | 'moving';

/** A live frame, for the dashboard and MQTT `.../live` (decimated by the caller to ≤ 50 Hz). */
export interface LiveFrame {
  readonly type: 'live';
  readonly t: number;
  /** Causal depth below the standing height, cm (positive down). */
  readonly depth_cm: number;
  /** Null with one sensor. */
  readonly lumbar_flexion_deg: number | null;
  /** Δθ_sacrum (positive anterior); null without a sacrum sensor. */
  readonly pelvic_tilt_deg: number | null;
  readonly phase: Phase;
  readonly cutoff_cm: number | null;
}

/** A sensor as the session reports it: its id and placement, and (extension) where its flexion axis lies. */
export interface SessionSensor extends Omit<SensorInfo, 'face'> {
  /** Angle of the flexion (left–right) axis from the sensor's +x axis, degrees; null before any movement. */
  readonly flexion_axis_deg: number | null;
  /**
   * Which way round the sensor is worn (docs/INTERFACES.md §1 v1.1): `out` (z axis outward, the contract's
   * convention) or `in`, as configured or as found from the movement; null before any squat-like movement.
   * Absent in summaries stored by older versions.
   */
  readonly face?: SensorFace | null;
}

/** The session as the sensing core sees it; coach/session-summary.ts joins the drills to it for publishing. */
export interface SensingSummary {
  readonly type: 'session';
  readonly reps: number;
  readonly sensors: SessionSensor[];
  /** Null with one sensor. */
  readonly standing_lordosis_deg: number | null;
  /** Null without a sacrum sensor. */
  readonly sacral_inclination_deg: number | null;
  /** Null when it cannot be told (no quiet standing seen, or no sacrum sensor and no lordosis). */
  readonly pelvic_tilt: PelvicTilt | null;
  readonly suggested_cutoff_cm: number | null;
  /** What the suggestion rests on (the onset, the reps near it and their onsets). Extension; absent in older summaries. */
  readonly suggestion_basis?: SuggestionBasis | null;
  /** The lifter's maximum lumbar flexion from a maximum flexion test in this session, null without one. Extension. */
  readonly max_lumbar_flexion_deg?: number | null;
  /** Why no rep was found, in words (null when reps were found). Extension. */
  readonly no_reps_reason?: string | null;
}

export type SensingEvent = RepEvent | CueEvent | LiveFrame | SensingSummary;
