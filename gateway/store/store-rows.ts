/** Row shapes and mappers of the SQL history store (sql-history-store.ts) that the columns of both databases fit. */
import { UNCERTAIN_GAP_FRACTION } from '../../shared/rep.ts';
import type { StoredSet } from './history-store.ts';

/**
 * SQL condition (both dialects) on `reps r`: the rep's depth was measured, not estimated across a hole
 * (shared/rep.ts). Reps stored before gap_fraction existed have it null and count as measured.
 */
export const MEASURED_DEPTH = `(r.gap_fraction IS NULL OR r.gap_fraction <= ${UNCERTAIN_GAP_FRACTION})`;

/** Per-group rep aggregates, as both stores' AGGREGATES select them (the mean depth over MEASURED_DEPTH reps). */
export interface AggregateColumns {
  reps: number;
  mean_depth_cm: number | null;
  max_flexion_deg: number | null;
  wink_rate: number | null;
}

export interface SetRow extends AggregateColumns {
  session: string;
  set_no: number;
  athlete: string;
  started_at: number;
  ended_at: number | null;
  recording: string | null;
}

export function aggregates(row: AggregateColumns) {
  return { reps: row.reps, meanDepthCm: row.mean_depth_cm, maxFlexionDeg: row.max_flexion_deg, winkRate: row.wink_rate };
}

export function toStoredSet(row: SetRow): StoredSet {
  return {
    session: row.session,
    set: row.set_no,
    athlete: row.athlete,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    recording: row.recording,
    ...aggregates(row),
  };
}
