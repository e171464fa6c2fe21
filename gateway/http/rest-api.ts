/**
 * The REST API under `/api`: history (athletes, sessions, sets, reps, trends), the corrective plan, exports,
 * recording downloads, each set's curves computed from its recording, and the same commands as the MQTT bridge
 * requests. Every input is validated before
 * anything is done; bad input is answered 400 `{error}`, unknown ids 404, an unavailable store 503, a command the
 * service refuses 409; nothing here throws past the error handler.
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { z } from 'zod';
import { DEFAULT_WINK_THRESHOLD_DEG } from '../../shared/posture.ts';
import { RecordingError } from '../../shared/recording/index.ts';
import { correctivePlan, DISCLAIMER } from '../coach/plan.ts';
import { stoppingDepthAdvice } from '../coach/stopping-depth.ts';
import type { BridgeCommands, CommandName } from '../core/commands.ts';
import { CommandError, dispatch, RequestSchemas } from '../core/commands.ts';
import type { Logger } from '../core/logger.ts';
import type { PublishedSession } from '../core/domain.ts';
import type { HistoryStore, RepFilter, SessionOverview } from '../store/history-store.ts';
import { isStoreError } from '../store/store-error.ts';
import { athleteIdSchema, sessionIdSchema } from '../store/validation.ts';
import { describeIssues, exportQuery, repsQuery, sessionsQuery, setNumberParam, traceQuery } from './query-schemas.ts';
import type { RepsQuery } from './query-schemas.ts';
import { repsCsv } from './reps-csv.ts';
import { framesBetween, REP_MARGIN_S, SetTraceCache } from './set-trace.ts';

/**
 * The service's commands: exactly the MQTT bridge's (`bridge/request/<command>`), so one object serves both.
 * Throw `CommandError` to refuse with a message the client sees.
 */
export type GatewayCommands = BridgeCommands;

export interface RestApiOptions {
  readonly store: HistoryStore;
  readonly commands: GatewayCommands;
  /** Folder the set recordings live in; only files inside it are served. Null: recordings are not served. */
  readonly recordingsDir: string | null;
  readonly logger: Logger;
  /**
   * The running session's summary of an athlete as last published (MQTT `session`), or null. The plan uses it
   * before the stored sessions: their summaries are stored when they end, and a plan that ignored the running
   * session said "no posture measured yet" while the live view showed one.
   */
  readonly liveSession?: (athlete: string) => PublishedSession | null;
  /**
   * The growing recording of a set that is still open on this gateway (flushed up to now), or null. The trace
   * of an open set is computed from it, so the history can replay a set while it runs.
   */
  readonly openSetRecording?: (session: string, set: number) => Promise<string | null>;
}

/** Largest JSON body accepted, bytes. */
export const MAX_BODY_BYTES = 16 * 1024;
/** Commands executing at once; beyond it the client is told to retry, so nothing queues without bound. */
const MAX_CONCURRENT_COMMANDS = 16;
/** Sessions read per page while looking for the athlete's last known posture. */
const PLAN_SCAN_PAGE = 50;
/** Set curves kept computed: a history page asks for several reps of the same set, one after another. */
const TRACE_CACHE_SETS = 8;

/** An answer other than 200, carried to the error handler. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, `invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
}

function queryOf(req: Request): Record<string, unknown> {
  // `token` authenticates the request (browser links, ws); it is no filter.
  const { token: _token, ...rest } = req.query as Record<string, unknown>;
  return rest;
}

function repFilter(q: RepsQuery): RepFilter {
  return {
    athlete: q.athlete,
    session: q.session,
    set: q.set,
    from: q.from,
    to: q.to,
    buttWink: q.butt_wink,
    limit: q.limit,
    offset: q.offset,
  };
}

type CommandRoute = { method: 'post' | 'put'; path: string; command: CommandName };

/** REST twins of the MQTT requests: the athlete comes from the URL, the rest from the JSON body. */
const COMMAND_ROUTES: readonly CommandRoute[] = [
  { method: 'post', path: '/athletes/:id/set/start', command: 'set_start' },
  { method: 'post', path: '/athletes/:id/set/stop', command: 'set_stop' },
  { method: 'put', path: '/athletes/:id/cutoff', command: 'set_cutoff' },
  { method: 'put', path: '/athletes/:id/wink-threshold', command: 'set_wink_threshold' },
  { method: 'put', path: '/athletes/:id/name', command: 'name_athlete' },
  { method: 'post', path: '/athletes/:id/calibrate', command: 'calibrate' },
];

export function restApi({ store, commands, recordingsDir, logger, liveSession, openSetRecording }: RestApiOptions): Router {
  const router = express.Router();
  let commandsRunning = 0;
  const traces = new SetTraceCache(TRACE_CACHE_SETS);

  async function requireAthlete(req: Request) {
    const id = parse(athleteIdSchema, req.params.id, 'athlete id');
    const athlete = await store.getAthlete(id);
    if (athlete === null) throw new HttpError(404, `no athlete ${id}`);
    return athlete;
  }

  router.get('/athletes', async (_req, res) => {
    res.json({ athletes: await store.listAthletes() });
  });

  router.get('/athletes/:id', async (req, res) => {
    res.json(await requireAthlete(req));
  });

  router.get('/athletes/:id/trends', async (req, res) => {
    const athlete = await requireAthlete(req);
    res.json({ athlete: athlete.id, trends: await store.trends(athlete.id) });
  });

  router.get('/athletes/:id/plan', async (req, res) => {
    const athlete = await requireAthlete(req);
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

  router.get('/reps', async (req, res) => {
    const q = parse(repsQuery, queryOf(req), 'query');
    res.json({ reps: await store.listReps(repFilter(q)), limit: q.limit, offset: q.offset });
  });

  router.get('/export/reps.csv', async (req, res) => {
    const q = parse(exportQuery, queryOf(req), 'query');
    const csv = repsCsv(await store.listReps(repFilter(q)));
    res.attachment('squatmon-reps.csv').type('text/csv; charset=utf-8').send(csv);
  });

  router.get('/export/reps.json', async (req, res) => {
    const q = parse(exportQuery, queryOf(req), 'query');
    const body = JSON.stringify(await store.listReps(repFilter(q)));
    res.attachment('squatmon-reps.json').type('application/json; charset=utf-8').send(body);
  });

  const json = express.json({ limit: MAX_BODY_BYTES, strict: true });
  for (const route of COMMAND_ROUTES) {
    router[route.method](route.path, requireJsonBody, json, async (req: Request, res: Response) => {
      const athlete = (await requireAthlete(req)).id;
      const body: unknown = req.body ?? {};
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new HttpError(400, 'the body must be a JSON object');
      }
      if (Object.hasOwn(body, 'athlete')) throw new HttpError(400, 'the athlete is given by the URL, not the body');
      const parsed = parse(RequestSchemas[route.command], { ...body, athlete }, 'body');
      const { transaction: _omit, ...request } = parsed as Record<string, unknown>;
      if (commandsRunning >= MAX_CONCURRENT_COMMANDS) throw new HttpError(503, 'busy: too many commands in progress, retry');
      commandsRunning += 1;
      try {
        const run = dispatch[route.command] as (c: GatewayCommands, r: unknown) => Promise<unknown>;
        const data = await run(commands, request);
        res.json(data === undefined ? { status: 'ok' } : { status: 'ok', data });
      } finally {
        commandsRunning -= 1;
      }
    });
  }

  router.use((req, _res, next) => next(new HttpError(404, `no such API route: ${req.method} /api${req.path}`)));
  router.use(apiErrorHandler(logger));
  return router;
}

/** A body that is not JSON would be ignored by the JSON parser and read as "no fields": refuse it clearly. */
function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json')) next(new HttpError(415, 'the body must be JSON (Content-Type: application/json)'));
  else next();
}

/** The real path of `stored` if it is a regular file inside `root`; relative paths are taken from `root`. */
async function fileInside(root: string, stored: string): Promise<string | 'missing' | 'outside'> {
  let realRoot: string;
  let realFile: string;
  try {
    realRoot = await realpath(root);
    // Resolving links first: a link inside the folder pointing out of it is outside.
    realFile = await realpath(resolve(realRoot, stored));
  } catch {
    return 'missing';
  }
  const rel = relative(realRoot, realFile);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return 'outside';
  try {
    if (!(await stat(realFile)).isFile()) return 'missing';
  } catch {
    return 'missing';
  }
  return realFile;
}

/** What a client is told about a store failure: the kind, what to do; details stay in the log. */
const STORE_UNAVAILABLE: Partial<Record<string, string>> = {
  busy: 'the history store is busy, retry in a moment',
  full: 'the history store is full (disk or size limit reached)',
  readonly: 'the history store cannot be written',
  closed: 'the history store is closed (the gateway is shutting down)',
  io: 'the history store cannot be read (disk error)',
  corrupt: 'the history store is damaged',
};

function apiErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const [status, error] = classify(err);
    if (status >= 500) logger.error('http: request failed', { method: req.method, path: req.path, error: (err as Error)?.message });
    if (res.headersSent) {
      // A download broke off midway: nothing can be answered any more, only the connection closed.
      res.destroy();
      return;
    }
    res.status(status).json({ error });
  };
}

function classify(err: unknown): [number, string] {
  if (err instanceof HttpError) return [err.status, err.message];
  if (err instanceof CommandError) return [409, err.message];
  if (isStoreError(err)) {
    if (err.code === 'invalid') return [400, err.message];
    if (err.code === 'not_found') return [404, err.message];
    const unavailable = STORE_UNAVAILABLE[err.code];
    if (unavailable !== undefined) return [503, unavailable];
    return [500, 'internal error'];
  }
  // body-parser's errors carry a status and whether their message may be shown.
  const parserError = err as { status?: unknown; expose?: unknown; type?: unknown; message?: unknown };
  if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    if (parserError.type === 'entity.too.large') return [413, `the body is larger than ${MAX_BODY_BYTES} bytes`];
    if (parserError.type === 'entity.parse.failed') return [400, 'the body is not valid JSON'];
    return [parserError.status, parserError.expose === true ? String(parserError.message) : 'bad request'];
  }
  return [500, 'internal error'];
}
