/** Hand-made history facts and throwaway database directories for the store tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Athlete, PublishedCue, PublishedRep } from '../../gateway/core/domain.ts';
import { repId } from '../../gateway/core/domain.ts';
import type { SessionSummary } from '../../gateway/coach/session-summary.ts';
import type { HistoryStore } from '../../gateway/store/history-store.ts';

/** A fresh directory per call; `cleanup` removes them all. */
export function tempDirs(): { make(): string; cleanup(): void } {
  const made: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(join(tmpdir(), 'squatmon-store-'));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function athlete(id: string, overrides: Partial<Athlete> = {}): Athlete {
  return {
    id,
    name: `Athlete ${id}`,
    sensors: [
      { id: 'S1', placement: 'thoracolumbar', driver: 'squatmon', match: 'aa:bb:cc:dd:ee:01' },
      { id: 'S2', placement: 'sacrum', driver: 'witmotion', match: null },
    ],
    cutoffCm: 35,
    winkThresholdDeg: 10,
    ...overrides,
  };
}

/** Session id `YYYYMMDD-HHMMSS-<athlete>` for a start time (UTC). */
export function sessionId(athleteId: string, startedAt: number): string {
  const iso = new Date(startedAt).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${athleteId}`;
}

export function rep(
  ref: { athlete: string; session: string; set: number },
  index: number,
  fields: Partial<PublishedRep> = {},
): PublishedRep {
  return {
    type: 'rep',
    index,
    t_start: 10 * index,
    t_bottom: 10 * index + 1.5,
    t_end: 10 * index + 3.2,
    depth_cm: 30 + index,
    lumbar_flexion_max_deg: 8 + index / 2,
    wink_deg: 2,
    butt_wink: false,
    wink_onset_depth_cm: null,
    pelvic_tilt_max_deg: 12.5,
    gap_fraction: 0,
    id: repId(ref, index),
    athlete: ref.athlete,
    session: ref.session,
    set: ref.set,
    simulated: false,
    ...fields,
  };
}

export function cue(ref: { athlete: string; session: string; set: number }, repIndex: number): PublishedCue {
  return {
    type: 'cue',
    kind: 'depth_cutoff',
    t: 10 * repIndex + 1.2,
    rep: repIndex,
    depth_cm: 35.4,
    athlete: ref.athlete,
    session: ref.session,
    set: ref.set,
    simulated: false,
  };
}

export function summary(reps: number, suggestedCutoffCm: number | null): SessionSummary {
  return {
    type: 'session',
    reps,
    sensors: [
      { id: 'S1', placement: 'thoracolumbar', flexion_axis_deg: 95.5 },
      { id: 'S2', placement: 'sacrum', flexion_axis_deg: 271 },
    ],
    standing_lordosis_deg: 31.2,
    sacral_inclination_deg: 21,
    pelvic_tilt: 'neutral',
    suggested_cutoff_cm: suggestedCutoffCm,
    drills: { strengthen: [], stretch: [{ muscle: 'hamstrings', exercises: ['Hamstring stretch'] }] },
  };
}

/** Stores an athlete (if new), a session and one started set; returns the set's reference. */
export async function startedSet(
  store: HistoryStore,
  athleteId: string,
  startedAt: number,
  set = 1,
  simulated = false,
): Promise<{ athlete: string; session: string; set: number }> {
  if ((await store.getAthlete(athleteId)) === null) await store.upsertAthlete(athlete(athleteId));
  const session = sessionId(athleteId, startedAt);
  await store.startSession({ id: session, athlete: athleteId, startedAt, simulated });
  await store.startSet({ session, set, athlete: athleteId, startedAt, recording: null });
  return { athlete: athleteId, session, set };
}
