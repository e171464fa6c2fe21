/** `/athletes…`: the athletes, each one's trends, and the corrective plan with the stopping-depth advice. */
import type { Router } from 'express';
import { correctivePlan, DISCLAIMER } from '../../coach/plan.ts';
import { stoppingDepthAdvice } from '../../coach/stopping-depth.ts';
import type { SessionOverview } from '../../store/history-store.ts';
import type { RestApiOptions } from './api-support.ts';
import { requireAthlete } from './api-support.ts';

/** Sessions read per page while looking for the athlete's last known posture. */
const PLAN_SCAN_PAGE = 50;

export function athleteRoutes(router: Router, { store, liveSession }: RestApiOptions): void {
  router.get('/athletes', async (_req, res) => {
    res.json({ athletes: await store.listAthletes() });
  });

  router.get('/athletes/:id', async (req, res) => {
    res.json(await requireAthlete(store, req));
  });

  router.get('/athletes/:id/trends', async (req, res) => {
    const athlete = await requireAthlete(store, req);
    res.json({ athlete: athlete.id, trends: await store.trends(athlete.id) });
  });

  router.get('/athletes/:id/plan', async (req, res) => {
    const athlete = await requireAthlete(store, req);
    // Newest first: the first summary with a posture gives the tilt, the first summary at all the depth advice.
    let tiltSession: Pick<SessionOverview, 'id' | 'summary'> | null = null;
    let depthSession: Pick<SessionOverview, 'id' | 'summary'> | null = null;
    const running = liveSession?.(athlete.id) ?? null;
    if (running !== null) {
      depthSession = { id: running.session, summary: running };
      if (running.pelvic_tilt !== null) tiltSession = depthSession;
    }
    for (let offset = 0; tiltSession === null; offset += PLAN_SCAN_PAGE) {
      const page = await store.listSessions({ athlete: athlete.id, limit: PLAN_SCAN_PAGE, offset });
      for (const session of page) {
        if (session.summary === null) continue;
        depthSession ??= session;
        if (session.summary.pelvic_tilt !== null) {
          tiltSession = session;
          break;
        }
      }
      if (page.length < PLAN_SCAN_PAGE) break;
    }
    const tilt = tiltSession?.summary?.pelvic_tilt ?? null;
    const suggested = depthSession?.summary?.suggested_cutoff_cm ?? null;
    res.json({
      athlete: athlete.id,
      pelvic_tilt: tilt,
      tilt_session: tiltSession?.id ?? null,
      plan: tilt === null ? null : correctivePlan(tilt),
      message:
        tilt === null
          ? 'No standing posture measured yet: stand still for a few seconds at the start of a set so squatmon can tell your pelvic tilt.'
          : null,
      stopping_depth:
        depthSession === null
          ? null
          : {
              session: depthSession.id,
              suggested_cutoff_cm: suggested,
              suggestion_basis: depthSession.summary?.suggestion_basis ?? null,
              advice: stoppingDepthAdvice(suggested, depthSession.summary?.suggestion_basis),
            },
      current_cutoff_cm: athlete.cutoffCm,
      disclaimer: DISCLAIMER,
    });
  });
}
