import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion } from '../../gateway/store/migrations.ts';
import { POSTGRES_MIGRATIONS } from '../../gateway/store/postgres-migrations.ts';
import { CALIBRATION_KINDS } from '../../gateway/core/commands.ts';
import { openSqliteStore } from '../../gateway/store/sqlite-store.ts';
import { StoreError } from '../../gateway/store/store-error.ts';
import { rep, sessionId, tempDirs } from './store-fixtures.ts';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const T0 = Date.UTC(2026, 10, 29, 10, 0, 0);

async function openError(path: string): Promise<StoreError> {
  const error = await openSqliteStore(path).then(
    async (store) => {
      await store.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

function versionsApplied(path: string): number[] {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
  db.close();
  return rows.map((r) => r.version);
}

function columnsOf(path: string, table: string): string[] {
  const db = new Database(path, { readonly: true });
  const columns = (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
  db.close();
  return columns;
}

/** A database as squatmon's first schema left it, holding one rep with the extension fields in its JSON. */
function versionOneDatabase(path: string) {
  const db = new Database(path);
  migrate(db, 1);
  const session = sessionId('ana', T0);
  const ref = { athlete: 'ana', session, set: 1 };
  const old = rep(ref, 1, { pelvic_tilt_max_deg: 7.5, gap_fraction: 0.125 });
  db.prepare("INSERT INTO athletes VALUES ('ana', 'Ana', '[]', NULL, 10)").run();
  db.prepare('INSERT INTO sessions (id, athlete, started_at, simulated) VALUES (?, ?, ?, 0)').run(session, 'ana', T0);
  db.prepare('INSERT INTO sets (session, set_no, started_at) VALUES (?, 1, ?)').run(session, T0);
  db.prepare(
    `INSERT INTO reps (id, session, set_no, idx, athlete, t_start, t_bottom, t_end, depth_cm, lumbar_flexion_max_deg,
       wink_deg, butt_wink, wink_onset_depth_cm, simulated, rep)
     VALUES (?, ?, 1, 1, 'ana', ?, ?, ?, ?, ?, ?, 0, NULL, 0, ?)`,
  ).run(old.id, session, old.t_start, old.t_bottom, old.t_end, old.depth_cm, old.lumbar_flexion_max_deg, old.wink_deg,
    JSON.stringify(old));
  db.close();
  return { ref, old };
}

describe('the stores’ SQL and the command contract', () => {
  it('allow the same calibration kinds: the CHECK constraints of both schemas list exactly CALIBRATION_KINDS', () => {
    for (const migrations of [MIGRATIONS, POSTGRES_MIGRATIONS]) {
      const checks = migrations.flatMap((m) => [...m.sql.matchAll(/kind TEXT NOT NULL CHECK \(kind IN \(([^)]*)\)\)/g)].map((x) => x[1]));
      expect(checks.length).toBeGreaterThan(0);
      for (const list of checks) expect(list.split(',').map((k) => k.trim().replace(/'/g, ''))).toEqual([...CALIBRATION_KINDS]);
    }
  });
});

describe('SQLite history store: schema migrations', () => {
  it('numbers its migrations 1, 2, … in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('creates the latest schema in a new file and in an empty existing file', async () => {
    const fresh = join(dirs.make(), 'nested', 'history.db');
    const empty = join(dirs.make(), 'empty.db');
    writeFileSync(empty, '');
    for (const path of [fresh, empty]) {
      const store = await openSqliteStore(path);
      await store.close();
      expect(versionsApplied(path)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(columnsOf(path, 'reps')).toEqual(expect.arrayContaining(['rep', 'pelvic_tilt_max_deg', 'gap_fraction']));
    }
  });

  it('brings a version 1 database to the latest, keeping and back-filling its data', async () => {
    const path = join(dirs.make(), 'v1.db');
    const { ref, old } = versionOneDatabase(path);
    expect(versionsApplied(path)).toEqual([1]);
    expect(columnsOf(path, 'reps')).not.toContain('gap_fraction');

    const store = await openSqliteStore(path);
    expect(await store.listReps()).toEqual([{ ...old, session_started_at: T0 }]);
    expect(await store.insertRep(rep(ref, 2))).toBe(true);
    await store.close();

    expect(versionsApplied(path)).toEqual(MIGRATIONS.map((m) => m.version));
    const db = new Database(path, { readonly: true });
    const row = db.prepare('SELECT pelvic_tilt_max_deg, gap_fraction FROM reps WHERE id = ?').get(old.id);
    db.close();
    expect(row).toEqual({ pelvic_tilt_max_deg: 7.5, gap_fraction: 0.125 });
  });

  it('applies the missing migrations all or nothing', async () => {
    const path = join(dirs.make(), 'v1.db');
    versionOneDatabase(path);
    // Someone added one of version 2's columns by hand: version 2 fails halfway.
    const db = new Database(path);
    db.exec('ALTER TABLE reps ADD COLUMN gap_fraction REAL');
    db.close();

    await openError(path);
    expect(versionsApplied(path)).toEqual([1]);
    expect(columnsOf(path, 'reps')).not.toContain('pelvic_tilt_max_deg');
  });

  it('refuses a database from a newer squatmon and leaves it untouched', async () => {
    const path = join(dirs.make(), 'newer.db');
    const db = new Database(path);
    migrate(db);
    const newer = LATEST_SCHEMA_VERSION + 1;
    db.prepare("INSERT INTO schema_migrations VALUES (?, 'from the future', 0)").run(newer);
    db.close();

    const error = await openError(path);
    expect(error.code).toBe('incompatible');
    expect(error.message).toContain(`schema version ${newer}`);
    const check = new Database(path, { readonly: true });
    expect(schemaVersion(check)).toBe(newer);
    check.close();
  });

  it('reports a file that is not a database as "corrupt"', async () => {
    const path = join(dirs.make(), 'notes.db');
    writeFileSync(path, 'these are my training notes, not a database\n'.repeat(200));
    const error = await openError(path);
    expect(error.code).toBe('corrupt');
    expect(error.message).toContain(path);
  });
});
