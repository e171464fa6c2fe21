/** Row shapes and mappers both SQL stores share (the columns the dialects return alike). */
import type { StoredSet } from './history-store.ts';

/** Per-group rep aggregates, as both stores' AGGREGATES select them. */
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
