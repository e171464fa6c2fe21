/**
 * The rep history over SQL: one implementation of HistoryStore for SQLite (sqlite-store.ts, one file by the
 * rack) and PostgreSQL (postgres-store.ts, a historian's server). Validation first (whatever reaches SQL is
 * well-formed, bad input gets one 'invalid' error before anything is written), one transaction per write (all
 * or nothing), writes applied in call order (a set before its reps), idempotent inserts of facts with stable ids.
 *
 * The SQL is written once for both databases: `?` placeholders, booleans bound as 1/0 and JSON as text (both
 * accept them), aggregates cast to the types both return as numbers; the few spellings that differ come from
 * the database's SqlDialect. Rows come back as each driver decodes them: booleans as 1/0 or true/false, JSON as
 * text or as parsed values; `flag` and `parsed` read both.
 */
import type { Athlete, PublishedCue, PublishedRep, SensorAssignment } from '../core/domain.ts';
import type { SessionSummary } from '../coach/session-summary.ts';
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
import type { SqlDatabase, SqlSession } from './sql-database.ts';
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

interface AthleteRow {
  id: string;
  name: string;
  sensors: unknown;
  cutoff_cm: number | null;
  wink_threshold_deg: number;
}

interface SessionRow extends AggregateColumns {
  id: string;
  athlete: string;
  started_at: number;
  ended_at: number | null;
  simulated: unknown;
  suggested_cutoff_cm: number | null;
  summary: unknown;
  set_count: number;
}

interface TrendRow extends AggregateColumns {
  id: string;
  started_at: number;
  simulated: unknown;
  suggested_cutoff_cm: number | null;
}

interface CalibrationRow {
  id: number;
  athlete: string;
  kind: CalibrationKind;
  at: number;
  vals: unknown;
}

/**
 * Per-group rep aggregates over `reps r` joined to the group (a LEFT JOIN leaves them null). The casts make
 * PostgreSQL return numbers (COUNT is bigint, AVG numeric, both handed over as strings by pg) and let AVG take
 * its boolean; SQLite's results are unchanged by them.
 */
const AGGREGATES = `
  CAST(COUNT(r.id) AS INTEGER) AS reps,
  CAST(AVG(CASE WHEN ${MEASURED_DEPTH} THEN r.depth_cm END) AS DOUBLE PRECISION) AS mean_depth_cm,
  MAX(r.lumbar_flexion_max_deg) AS max_flexion_deg,
  CAST(AVG(CAST(r.butt_wink AS INTEGER)) AS DOUBLE PRECISION) AS wink_rate`;

const SESSION_COLUMNS = `
  s.id, s.athlete, s.started_at, s.ended_at, s.simulated, s.suggested_cutoff_cm, s.summary,
  (SELECT CAST(COUNT(*) AS INTEGER) FROM sets WHERE sets.session = s.id) AS set_count,
  ${AGGREGATES}`;

/** A boolean as both databases bind it. */
const bit = (value: boolean): number => (value ? 1 : 0);
/** A boolean column as either driver returns it (1/0 or true/false). */
const flag = (value: unknown): boolean => value === true || value === 1;
/** A JSON column as either driver returns it (text, or already parsed). */
function parsed<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

function toAthlete(row: AthleteRow): Athlete {
  return {
    id: row.id,
    name: row.name,
    sensors: parsed<SensorAssignment[]>(row.sensors),
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
    simulated: flag(row.simulated),
    setCount: row.set_count,
    suggestedCutoffCm: row.suggested_cutoff_cm,
    summary: row.summary === null ? null : parsed<SessionSummary>(row.summary),
    ...aggregates(row),
  };
}

/** A WHERE clause from the conditions that apply (`?` where each value goes) and its values, in order. */
class Conditions {
  readonly params: unknown[] = [];
  private readonly parts: string[] = [];

  add(sql: string, value: unknown): this {
    this.parts.push(sql);
    this.params.push(value);
    return this;
  }

  get clause(): string {
    return this.parts.length === 0 ? '' : `WHERE ${this.parts.join(' AND ')}`;
  }
}

function closedError(action: string): StoreError {
  return new StoreError('closed', `${action}: the history store is closed`);
}

export class SqlHistoryStore implements HistoryStore {
  /** Settles when every queued write has run; writes chain onto it. */
  private writes: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly db: SqlDatabase) {}

  async upsertAthlete(athlete: Athlete): Promise<void> {
    const a = validate(athleteSchema, athlete, 'athlete');
    await this.write(`store athlete ${a.id}`, (s) =>
      s.run(
        `INSERT INTO athletes (id, name, sensors, cutoff_cm, wink_threshold_deg) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, sensors = excluded.sensors,
           cutoff_cm = excluded.cutoff_cm, wink_threshold_deg = excluded.wink_threshold_deg`,
        [a.id, a.name, JSON.stringify(a.sensors), a.cutoffCm, a.winkThresholdDeg],
      ),
    );
  }

  async getAthlete(id: string): Promise<Athlete | null> {
    const athleteId = validate(athleteIdSchema, id, 'athlete id');
    const [row] = await this.read(`read athlete ${athleteId}`, (s) => s.all<AthleteRow>('SELECT * FROM athletes WHERE id = ?', [athleteId]));
    return row === undefined ? null : toAthlete(row);
  }

  async listAthletes(): Promise<Athlete[]> {
    const rows = await this.read('list athletes', (s) => s.all<AthleteRow>(`SELECT * FROM athletes ORDER BY id${this.db.dialect.byBytes}`));
    return rows.map(toAthlete);
  }

  async startSession(session: NewSession): Promise<boolean> {
    const n = validate(newSessionSchema, session, 'session');
    return this.write(`start session ${n.id}`, async (s) => {
      await requireRow(s, 'SELECT 1 FROM athletes WHERE id = ?', [n.athlete], `no athlete ${n.athlete}`);
      const inserted = await s.run('INSERT INTO sessions (id, athlete, started_at, simulated) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
        n.id,
        n.athlete,
        n.startedAt,
        bit(n.simulated),
      ]);
      return inserted.changes === 1;
    });
  }

  async endSession(id: string, endedAt: number, summary: SessionSummary): Promise<void> {
    const sessionId = validate(sessionIdSchema, id, 'session id');
    const at = validate(timeSchema, endedAt, 'end time');
    const sum = validate(sessionSummarySchema, summary, 'session summary');
    await this.write(`end session ${sessionId}`, async (s) => {
      const updated = await s.run('UPDATE sessions SET ended_at = ?, suggested_cutoff_cm = ?, summary = ? WHERE id = ?', [
        at,
        sum.suggested_cutoff_cm,
        JSON.stringify(sum),
        sessionId,
      ]);
      if (updated.changes === 0) throw new StoreError('not_found', `end session ${sessionId}: no such session`);
    });
  }

  async startSet(set: NewSet): Promise<boolean> {
    const n = validate(newSetSchema, set, 'set');
    return this.write(`start set ${n.set} of session ${n.session}`, async (s) => {
      await requireRow(s, 'SELECT 1 FROM sessions WHERE id = ?', [n.session], `no session ${n.session}`);
      const inserted = await s.run('INSERT INTO sets (session, set_no, started_at, recording) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
        n.session,
        n.set,
        n.startedAt,
        n.recording,
      ]);
      return inserted.changes === 1;
    });
  }

  async endSet(session: string, set: number, endedAt: number): Promise<void> {
    const sessionId = validate(sessionIdSchema, session, 'session id');
    const setNo = validate(setNumberSchema, set, 'set number');
    const at = validate(timeSchema, endedAt, 'end time');
    await this.write(`end set ${setNo} of session ${sessionId}`, async (s) => {
      const updated = await s.run('UPDATE sets SET ended_at = ? WHERE session = ? AND set_no = ?', [at, sessionId, setNo]);
      if (updated.changes === 0) throw new StoreError('not_found', `end set ${setNo} of session ${sessionId}: no such set`);
    });
  }

  async insertRep(rep: PublishedRep): Promise<boolean> {
    const r = validate(repSchema, rep, 'rep');
    return this.write(`store rep ${r.id}`, async (s) => {
      await requireSet(s, r.session, r.set);
      const inserted = await s.run(
        `INSERT INTO reps (id, session, set_no, idx, athlete, t_start, t_bottom, t_end, depth_cm,
           lumbar_flexion_max_deg, wink_deg, butt_wink, wink_onset_depth_cm, pelvic_tilt_max_deg, gap_fraction,
           simulated, rep)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
        [
          r.id,
          r.session,
          r.set,
          r.index,
          r.athlete,
          r.t_start,
          r.t_bottom,
          r.t_end,
          r.depth_cm,
          r.lumbar_flexion_max_deg,
          r.wink_deg,
          bit(r.butt_wink),
          r.wink_onset_depth_cm,
          r.pelvic_tilt_max_deg,
          r.gap_fraction,
          bit(r.simulated),
          JSON.stringify(r),
        ],
      );
      return inserted.changes === 1;
    });
  }

  async insertCue(cue: PublishedCue): Promise<boolean> {
    const c = validate(cueSchema, cue, 'cue');
    return this.write(`store cue of rep ${c.rep} in set ${c.set} of session ${c.session}`, async (s) => {
      await requireSet(s, c.session, c.set);
      const inserted = await s.run(
        `INSERT INTO cues (session, set_no, rep, athlete, kind, t, depth_cm, simulated, cue)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [c.session, c.set, c.rep, c.athlete, c.kind, c.t, c.depth_cm, bit(c.simulated), JSON.stringify(c)],
      );
      return inserted.changes === 1;
    });
  }

  async addCalibration(calibration: NewCalibration): Promise<number> {
    const c = validate(newCalibrationSchema, calibration, 'calibration');
    return this.write(`store ${c.kind} calibration of ${c.athlete}`, async (s) => {
      await requireRow(s, 'SELECT 1 FROM athletes WHERE id = ?', [c.athlete], `no athlete ${c.athlete}`);
      const inserted = await s.run('INSERT INTO calibrations (athlete, kind, at, vals) VALUES (?, ?, ?, ?) RETURNING id', [
        c.athlete,
        c.kind,
        c.at,
        JSON.stringify(c.values),
      ]);
      return Number(inserted.rows[0]!.id);
    });
  }

  async listSessions(filter: SessionFilter = {}): Promise<SessionOverview[]> {
    const f = validate(sessionFilterSchema, filter, 'session filter');
    const where = new Conditions();
    if (f.athlete !== undefined) where.add('s.athlete = ?', f.athlete);
    if (f.from !== undefined) where.add('s.started_at >= ?', f.from);
    if (f.to !== undefined) where.add('s.started_at < ?', f.to);
    const sql = `SELECT ${SESSION_COLUMNS} FROM sessions s LEFT JOIN reps r ON r.session = s.id ${where.clause}
      GROUP BY s.id ORDER BY s.started_at DESC, s.id${this.db.dialect.byBytes} DESC LIMIT ? OFFSET ?`;
    const rows = await this.read('list sessions', (s) => s.all<SessionRow>(sql, [...where.params, ...this.page(f)]));
    return rows.map(toSessionOverview);
  }

  async getSession(id: string): Promise<SessionDetail | null> {
    const sessionId = validate(sessionIdSchema, id, 'session id');
    return this.read(`read session ${sessionId}`, async (s) => {
      const [row] = await s.all<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions s LEFT JOIN reps r ON r.session = s.id WHERE s.id = ? GROUP BY s.id`,
        [sessionId],
      );
      if (row === undefined) return null;
      const sets = await s.all<SetRow>(
        `SELECT st.session, st.set_no, s.athlete, st.started_at, st.ended_at, st.recording, ${AGGREGATES}
         FROM sets st JOIN sessions s ON s.id = st.session
           LEFT JOIN reps r ON r.session = st.session AND r.set_no = st.set_no
         WHERE st.session = ? GROUP BY st.session, st.set_no, s.id ORDER BY st.set_no`,
        [sessionId],
      );
      return { ...toSessionOverview(row), sets: sets.map(toStoredSet) };
    });
  }

  async listReps(filter: RepFilter = {}): Promise<StoredRep[]> {
    const f = validate(repFilterSchema, filter, 'rep filter');
    const where = new Conditions();
    if (f.athlete !== undefined) where.add('r.athlete = ?', f.athlete);
    if (f.session !== undefined) where.add('r.session = ?', f.session);
    if (f.set !== undefined) where.add('r.set_no = ?', f.set);
    if (f.buttWink !== undefined) where.add('r.butt_wink = ?', bit(f.buttWink));
    if (f.from !== undefined) where.add('s.started_at >= ?', f.from);
    if (f.to !== undefined) where.add('s.started_at < ?', f.to);
    const sql = `SELECT r.rep, s.started_at FROM reps r JOIN sessions s ON s.id = r.session ${where.clause}
      ORDER BY s.started_at, r.session${this.db.dialect.byBytes}, r.set_no, r.idx LIMIT ? OFFSET ?`;
    const rows = await this.read('list reps', (s) => s.all<{ rep: unknown; started_at: number }>(sql, [...where.params, ...this.page(f)]));
    return rows.map((row) => ({ ...parsed<PublishedRep>(row.rep), session_started_at: row.started_at }));
  }

  async listCues(filter: CueFilter): Promise<PublishedCue[]> {
    const f = validate(cueFilterSchema, filter, 'cue filter');
    const where = new Conditions().add('session = ?', f.session);
    if (f.set !== undefined) where.add('set_no = ?', f.set);
    const sql = `SELECT cue FROM cues ${where.clause} ORDER BY set_no, rep`;
    const rows = await this.read(`list cues of session ${f.session}`, (s) => s.all<{ cue: unknown }>(sql, where.params));
    return rows.map((row) => parsed<PublishedCue>(row.cue));
  }

  async listCalibrations(filter: CalibrationFilter): Promise<StoredCalibration[]> {
    const f = validate(calibrationFilterSchema, filter, 'calibration filter');
    const where = new Conditions().add('athlete = ?', f.athlete);
    if (f.kind !== undefined) where.add('kind = ?', f.kind);
    const sql = `SELECT * FROM calibrations ${where.clause} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`;
    const rows = await this.read(`list calibrations of ${f.athlete}`, (s) => s.all<CalibrationRow>(sql, [...where.params, ...this.page(f)]));
    return rows.map((row) => ({ id: row.id, athlete: row.athlete, kind: row.kind, at: row.at, values: parsed<Record<string, number>>(row.vals) }));
  }

  async trends(athlete: string): Promise<TrendPoint[]> {
    const athleteId = validate(athleteIdSchema, athlete, 'athlete id');
    const rows = await this.read(`trends of ${athleteId}`, (s) =>
      s.all<TrendRow>(
        `SELECT s.id, s.started_at, s.simulated, s.suggested_cutoff_cm, ${AGGREGATES}
         FROM sessions s JOIN reps r ON r.session = s.id
         WHERE s.athlete = ? GROUP BY s.id ORDER BY s.started_at, s.id${this.db.dialect.byBytes}`,
        [athleteId],
      ),
    );
    return rows.map((row) => ({
      session: row.id,
      startedAt: row.started_at,
      simulated: flag(row.simulated),
      suggestedCutoffCm: row.suggested_cutoff_cm,
      ...aggregates(row),
    }));
  }

  async recordingPath(session: string, set: number): Promise<string | null> {
    const sessionId = validate(sessionIdSchema, session, 'session id');
    const setNo = validate(setNumberSchema, set, 'set number');
    const [row] = await this.read(`read recording of set ${setNo} of session ${sessionId}`, (s) =>
      s.all<{ recording: string | null }>('SELECT recording FROM sets WHERE session = ? AND set_no = ?', [sessionId, setNo]),
    );
    return row?.recording ?? null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes;
    await this.db.close();
  }

  /** LIMIT and OFFSET values of a page (no limit: the dialect's). */
  private page(f: { limit?: number; offset?: number }): [number | null, number] {
    return [f.limit ?? this.db.dialect.noLimit, f.offset ?? 0];
  }

  /** Runs `fn` in one transaction after every earlier write: all of it happens or none. */
  private write<T>(action: string, fn: (session: SqlSession) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError(action));
    const result = this.writes.then(() => this.db.transaction(action, fn));
    this.writes = result.catch(() => undefined);
    return result;
  }

  /** Reads skip the write queue: they see the last commit (SQLite's WAL readers, PostgreSQL's pool alike). */
  private read<T>(action: string, fn: (session: SqlSession) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError(action));
    return this.db.read(action, fn);
  }
}

async function requireRow(s: SqlSession, sql: string, params: readonly unknown[], missing: string): Promise<void> {
  if ((await s.all(sql, params)).length === 0) throw new StoreError('not_found', missing);
}

function requireSet(s: SqlSession, session: string, set: number): Promise<void> {
  return requireRow(s, 'SELECT 1 FROM sets WHERE session = ? AND set_no = ?', [session, set], `set ${set} of session ${session} was never started`);
}
