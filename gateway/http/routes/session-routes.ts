/** `/sessions…`: sessions with their sets, each set's recording (download) and its curves (trace). */
import { basename } from 'node:path';
import type { Request, Router } from 'express';
import { DEFAULT_WINK_THRESHOLD_DEG } from '../../../shared/posture.ts';
import { RecordingError } from '../../../shared/recording/index.ts';
import { sessionIdSchema } from '../../store/validation.ts';
import { sessionsQuery, setNumberParam, traceQuery } from '../query-schemas.ts';
import { framesBetween, REP_MARGIN_S, SetTraceCache } from '../set-trace.ts';
import type { RestApiOptions } from './api-support.ts';
import { fileInside, HttpError, parse, queryOf } from './api-support.ts';

/** Set curves kept computed: a history page asks for several reps of the same set, one after another. */
const TRACE_CACHE_SETS = 8;

export function sessionRoutes(router: Router, { store, recordingsDir, logger, openSetRecording }: RestApiOptions): void {
  const traces = new SetTraceCache(TRACE_CACHE_SETS);

  router.get('/sessions', async (req, res) => {
    const q = parse(sessionsQuery, queryOf(req), 'query');
    const sessions = await store.listSessions(q);
    res.json({ sessions, limit: q.limit, offset: q.offset });
  });

  router.get('/sessions/:id', async (req, res) => {
    const id = parse(sessionIdSchema, req.params.id, 'session id');
    const session = await store.getSession(id);
    if (session === null) throw new HttpError(404, `no session ${id}`);
    res.json(session);
  });

  /**
   * The set's recording file named by the URL, if it is served: a regular file inside the recordings folder.
   * With `growingToo`, a set still open on this gateway answers with its growing file (`growing: true`).
   */
  async function servedRecording(
    req: Request,
    growingToo = false,
  ): Promise<{ session: string; set: number; file: string; growing: boolean }> {
    const session = parse(sessionIdSchema, req.params.id, 'session id');
    const set = parse(setNumberParam, req.params.set, 'set number');
    const stored = await store.recordingPath(session, set);
    if (stored === null) throw new HttpError(404, `no recording for set ${set} of session ${session}`);
    if (recordingsDir === null) throw new HttpError(404, 'recordings are not served by this gateway');
    let file = await fileInside(recordingsDir, stored);
    let growing = false;
    if (file === 'missing' && growingToo && openSetRecording) {
      const inProgress = await openSetRecording(session, set);
      if (inProgress !== null) {
        file = await fileInside(recordingsDir, inProgress);
        growing = true;
      }
    }
    if (file === 'missing') throw new HttpError(404, `the recording of set ${set} of session ${session} is missing`);
    if (file === 'outside') {
      logger.warn('http: refused a recording outside the recordings folder', { session, set });
      throw new HttpError(403, 'this recording lies outside the recordings folder and is not served');
    }
    return { session, set, file, growing };
  }

  router.get('/sessions/:id/sets/:set/recording', async (req, res) => {
    const { session, set, file } = await servedRecording(req);
    await new Promise<void>((done, fail) => {
      res.download(file, basename(file), { dotfiles: 'allow' }, (err) => {
        if (!err) done();
        // Gone between the check and the read: still just a missing recording.
        else fail(res.headersSent ? err : new HttpError(404, `the recording of set ${set} of session ${session} is missing`));
      });
    });
  });

  router.get('/sessions/:id/sets/:set/trace', async (req, res) => {
    const q = parse(traceQuery, queryOf(req), 'query');
    const { session, set, file, growing } = await servedRecording(req, true);
    // The stored rep's times, not a re-detected rep's: they are what the history lists.
    const rep = q.rep === undefined ? null : ((await store.listReps({ session, set })).find((r) => r.index === q.rep) ?? null);
    if (q.rep !== undefined && rep === null) throw new HttpError(404, `no rep ${q.rep} in set ${set} of session ${session}`);
    const athleteId = rep?.athlete ?? (await store.getSession(session))?.athlete ?? null;
    const athlete = athleteId === null ? null : await store.getAthlete(athleteId);
    let frames;
    // Set when the file's end is cut off (a set whose gateway was killed): the curve up to the cut is still true.
    let cutOff: string | null = null;
    const threshold = athlete?.winkThresholdDeg ?? DEFAULT_WINK_THRESHOLD_DEG;
    try {
      try {
        frames = await traces.frames(file, threshold, growing);
      } catch (err) {
        // Read again as far as it goes: a defect before the end still fails, with its own line.
        if (!(err instanceof RecordingError) || growing) throw err;
        frames = await traces.frames(file, threshold, true);
        cutOff = `line ${err.line}: ${err.message}`;
      }
    } catch (err) {
      if (err instanceof RecordingError) {
        throw new HttpError(422, `the recording of set ${set} of session ${session} cannot be read: line ${err.line}: ${err.message}`);
      }
      // Gone between the check and the read: still just a missing recording.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new HttpError(404, `the recording of set ${set} of session ${session} is missing`);
      throw err;
    }
    const about = { session, set, open: growing, ...(cutOff === null ? {} : { cut_off: cutOff }) };
    if (rep === null) res.json({ ...about, frames });
    else res.json({ ...about, rep, frames: framesBetween(frames, rep.t_start - REP_MARGIN_S, rep.t_end + REP_MARGIN_S) });
  });
}
