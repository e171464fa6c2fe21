/**
 * The history in PostgreSQL (pg), for a historian collecting every rack's athletes on a server of its own —
 * behind the same HistoryStore interface and with the same semantics as the SQLite store: validation first,
 * one transaction per write (all or nothing), writes applied in call order (a set before its reps), idempotent
 * inserts of facts with stable ids, the same StoreError codes.
 *
 * Locks: `lock_timeout` is the busy timeout, so a write blocked by another connection fails 'busy' after it;
 * deadlocks and serialization conflicts are retried until the busy timeout is spent. Text is ordered with the
 * "C" collation so listings come out in the same (byte) order as SQLite's, whatever the database's locale.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { ClientBase, PoolClient } from 'pg';
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
import { postgresStoreError } from './postgres-errors.ts';
import { migratePostgres } from './postgres-migrations.ts';
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

export interface PostgresStoreOptions {
  /** Schema to keep the tables in (created when missing); the connection's default (`public`) when absent. */
  readonly schema?: string;
  /** How long a call waits for a lock held by another connection, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** How long opening a connection may take, ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** Connections in the pool. Default 4: writes are serial, reads few. */
  readonly maxConnections?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_CONNECTIONS = 4;
const LONGEST_RETRY_PAUSE_MS = 100;
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface AthleteRow {
  id: string;
  name: string;
  sensors: SensorAssignment[];
  cutoff_cm: number | null;
  wink_threshold_deg: number;
}

interface SessionRow extends AggregateColumns {
  id: string;
  athlete: string;
  started_at: number;
  ended_at: number | null;
  simulated: boolean;
  suggested_cutoff_cm: number | null;
  summary: SessionSummary | null;
  set_count: number;
}

interface TrendRow extends AggregateColumns {
  id: string;
  started_at: number;
  simulated: boolean;
  suggested_cutoff_cm: number | null;
}

interface CalibrationRow {
  id: number;
  athlete: string;
  kind: CalibrationKind;
  at: number;
  vals: Record<string, number>;
}

/**
 * Per-group rep aggregates over `reps r` joined to the group. Cast to int / float8: PostgreSQL returns COUNT as
 * bigint and AVG of integers as numeric, which pg hands over as strings.
 */
const AGGREGATES = `
  COUNT(r.id)::int AS reps,
  AVG(CASE WHEN ${MEASURED_DEPTH} THEN r.depth_cm END)::float8 AS mean_depth_cm,
  MAX(r.lumbar_flexion_max_deg) AS max_flexion_deg,
  AVG(r.butt_wink::int)::float8 AS wink_rate`;

const SESSION_COLUMNS = `
  s.id, s.athlete, s.started_at, s.ended_at, s.simulated, s.suggested_cutoff_cm, s.summary,
  (SELECT COUNT(*)::int FROM sets WHERE sets.session = s.id) AS set_count,
  ${AGGREGATES}`;


function toAthlete(row: AthleteRow): Athlete {
  return { id: row.id, name: row.name, sensors: row.sensors, cutoffCm: row.cutoff_cm, winkThresholdDeg: row.wink_threshold_deg };
}

function toSessionOverview(row: SessionRow): SessionOverview {
  return {
    id: row.id,
    athlete: row.athlete,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    simulated: row.simulated,
    setCount: row.set_count,
    suggestedCutoffCm: row.suggested_cutoff_cm,
    summary: row.summary,
    ...aggregates(row),
  };
}


/** A WHERE clause with positional parameters ($1, $2, …) from the conditions that apply. */
class Query {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  /** `sql` uses `?` where the value goes. */
  where(sql: string, value: unknown): this {
    this.conditions.push(sql.replace('?', this.param(value)));
    return this;
  }

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get clause(): string {
    return this.conditions.length === 0 ? '' : `WHERE ${this.conditions.join(' AND ')}`;
  }

  /** LIMIT NULL is no limit. */
  page(f: { limit?: number; offset?: number }): string {
    return `LIMIT ${this.param(f.limit ?? null)} OFFSET ${this.param(f.offset ?? 0)}`;
  }
}

/**
 * The connection settings, with the schema as every connection's search_path from its start (a startup
 * option, so no statement can run before it). Options in the URL would replace ours, so they are merged.
 */
function connectionWithSchema(url: string, schema: string | undefined): { connectionString: string; options?: string } {
  if (schema === undefined) return { connectionString: url };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError('invalid', `not a PostgreSQL URL: ${safeUrl(url)}`);
  }
  const fromUrl = parsed.searchParams.get('options');
  parsed.searchParams.delete('options');
  return { connectionString: parsed.toString(), options: [fromUrl, `-c search_path=${schema}`].filter(Boolean).join(' ') };
}

/** The URL without its password, for messages and logs. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export class PostgresHistoryStore implements HistoryStore {
  /** Settles when every queued write has run; writes chain onto it. */
  private writes: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** Use openPostgresStore(). */
  private constructor(
    private readonly pool: pg.Pool,
    private readonly busyTimeoutMs: number,
  ) {}

  /** Connects, creates the schema if asked and missing, and migrates. `url`: postgres://user:pass@host:port/db. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresHistoryStore> {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const schema = options.schema;
    const action = `open PostgreSQL history ${safeUrl(url)}${schema === undefined ? '' : ` (schema ${schema})`}`;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new StoreError('invalid', `${action}: a schema name is lowercase letters, digits and _ (up to 63)`);
    }
    const pool = new pg.Pool({
      ...connectionWithSchema(url, schema),
      max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      lock_timeout: busyTimeoutMs,
      application_name: 'squatmon',
    });
    // An idle connection dropped by the server (restart, network) is discarded by the pool and the next call
    // opens a new one; without a listener the event would crash the process.
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      try {
        if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await migratePostgres(client);
      } finally {
        client.release();
      }
      return new PostgresHistoryStore(pool, busyTimeoutMs);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw postgresStoreError(error, action);
    }
  }

  async upsertAthlete(athlete: Athlete): Promise<void> {
    const a = validate(athleteSchema, athlete, 'athlete');
    await this.write(`store athlete ${a.id}`, async (c) => {
      await c.query(
        `INSERT INTO athletes (id, name, sensors, cutoff_cm, wink_threshold_deg) VALUES ($1, $2, $3::jsonb, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, sensors = excluded.sensors,
           cutoff_cm = excluded.cutoff_cm, wink_threshold_deg = excluded.wink_threshold_deg`,
        [a.id, a.name, JSON.stringify(a.sensors), a.cutoffCm, a.winkThresholdDeg],
      );
    });
  }

  async getAthlete(id: string): Promise<Athlete | null> {
    const athleteId = validate(athleteIdSchema, id, 'athlete id');
    const rows = await this.read<AthleteRow>(`read athlete ${athleteId}`, 'SELECT * FROM athletes WHERE id = $1', [athleteId]);
    return rows[0] === undefined ? null : toAthlete(rows[0]);
  }

  async listAthletes(): Promise<Athlete[]> {
    const rows = await this.read<AthleteRow>('list athletes', 'SELECT * FROM athletes ORDER BY id COLLATE "C"', []);
    return rows.map(toAthlete);
  }

  async startSession(session: NewSession): Promise<boolean> {
    const s = validate(newSessionSchema, session, 'session');
    return this.write(`start session ${s.id}`, async (c) => {
      await requireRow(c, 'SELECT 1 FROM athletes WHERE id = $1', [s.athlete], `no athlete ${s.athlete}`);
      const inserted = await c.query(
        'INSERT INTO sessions (id, athlete, started_at, simulated) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [s.id, s.athlete, s.startedAt, s.simulated],
      );
      return inserted.rowCount === 1;
    });
  }

  async endSession(id: string, endedAt: number, summary: SessionSummary): Promise<void> {
    const sessionId = validate(sessionIdSchema, id, 'session id');
    const at = validate(timeSchema, endedAt, 'end time');
    const s = validate(sessionSummarySchema, summary, 'session summary');
    await this.write(`end session ${sessionId}`, async (c) => {
      const updated = await c.query(
        'UPDATE sessions SET ended_at = $2, suggested_cutoff_cm = $3, summary = $4::jsonb WHERE id = $1',
        [sessionId, at, s.suggested_cutoff_cm, JSON.stringify(s)],
      );
      if (updated.rowCount === 0) throw new StoreError('not_found', `end session ${sessionId}: no such session`);
    });
  }

  async startSet(set: NewSet): Promise<boolean> {
    const s = validate(newSetSchema, set, 'set');
    return this.write(`start set ${s.set} of session ${s.session}`, async (c) => {
      await requireRow(c, 'SELECT 1 FROM sessions WHERE id = $1', [s.session], `no session ${s.session}`);
      const inserted = await c.query(
        'INSERT INTO sets (session, set_no, started_at, recording) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
        [s.session, s.set, s.startedAt, s.recording],
      );
      return inserted.rowCount === 1;
    });
  }

  async endSet(session: string, set: number, endedAt: number): Promise<void> {
    const sessionId = validate(sessionIdSchema, session, 'session id');
    const setNo = validate(setNumberSchema, set, 'set number');
    const at = validate(timeSchema, endedAt, 'end time');
    await this.write(`end set ${setNo} of session ${sessionId}`, async (c) => {
      const updated = await c.query('UPDATE sets SET ended_at = $3 WHERE session = $1 AND set_no = $2', [sessionId, setNo, at]);
      if (updated.rowCount === 0) throw new StoreError('not_found', `end set ${setNo} of session ${sessionId}: no such set`);
    });
  }

  async insertRep(rep: PublishedRep): Promise<boolean> {
    const r = validate(repSchema, rep, 'rep');
    return this.write(`store rep ${r.id}`, async (c) => {
      await requireSet(c, r.session, r.set);
      const inserted = await c.query(
        `INSERT INTO reps (id, session, set_no, idx, athlete, t_start, t_bottom, t_end, depth_cm,
           lumbar_flexion_max_deg, wink_deg, butt_wink, wink_onset_depth_cm, pelvic_tilt_max_deg, gap_fraction,
           simulated, rep)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb)
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
          r.butt_wink,
          r.wink_onset_depth_cm,
          r.pelvic_tilt_max_deg,
          r.gap_fraction,
          r.simulated,
          JSON.stringify(r),
        ],
      );
      return inserted.rowCount === 1;
    });
  }

  async insertCue(cue: PublishedCue): Promise<boolean> {
    const c = validate(cueSchema, cue, 'cue');
    return this.write(`store cue of rep ${c.rep} in set ${c.set} of session ${c.session}`, async (client) => {
      await requireSet(client, c.session, c.set);
      const inserted = await client.query(
        `INSERT INTO cues (session, set_no, rep, athlete, kind, t, depth_cm, simulated, cue)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb) ON CONFLICT DO NOTHING`,
        [c.session, c.set, c.rep, c.athlete, c.kind, c.t, c.depth_cm, c.simulated, JSON.stringify(c)],
      );
      return inserted.rowCount === 1;
    });
  }

  async addCalibration(calibration: NewCalibration): Promise<number> {
    const c = validate(newCalibrationSchema, calibration, 'calibration');
    return this.write(`store ${c.kind} calibration of ${c.athlete}`, async (client) => {
      await requireRow(client, 'SELECT 1 FROM athletes WHERE id = $1', [c.athlete], `no athlete ${c.athlete}`);
      const inserted = await client.query<{ id: number }>(
        'INSERT INTO calibrations (athlete, kind, at, vals) VALUES ($1, $2, $3, $4::jsonb) RETURNING id',
        [c.athlete, c.kind, c.at, JSON.stringify(c.values)],
      );
      return inserted.rows[0]!.id;
    });
  }

  async listSessions(filter: SessionFilter = {}): Promise<SessionOverview[]> {
    const f = validate(sessionFilterSchema, filter, 'session filter');
    const q = new Query();
    if (f.athlete !== undefined) q.where('s.athlete = ?', f.athlete);
    if (f.from !== undefined) q.where('s.started_at >= ?', f.from);
    if (f.to !== undefined) q.where('s.started_at < ?', f.to);
    const sql = `SELECT ${SESSION_COLUMNS} FROM sessions s LEFT JOIN reps r ON r.session = s.id ${q.clause}
      GROUP BY s.id ORDER BY s.started_at DESC, s.id COLLATE "C" DESC ${q.page(f)}`;
    return (await this.read<SessionRow>('list sessions', sql, q.params)).map(toSessionOverview);
  }

  async getSession(id: string): Promise<SessionDetail | null> {
    const sessionId = validate(sessionIdSchema, id, 'session id');
    const action = `read session ${sessionId}`;
    const [row] = await this.read<SessionRow>(
      action,
      `SELECT ${SESSION_COLUMNS} FROM sessions s LEFT JOIN reps r ON r.session = s.id WHERE s.id = $1 GROUP BY s.id`,
      [sessionId],
    );
    if (row === undefined) return null;
    const sets = await this.read<SetRow>(
      action,
      `SELECT st.session, st.set_no, s.athlete, st.started_at, st.ended_at, st.recording, ${AGGREGATES}
       FROM sets st JOIN sessions s ON s.id = st.session
         LEFT JOIN reps r ON r.session = st.session AND r.set_no = st.set_no
       WHERE st.session = $1 GROUP BY st.session, st.set_no, s.id ORDER BY st.set_no`,
      [sessionId],
    );
    return { ...toSessionOverview(row), sets: sets.map(toStoredSet) };
  }

  async listReps(filter: RepFilter = {}): Promise<StoredRep[]> {
    const f = validate(repFilterSchema, filter, 'rep filter');
    const q = new Query();
    if (f.athlete !== undefined) q.where('r.athlete = ?', f.athlete);
    if (f.session !== undefined) q.where('r.session = ?', f.session);
    if (f.set !== undefined) q.where('r.set_no = ?', f.set);
    if (f.buttWink !== undefined) q.where('r.butt_wink = ?', f.buttWink);
    if (f.from !== undefined) q.where('s.started_at >= ?', f.from);
    if (f.to !== undefined) q.where('s.started_at < ?', f.to);
    const sql = `SELECT r.rep, s.started_at FROM reps r JOIN sessions s ON s.id = r.session ${q.clause}
      ORDER BY s.started_at, r.session COLLATE "C", r.set_no, r.idx ${q.page(f)}`;
    const rows = await this.read<{ rep: PublishedRep; started_at: number }>('list reps', sql, q.params);
    return rows.map((row) => ({ ...row.rep, session_started_at: row.started_at }));
  }

  async listCues(filter: CueFilter): Promise<PublishedCue[]> {
    const f = validate(cueFilterSchema, filter, 'cue filter');
    const q = new Query().where('session = ?', f.session);
    if (f.set !== undefined) q.where('set_no = ?', f.set);
    const sql = `SELECT cue FROM cues ${q.clause} ORDER BY set_no, rep`;
    return (await this.read<{ cue: PublishedCue }>(`list cues of session ${f.session}`, sql, q.params)).map((row) => row.cue);
  }

  async listCalibrations(filter: CalibrationFilter): Promise<StoredCalibration[]> {
    const f = validate(calibrationFilterSchema, filter, 'calibration filter');
    const q = new Query().where('athlete = ?', f.athlete);
    if (f.kind !== undefined) q.where('kind = ?', f.kind);
    const sql = `SELECT * FROM calibrations ${q.clause} ORDER BY at DESC, id DESC ${q.page(f)}`;
    const rows = await this.read<CalibrationRow>(`list calibrations of ${f.athlete}`, sql, q.params);
    return rows.map((row) => ({ id: row.id, athlete: row.athlete, kind: row.kind, at: row.at, values: row.vals }));
  }

  async trends(athlete: string): Promise<TrendPoint[]> {
    const athleteId = validate(athleteIdSchema, athlete, 'athlete id');
    const rows = await this.read<TrendRow>(
      `trends of ${athleteId}`,
      `SELECT s.id, s.started_at, s.simulated, s.suggested_cutoff_cm, ${AGGREGATES}
       FROM sessions s JOIN reps r ON r.session = s.id
       WHERE s.athlete = $1 GROUP BY s.id ORDER BY s.started_at, s.id COLLATE "C"`,
      [athleteId],
    );
    return rows.map((row) => ({
      session: row.id,
      startedAt: row.started_at,
      simulated: row.simulated,
      suggestedCutoffCm: row.suggested_cutoff_cm,
      ...aggregates(row),
    }));
  }

  async recordingPath(session: string, set: number): Promise<string | null> {
    const sessionId = validate(sessionIdSchema, session, 'session id');
    const setNo = validate(setNumberSchema, set, 'set number');
    const rows = await this.read<{ recording: string | null }>(
      `read recording of set ${setNo} of session ${sessionId}`,
      'SELECT recording FROM sets WHERE session = $1 AND set_no = $2',
      [sessionId, setNo],
    );
    return rows[0]?.recording ?? null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writes;
    try {
      await this.pool.end();
    } catch (error) {
      throw postgresStoreError(error, 'close PostgreSQL history');
    }
  }

  /** Runs `fn` in one transaction after every earlier write: all of it happens or none. */
  private write<T>(action: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError(action));
    const result = this.writes.then(() => retryWhileBusy(action, this.busyTimeoutMs, () => this.transaction(fn)));
    this.writes = result.catch(() => undefined);
    return result;
  }

  private async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A connection that cannot even roll back is dropped rather than handed to the next call.
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Reads skip the write queue: they see the last commit, as SQLite's WAL readers do. */
  private async read<Row extends object>(action: string, sql: string, params: unknown[]): Promise<Row[]> {
    if (this.closed) throw closedError(action);
    return retryWhileBusy(action, this.busyTimeoutMs, async () => (await this.pool.query(sql, params)).rows as Row[]);
  }
}

export function openPostgresStore(url: string, options?: PostgresStoreOptions): Promise<PostgresHistoryStore> {
  return PostgresHistoryStore.open(url, options);
}

async function requireRow(client: ClientBase, sql: string, params: unknown[], missing: string): Promise<void> {
  if ((await client.query(sql, params)).rowCount === 0) throw new StoreError('not_found', missing);
}

function requireSet(client: ClientBase, session: string, set: number): Promise<void> {
  return requireRow(
    client,
    'SELECT 1 FROM sets WHERE session = $1 AND set_no = $2',
    [session, set],
    `set ${set} of session ${session} was never started`,
  );
}

function closedError(action: string): StoreError {
  return new StoreError('closed', `${action}: the history store is closed`);
}

/** SQLSTATEs worth another try: the conflict is gone once the other transaction has finished. */
const TRANSIENT = new Set(['40P01', '40001']);

/**
 * Runs `fn`, and again after a short pause after a deadlock or serialization conflict, until `timeoutMs` has
 * passed. Every failure comes out as a StoreError.
 */
async function retryWhileBusy<T>(action: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  let pauseMs = 1;
  for (;;) {
    let thrown: unknown;
    try {
      return await fn();
    } catch (error) {
      thrown = error;
    }
    const sqlState = (thrown as { code?: unknown } | null)?.code;
    const waitedMs = performance.now() - start;
    if (typeof sqlState !== 'string' || !TRANSIENT.has(sqlState) || waitedMs >= timeoutMs) {
      throw postgresStoreError(thrown, action);
    }
    await sleep(Math.min(pauseMs, timeoutMs - waitedMs));
    pauseMs = Math.min(pauseMs * 2, LONGEST_RETRY_PAUSE_MS);
  }
}
