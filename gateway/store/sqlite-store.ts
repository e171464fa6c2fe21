/**
 * The history in one SQLite file (better-sqlite3), WAL mode.
 *
 * Durability: `synchronous = NORMAL`. In WAL mode every committed transaction is in the WAL file — handed to
 * the operating system — before the commit returns, so a killed process (SIGKILL, crash, OOM) loses nothing
 * it committed and never corrupts the file. FULL would add an fsync on every commit, which only protects the
 * last transactions against an OS crash or power loss (the file stays consistent either way). The gateway runs
 * the store on its event loop, and an fsync on an SD card can take tens of milliseconds that would stall the
 * live view and cues; losing the last few reps at a power cut is the better trade.
 *
 * better-sqlite3 is synchronous, so waiting for a lock inside SQLite would block the event loop. Instead each
 * attempt waits only briefly (SQLite's busy_timeout) and the store retries asynchronously until the configured
 * busy timeout is spent, leaving the event loop free in between. Writes are queued so they apply in call order.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Athlete, PublishedCue, PublishedRep, SensorAssignment } from '../core/domain.ts';
import type { SessionSummary } from '../sensing/events.ts';
import type {
  CalibrationFilter,
  CalibrationKind,
  CueFilter,
  HistoryStore,
  NewCalibration,
  NewSession,
  NewSet,
  RepFilter,
  SessionDetail,
  SessionFilter,
  SessionOverview,
  StoredCalibration,
  StoredRep,
  TrendPoint,
} from './history-store.ts';
import { migrate } from './migrations.ts';
import { toStoreError } from './sqlite-errors.ts';
import { StoreError } from './store-error.ts';
import { aggregates, MEASURED_DEPTH, toStoredSet } from './store-rows.ts';
import type { AggregateColumns, SetRow } from './store-rows.ts';
import {
  athleteIdSchema,
  athleteSchema,
  calibrationFilterSchema,
  cueFilterSchema,
  cueSchema,
  newCalibrationSchema,
  newSessionSchema,
  newSetSchema,
  repFilterSchema,
  repSchema,
  sessionFilterSchema,
  sessionIdSchema,
  sessionSummarySchema,
  setNumberSchema,
  timeSchema,
  validate,
} from './validation.ts';

export interface SqliteStoreOptions {
  /** How long a call keeps retrying while another connection holds the lock, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Largest the database may grow, bytes (PRAGMA max_page_count); unlimited by default. */
  readonly maxDatabaseBytes?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** Longest one attempt blocks the event loop waiting for a lock, ms. */
const ATTEMPT_BUSY_TIMEOUT_MS = 20;
const LONGEST_RETRY_PAUSE_MS = 100;

interface AthleteRow {
  id: string;
  name: string;
  sensors: string;
  cutoff_cm: number | null;
  wink_threshold_deg: number;
}

interface SessionRow extends AggregateColumns {
  id: string;
  athlete: string;
  started_at: number;
  ended_at: number | null;
  simulated: number;
  suggested_cutoff_cm: number | null;
  summary: string | null;
  set_count: number;
}

interface TrendRow extends AggregateColumns {
  id: string;
  started_at: number;
  simulated: number;
  suggested_cutoff_cm: number | null;
}

interface CalibrationRow {
  id: number;
  athlete: string;
  kind: CalibrationKind;
  at: number;
  vals: string;
}

/** Per-group rep aggregates over the rows of `reps r` joined to the group (a LEFT JOIN leaves them null). */
const AGGREGATES = `
  COUNT(r.id) AS reps,
  AVG(CASE WHEN ${MEASURED_DEPTH} THEN r.depth_cm END) AS mean_depth_cm,
  MAX(r.lumbar_flexion_max_deg) AS max_flexion_deg,
  AVG(r.butt_wink) AS wink_rate`;

const SESSION_COLUMNS = `
  s.id, s.athlete, s.started_at, s.ended_at, s.simulated, s.suggested_cutoff_cm, s.summary,
  (SELECT COUNT(*) FROM sets WHERE sets.session = s.id) AS set_count,
  ${AGGREGATES}`;

const bit = (value: boolean): number => (value ? 1 : 0);


function toAthlete(row: AthleteRow): Athlete {
  return {
    id: row.id,
    name: row.name,
    sensors: JSON.parse(row.sensors) as SensorAssignment[],
    cutoffCm: row.cutoff_cm,
    winkThresholdDeg: row.wink_threshold_deg,
  };
}

function toSessionOverview(row: SessionRow): SessionOverview {
  return {
    id: row.id,
    athlete: row.athlete,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    simulated: row.simulated === 1,
    setCount: row.set_count,
    suggestedCutoffCm: row.suggested_cutoff_cm,
    summary: row.summary === null ? null : (JSON.parse(row.summary) as SessionSummary),
    ...aggregates(row),
  };
}


/** WHERE clause from the conditions that apply, and the named parameters they use. */
function where(conditions: readonly (readonly [string, string, unknown] | false)[]): {
  clause: string;
  params: Record<string, unknown>;
} {
  const used = conditions.filter((c): c is readonly [string, string, unknown] => c !== false);
  const params: Record<string, unknown> = {};
  for (const [, name, value] of used) params[name] = value;
  return { clause: used.length === 0 ? '' : `WHERE ${used.map(([sql]) => sql).join(' AND ')}`, params };
}

export class SqliteHistoryStore implements HistoryStore {
  private readonly db: Database.Database;
  private readonly busyTimeoutMs: number;
  /** Settles when every queued write has run; writes chain onto it. */
  private writes: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Statements of the filter queries, one per combination of filters used. */
  private readonly filterStatements = new Map<string, Database.Statement>();
  private readonly statements;

  /** Use openSqliteStore(). */
  private constructor(db: Database.Database, busyTimeoutMs: number) {
    this.db = db;
    this.busyTimeoutMs = busyTimeoutMs;
    this.statements = {
      upsertAthlete: db.prepare(
        `INSERT INTO athletes (id, name, sensors, cutoff_cm, wink_threshold_deg)
         VALUES (@id, @name, @sensors, @cutoff_cm, @wink_threshold_deg)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, sensors = excluded.sensors,
           cutoff_cm = excluded.cutoff_cm, wink_threshold_deg = excluded.wink_threshold_deg`,
      ),
      getAthlete: db.prepare('SELECT * FROM athletes WHERE id = ?'),
      listAthletes: db.prepare('SELECT * FROM athletes ORDER BY id'),
      athleteExists: db.prepare('SELECT 1 FROM athletes WHERE id = ?'),
      insertSession: db.prepare(
        `INSERT INTO sessions (id, athlete, started_at, simulated) VALUES (@id, @athlete, @started_at, @simulated)
         ON CONFLICT DO NOTHING`,
      ),
      endSession: db.prepare(
        `UPDATE sessions SET ended_at = @ended_at, suggested_cutoff_cm = @suggested_cutoff_cm, summary = @summary
         WHERE id = @id`,
      ),
      sessionExists: db.prepare('SELECT 1 FROM sessions WHERE id = ?'),
      insertSet: db.prepare(
        `INSERT INTO sets (session, set_no, started_at, recording) VALUES (@session, @set_no, @started_at, @recording)
         ON CONFLICT DO NOTHING`,
      ),
      endSet: db.prepare('UPDATE sets SET ended_at = @ended_at WHERE session = @session AND set_no = @set_no'),
      setExists: db.prepare('SELECT 1 FROM sets WHERE session = ? AND set_no = ?'),
      insertRep: db.prepare(
        `INSERT INTO reps (id, session, set_no, idx, athlete, t_start, t_bottom, t_end, depth_cm,
           lumbar_flexion_max_deg, wink_deg, butt_wink, wink_onset_depth_cm, pelvic_tilt_max_deg, gap_fraction,
           simulated, rep)
         VALUES (@id, @session, @set_no, @idx, @athlete, @t_start, @t_bottom, @t_end, @depth_cm,
           @lumbar_flexion_max_deg, @wink_deg, @butt_wink, @wink_onset_depth_cm, @pelvic_tilt_max_deg, @gap_fraction,
           @simulated, @rep)
         ON CONFLICT DO NOTHING`,
      ),
      insertCue: db.prepare(
        `INSERT INTO cues (session, set_no, rep, athlete, kind, t, depth_cm, simulated, cue)
         VALUES (@session, @set_no, @rep, @athlete, @kind, @t, @depth_cm, @simulated, @cue)
         ON CONFLICT DO NOTHING`,
      ),
      insertCalibration: db.prepare(
        'INSERT INTO calibrations (athlete, kind, at, vals) VALUES (@athlete, @kind, @at, @vals)',
      ),
      getSession: db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions s LEFT JOIN reps r ON r.session = s.id WHERE s.id = ? GROUP BY s.id`,
      ),
      setsOfSession: db.prepare(
        `SELECT st.session, st.set_no, s.athlete, st.started_at, st.ended_at, st.recording, ${AGGREGATES}
         FROM sets st JOIN sessions s ON s.id = st.session
           LEFT JOIN reps r ON r.session = st.session AND r.set_no = st.set_no
         WHERE st.session = ? GROUP BY st.set_no ORDER BY st.set_no`,
      ),
      trends: db.prepare(
        `SELECT s.id, s.started_at, s.simulated, s.suggested_cutoff_cm, ${AGGREGATES}
         FROM sessions s JOIN reps r ON r.session = s.id
         WHERE s.athlete = ? GROUP BY s.id ORDER BY s.started_at, s.id`,
      ),
      recordingPath: db.prepare('SELECT recording FROM sets WHERE session = ? AND set_no = ?'),
    };
  }

  /** Opens (creating when missing) and migrates the database at `path`; `:memory:` for a throwaway one. */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteHistoryStore> {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const action = `open history database ${path}`;
    let db: Database.Database | undefined;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      const opened = db;
      opened.pragma(`busy_timeout = ${Math.min(ATTEMPT_BUSY_TIMEOUT_MS, busyTimeoutMs)}`);
      await retryWhileBusy(action, busyTimeoutMs, () => {
        // Switching to WAL needs a moment of exclusive access; it is persistent, so later opens find it set.
        opened.pragma('journal_mode = WAL');
        migrate(opened);
      });
      opened.pragma('synchronous = NORMAL');
      opened.pragma('foreign_keys = ON');
      if (options.maxDatabaseBytes !== undefined) {
        const pageSize = opened.pragma('page_size', { simple: true }) as number;
        opened.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxDatabaseBytes / pageSize))}`);
      }
      return new SqliteHistoryStore(opened, busyTimeoutMs);
    } catch (error) {
      db?.close();
      throw toStoreError(error, action);
    }
  }

  async upsertAthlete(athlete: Athlete): Promise<void> {
    const a = validate(athleteSchema, athlete, 'athlete');
    await this.write(`store athlete ${a.id}`, () => {
      this.statements.upsertAthlete.run({
        id: a.id,
        name: a.name,
        sensors: JSON.stringify(a.sensors),
        cutoff_cm: a.cutoffCm,
        wink_threshold_deg: a.winkThresholdDeg,
      });
    });
  }

  async getAthlete(id: string): Promise<Athlete | null> {
    const athleteId = validate(athleteIdSchema, id, 'athlete id');
    return this.read(`read athlete ${athleteId}`, () => {
      const row = this.statements.getAthlete.get(athleteId) as AthleteRow | undefined;
      return row === undefined ? null : toAthlete(row);
    });
  }

  async listAthletes(): Promise<Athlete[]> {
    return this.read('list athletes', () => (this.statements.listAthletes.all() as AthleteRow[]).map(toAthlete));
  }

  async startSession(session: NewSession): Promise<boolean> {
    const s = validate(newSessionSchema, session, 'session');
    return this.write(`start session ${s.id}`, () => {
      this.requireAthlete(s.athlete);
      const params = { id: s.id, athlete: s.athlete, started_at: s.startedAt, simulated: bit(s.simulated) };
      return this.statements.insertSession.run(params).changes === 1;
    });
  }

  async endSession(id: string, endedAt: number, summary: SessionSummary): Promise<void> {
    const sessionId = validate(sessionIdSchema, id, 'session id');
    const at = validate(timeSchema, endedAt, 'end time');
    const s = validate(sessionSummarySchema, summary, 'session summary');
    await this.write(`end session ${sessionId}`, () => {
      const params = {
        id: sessionId,
        ended_at: at,
        suggested_cutoff_cm: s.suggested_cutoff_cm,
        summary: JSON.stringify(s),
      };
      if (this.statements.endSession.run(params).changes === 0) {
        throw new StoreError('not_found', `end session ${sessionId}: no such session`);
      }
    });
  }

  async startSet(set: NewSet): Promise<boolean> {
    const s = validate(newSetSchema, set, 'set');
    return this.write(`start set ${s.set} of session ${s.session}`, () => {
      this.requireSession(s.session);
      const params = { session: s.session, set_no: s.set, started_at: s.startedAt, recording: s.recording };
      return this.statements.insertSet.run(params).changes === 1;
    });
  }

  async endSet(session: string, set: number, endedAt: number): Promise<void> {
    const sessionId = validate(sessionIdSchema, session, 'session id');
    const setNo = validate(setNumberSchema, set, 'set number');
    const at = validate(timeSchema, endedAt, 'end time');
    await this.write(`end set ${setNo} of session ${sessionId}`, () => {
      if (this.statements.endSet.run({ session: sessionId, set_no: setNo, ended_at: at }).changes === 0) {
        throw new StoreError('not_found', `end set ${setNo} of session ${sessionId}: no such set`);
      }
    });
  }

  async insertRep(rep: PublishedRep): Promise<boolean> {
    const r = validate(repSchema, rep, 'rep');
    return this.write(`store rep ${r.id}`, () => {
      this.requireSet(r.session, r.set);
      const inserted = this.statements.insertRep.run({
        id: r.id,
        session: r.session,
        set_no: r.set,
        idx: r.index,
        athlete: r.athlete,
        t_start: r.t_start,
        t_bottom: r.t_bottom,
        t_end: r.t_end,
        depth_cm: r.depth_cm,
        lumbar_flexion_max_deg: r.lumbar_flexion_max_deg,
        wink_deg: r.wink_deg,
        butt_wink: bit(r.butt_wink),
        wink_onset_depth_cm: r.wink_onset_depth_cm,
        pelvic_tilt_max_deg: r.pelvic_tilt_max_deg,
        gap_fraction: r.gap_fraction,
        simulated: bit(r.simulated),
        rep: JSON.stringify(r),
      });
      return inserted.changes === 1;
    });
  }

  async insertCue(cue: PublishedCue): Promise<boolean> {
    const c = validate(cueSchema, cue, 'cue');
    return this.write(`store cue of rep ${c.rep} in set ${c.set} of session ${c.session}`, () => {
      this.requireSet(c.session, c.set);
      const inserted = this.statements.insertCue.run({
        session: c.session,
        set_no: c.set,
        rep: c.rep,
        athlete: c.athlete,
        kind: c.kind,
        t: c.t,
        depth_cm: c.depth_cm,
        simulated: bit(c.simulated),
        cue: JSON.stringify(c),
      });
      return inserted.changes === 1;
    });
  }

  async addCalibration(calibration: NewCalibration): Promise<number> {
    const c = validate(newCalibrationSchema, calibration, 'calibration');
    return this.write(`store ${c.kind} calibration of ${c.athlete}`, () => {
      this.requireAthlete(c.athlete);
      const params = { athlete: c.athlete, kind: c.kind, at: c.at, vals: JSON.stringify(c.values) };
      return Number(this.statements.insertCalibration.run(params).lastInsertRowid);
    });
  }

  async listSessions(filter: SessionFilter = {}): Promise<SessionOverview[]> {
    const f = validate(sessionFilterSchema, filter, 'session filter');
    const { clause, params } = where([
      f.athlete !== undefined && ['s.athlete = @athlete', 'athlete', f.athlete],
      f.from !== undefined && ['s.started_at >= @from', 'from', f.from],
      f.to !== undefined && ['s.started_at < @to', 'to', f.to],
    ]);
    const sql = `SELECT ${SESSION_COLUMNS} FROM sessions s LEFT JOIN reps r ON r.session = s.id ${clause}
      GROUP BY s.id ORDER BY s.started_at DESC, s.id DESC LIMIT @limit OFFSET @offset`;
    return this.read('list sessions', () =>
      (this.filterStatement(sql).all({ ...params, ...page(f) }) as SessionRow[]).map(toSessionOverview),
    );
  }

  async getSession(id: string): Promise<SessionDetail | null> {
    const sessionId = validate(sessionIdSchema, id, 'session id');
    return this.read(`read session ${sessionId}`, () => {
      const row = this.statements.getSession.get(sessionId) as SessionRow | undefined;
      if (row === undefined) return null;
      const sets = (this.statements.setsOfSession.all(sessionId) as SetRow[]).map(toStoredSet);
      return { ...toSessionOverview(row), sets };
    });
  }

  async listReps(filter: RepFilter = {}): Promise<StoredRep[]> {
    const f = validate(repFilterSchema, filter, 'rep filter');
    const { clause, params } = where([
      f.athlete !== undefined && ['r.athlete = @athlete', 'athlete', f.athlete],
      f.session !== undefined && ['r.session = @session', 'session', f.session],
      f.set !== undefined && ['r.set_no = @set_no', 'set_no', f.set],
      f.buttWink !== undefined && ['r.butt_wink = @butt_wink', 'butt_wink', bit(f.buttWink)],
      f.from !== undefined && ['s.started_at >= @from', 'from', f.from],
      f.to !== undefined && ['s.started_at < @to', 'to', f.to],
    ]);
    const sql = `SELECT r.rep, s.started_at FROM reps r JOIN sessions s ON s.id = r.session ${clause}
      ORDER BY s.started_at, r.session, r.set_no, r.idx LIMIT @limit OFFSET @offset`;
    return this.read('list reps', () =>
      (this.filterStatement(sql).all({ ...params, ...page(f) }) as { rep: string; started_at: number }[]).map(
        (row) => ({ ...(JSON.parse(row.rep) as PublishedRep), session_started_at: row.started_at }),
      ),
    );
  }

  async listCues(filter: CueFilter): Promise<PublishedCue[]> {
    const f = validate(cueFilterSchema, filter, 'cue filter');
    const { clause, params } = where([
      ['session = @session', 'session', f.session],
      f.set !== undefined && ['set_no = @set_no', 'set_no', f.set],
    ]);
    const sql = `SELECT cue FROM cues ${clause} ORDER BY set_no, rep`;
    return this.read(`list cues of session ${f.session}`, () =>
      (this.filterStatement(sql).all(params) as { cue: string }[]).map((row) => JSON.parse(row.cue) as PublishedCue),
    );
  }

  async listCalibrations(filter: CalibrationFilter): Promise<StoredCalibration[]> {
    const f = validate(calibrationFilterSchema, filter, 'calibration filter');
    const { clause, params } = where([
      ['athlete = @athlete', 'athlete', f.athlete],
      f.kind !== undefined && ['kind = @kind', 'kind', f.kind],
    ]);
    const sql = `SELECT * FROM calibrations ${clause} ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset`;
    return this.read(`list calibrations of ${f.athlete}`, () =>
      (this.filterStatement(sql).all({ ...params, ...page(f) }) as CalibrationRow[]).map((row) => ({
        id: row.id,
        athlete: row.athlete,
        kind: row.kind,
        at: row.at,
        values: JSON.parse(row.vals) as Record<string, number>,
      })),
    );
  }

  async trends(athlete: string): Promise<TrendPoint[]> {
    const athleteId = validate(athleteIdSchema, athlete, 'athlete id');
    return this.read(`trends of ${athleteId}`, () =>
      (this.statements.trends.all(athleteId) as TrendRow[]).map((row) => ({
        session: row.id,
        startedAt: row.started_at,
        simulated: row.simulated === 1,
        suggestedCutoffCm: row.suggested_cutoff_cm,
        ...aggregates(row),
      })),
    );
  }

  async recordingPath(session: string, set: number): Promise<string | null> {
    const sessionId = validate(sessionIdSchema, session, 'session id');
    const setNo = validate(setNumberSchema, set, 'set number');
    return this.read(`read recording of set ${setNo} of session ${sessionId}`, () => {
      const row = this.statements.recordingPath.get(sessionId, setNo) as { recording: string | null } | undefined;
      return row?.recording ?? null;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes;
    try {
      this.db.close();
    } catch (error) {
      throw toStoreError(error, 'close history database');
    }
  }

  /** Runs `fn` in an immediate transaction after every earlier write: all of it happens or none. */
  private write<T>(action: string, fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(closedError(action));
    const transaction = this.db.transaction(fn);
    const result = this.writes.then(() => this.attempt(action, () => transaction.immediate()));
    this.writes = result.catch(() => undefined);
    return result;
  }

  /** Reads skip the write queue: WAL readers see the last commit and are never blocked by a writer. */
  private read<T>(action: string, fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(closedError(action));
    return this.attempt(action, fn);
  }

  private attempt<T>(action: string, fn: () => T): Promise<T> {
    return retryWhileBusy(action, this.busyTimeoutMs, () => {
      if (!this.db.open) throw closedError(action);
      return fn();
    });
  }

  private filterStatement(sql: string): Database.Statement {
    let statement = this.filterStatements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.filterStatements.set(sql, statement);
    }
    return statement;
  }

  private requireAthlete(id: string): void {
    if (this.statements.athleteExists.get(id) === undefined) throw new StoreError('not_found', `no athlete ${id}`);
  }

  private requireSession(id: string): void {
    if (this.statements.sessionExists.get(id) === undefined) throw new StoreError('not_found', `no session ${id}`);
  }

  private requireSet(session: string, set: number): void {
    if (this.statements.setExists.get(session, set) === undefined) {
      throw new StoreError('not_found', `set ${set} of session ${session} was never started`);
    }
  }
}

export function openSqliteStore(path: string, options?: SqliteStoreOptions): Promise<SqliteHistoryStore> {
  return SqliteHistoryStore.open(path, options);
}

/** SQLite's LIMIT -1 means no limit. */
function page(f: { limit?: number; offset?: number }): { limit: number; offset: number } {
  return { limit: f.limit ?? -1, offset: f.offset ?? 0 };
}

function closedError(action: string): StoreError {
  return new StoreError('closed', `${action}: the history store is closed`);
}

/**
 * Runs `fn`, and again after a short pause each time the database is busy, until `timeoutMs` has passed;
 * then fails with 'busy'. Other errors fail at once, as StoreErrors.
 */
async function retryWhileBusy<T>(action: string, timeoutMs: number, fn: () => T): Promise<T> {
  const start = performance.now();
  let pauseMs = 1;
  for (;;) {
    let error: StoreError;
    try {
      return fn();
    } catch (thrown) {
      error = toStoreError(thrown, action);
    }
    const waitedMs = performance.now() - start;
    if (error.code !== 'busy') throw error;
    if (waitedMs >= timeoutMs) {
      throw new StoreError(
        'busy',
        `${action}: the database stayed locked by another connection for ${Math.round(waitedMs)} ms`,
        { cause: error },
      );
    }
    await sleep(Math.min(pauseMs, timeoutMs - waitedMs));
    pauseMs = Math.min(pauseMs * 2, LONGEST_RETRY_PAUSE_MS);
  }
}
