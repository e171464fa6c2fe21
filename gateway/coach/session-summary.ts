/**
 * The session as the contract publishes it (docs/INTERFACES.md §4, MQTT `session`): the sensing core's summary
 * with the corrective drills for the lifter's posture joined to it. The join is here, in the coaching layer, so
 * the sensing core knows nothing of coaching content.
 */
import type { SensingSummary } from '../sensing/events.ts';
import type { Drills } from './plan.ts';
import { drillsFor } from './plan.ts';

export interface SessionSummary extends SensingSummary {
  readonly drills: Drills;
}

/** The summary with the drills for its posture (neutral's when it is unknown), `drills` in the contract's place. */
export function withDrills(summary: SensingSummary): SessionSummary {
  const { no_reps_reason, ...measured } = summary;
  return { ...measured, drills: drillsFor(summary.pelvic_tilt ?? 'neutral'), ...(no_reps_reason === undefined ? {} : { no_reps_reason }) };
}
