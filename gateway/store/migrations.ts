/**
 * The SQLite history's schema, as an ordered list of migrations. A database records the versions applied in
 * `schema_migrations`; opening it applies the missing ones, all in one transaction, so a failure leaves it at
 * its old version. Migrations are append-only: never edit one that has shipped, add the next.
 *
 * Every table keeps its facts both as columns (for filtering and aggregates in SQL) and, for reps and cues,
 * as the whole published JSON: fields added to the contract later survive without a migration, and a later
 * migration can turn one into a column by reading it back from the JSON (as version 2 does).
 */
import type Database from 'better-sqlite3';
import { StoreError } from './store-error.ts';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'athletes, sessions, sets, reps (contract §4 fields), cues, calibrations',
    sql: `
      CREATE TABLE athletes (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        sensors TEXT NOT NULL,              -- JSON array of sensor assignments
        cutoff_cm REAL,
        wink_threshold_deg REAL NOT NULL
      );

      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        athlete TEXT NOT NULL REFERENCES athletes(id),
        started_at INTEGER NOT NULL,        -- ms since the epoch
        ended_at INTEGER,
        simulated INTEGER NOT NULL CHECK (simulated IN (0, 1)),
        suggested_cutoff_cm REAL,
        summary TEXT                        -- JSON session summary, set when the session ends
      );
      CREATE INDEX sessions_by_athlete ON sessions(athlete, started_at);
      CREATE INDEX sessions_by_start ON sessions(started_at);

      CREATE TABLE sets (
        session TEXT NOT NULL REFERENCES sessions(id),
        set_no INTEGER NOT NULL CHECK (set_no >= 1),
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        recording TEXT,
        PRIMARY KEY (session, set_no)
      );

      CREATE TABLE reps (
        id TEXT PRIMARY KEY,                -- <session>/<set>/<index>
        session TEXT NOT NULL,
        set_no INTEGER NOT NULL,
        idx INTEGER NOT NULL CHECK (idx >= 1),
        athlete TEXT NOT NULL REFERENCES athletes(id),
        t_start REAL NOT NULL,
        t_bottom REAL NOT NULL,
        t_end REAL NOT NULL,
        depth_cm REAL NOT NULL,
        lumbar_flexion_max_deg REAL,
        wink_deg REAL NOT NULL,
        butt_wink INTEGER NOT NULL CHECK (butt_wink IN (0, 1)),
        wink_onset_depth_cm REAL,
        simulated INTEGER NOT NULL CHECK (simulated IN (0, 1)),
        rep TEXT NOT NULL,                  -- the whole published rep, JSON
        UNIQUE (session, set_no, idx),
        FOREIGN KEY (session, set_no) REFERENCES sets(session, set_no)
      );
      CREATE INDEX reps_by_athlete ON reps(athlete);

      CREATE TABLE cues (
        session TEXT NOT NULL,
        set_no INTEGER NOT NULL,
        rep INTEGER NOT NULL,
        athlete TEXT NOT NULL REFERENCES athletes(id),
        kind TEXT NOT NULL,
        t REAL NOT NULL,
        depth_cm REAL NOT NULL,
        simulated INTEGER NOT NULL CHECK (simulated IN (0, 1)),
        cue TEXT NOT NULL,                  -- the whole published cue, JSON
        PRIMARY KEY (session, set_no, rep),
        FOREIGN KEY (session, set_no) REFERENCES sets(session, set_no)
      );

      CREATE TABLE calibrations (
        id INTEGER PRIMARY KEY,
        athlete TEXT NOT NULL REFERENCES athletes(id),
        kind TEXT NOT NULL CHECK (kind IN ('standing', 'tilt_range', 'max_flexion')),
        at INTEGER NOT NULL,
        vals TEXT NOT NULL                  -- JSON object of named numbers
      );
      CREATE INDEX calibrations_by_athlete ON calibrations(athlete, kind, at);
    `,
  },
  {
    version: 2,
    description: 'reps: extension fields pelvic_tilt_max_deg and gap_fraction as columns, filled from the stored JSON',
    sql: `
      ALTER TABLE reps ADD COLUMN pelvic_tilt_max_deg REAL;
      ALTER TABLE reps ADD COLUMN gap_fraction REAL;
      UPDATE reps SET
        pelvic_tilt_max_deg = json_extract(rep, '$.pelvic_tilt_max_deg'),
        gap_fraction = json_extract(rep, '$.gap_fraction');
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at INTEGER NOT NULL       -- ms since the epoch
  )`;

/** The highest migration applied; 0 for a new (empty) database. */
export function schemaVersion(db: Database.Database): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (table === undefined) return 0;
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * Brings the database to `target` (the latest by default) in one immediate transaction — it takes the write
 * lock first, so two processes opening the same file cannot both migrate. Refuses a database whose schema is
 * newer than this code: writing to it could lose what the newer version stores.
 */
export function migrate(
  db: Database.Database,
  target: number = LATEST_SCHEMA_VERSION,
): { readonly from: number; readonly to: number } {
  const apply = db.transaction(() => {
    db.exec(CREATE_MIGRATIONS_TABLE);
    const from = schemaVersion(db);
    if (from > LATEST_SCHEMA_VERSION) {
      throw new StoreError(
        'incompatible',
        `the database has schema version ${from}, newer than this squatmon knows (${LATEST_SCHEMA_VERSION}): ` +
          'upgrade squatmon or use another database file',
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)');
    for (const migration of MIGRATIONS) {
      if (migration.version <= from || migration.version > target) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.description, Date.now());
    }
    return { from, to: Math.max(from, target) };
  });
  return apply.immediate();
}
