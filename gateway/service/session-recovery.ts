/**
 * A gateway that died without a clean stop (power cut, SIGKILL) leaves its sessions open in the history: no end,
 * no summary, open sets. When the gateway starts again, it closes them cleanly from what was stored: the end is
 * the last stored rep's end (or the session's start), and the summary is what the stored reps tell — rep count
 * and suggested stopping depth; the standing posture, measured only live, stays unknown (null).
 */
import { suggestedCutoffCm, suggestionBasis } from '../../shared/posture.ts';
import { depthIsUncertain } from '../../shared/rep.ts';
import { drillsFor } from '../coach/plan.ts';
import type { SessionSummary } from '../coach/session-summary.ts';
import type { HistoryStore } from '../store/history-store.ts';
import type { Athlete } from '../core/domain.ts';
import type { Logger } from '../core/logger.ts';

/** Closes every session of `athlete` left open by an earlier run (all but `currentSession`); returns their ids. */
export async function closeInterruptedSessions(store: HistoryStore, athlete: Athlete, currentSession: string, logger: Logger): Promise<string[]> {
  const closed: string[] = [];
  const open = (await store.listSessions({ athlete: athlete.id })).filter((s) => s.endedAt === null && s.id !== currentSession);
  for (const session of open) {
    const reps = await store.listReps({ session: session.id });
    // Rep times are seconds from the session's start.
    const lastEndS = reps.reduce((m, r) => Math.max(m, r.t_end), 0);
    const endedAt = session.startedAt + Math.round(lastEndS * 1000);
    const detail = await store.getSession(session.id);
    for (const set of detail?.sets ?? []) if (set.endedAt === null) await store.endSet(session.id, set.set, endedAt);
    // As the live pipeline does: winking reps whose depth was measured (not estimated across a hole).
    const onsets = reps
      .filter((r) => r.butt_wink && r.wink_onset_depth_cm !== null && !depthIsUncertain(r.gap_fraction))
      .map((r) => ({ rep: r.index, onset_cm: r.wink_onset_depth_cm! }));
    const summary: SessionSummary = {
      type: 'session',
      reps: reps.length,
      sensors: athlete.sensors.map((s) => ({ id: s.id, placement: s.placement, flexion_axis_deg: null })),
      standing_lordosis_deg: null,
      sacral_inclination_deg: null,
      pelvic_tilt: null,
      suggested_cutoff_cm: suggestedCutoffCm(onsets.map((o) => o.onset_cm)),
      suggestion_basis: suggestionBasis(onsets),
      drills: drillsFor('neutral'),
    };
    await store.endSession(session.id, endedAt, summary);
    closed.push(session.id);
  }
  if (closed.length > 0) logger.warn('closed sessions an earlier run left open (it did not stop cleanly)', { athlete: athlete.id, sessions: closed });
  return closed;
}
