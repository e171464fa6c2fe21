/**
 * What only the PostgreSQL history store has to get right (its shared behaviour is in store-history.test.ts):
 * migrations in its own dialect, errors as the store's error codes — busy behind another connection's lock, io
 * when the server is not there — and one schema per store.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../gateway/store/history-store.ts';
import { classifySqlState, postgresStoreError } from '../../gateway/store/postgres-errors.ts';
import { LATEST_POSTGRES_SCHEMA_VERSION, migratePostgres, POSTGRES_MIGRATIONS } from '../../gateway/store/postgres-migrations.ts';
import { openPostgresStore } from '../../gateway/store/postgres-store.ts';
import { StoreError } from '../../gateway/store/store-error.ts';
import { freePort } from '../support/net.ts';
import { adminQuery, dropSchema, freshSchemaName, NO_POSTGRES, POSTGRES_URL, postgresAvailable } from '../support/postgres.ts';
import { rejection } from '../unit/store-contract.ts';
import { athlete, rep, sessionId, startedSet } from '../unit/store-fixtures.ts';

const T0 = Date.UTC(2026, 10, 29, 10, 0, 0);

describe('PostgreSQL errors as store errors', () => {
  it('classifies SQLSTATEs by code, then by class', () => {
    const cases: [string, string | null][] = [
      ['40P01', 'busy'],
      ['55P03', 'busy'],
      ['53100', 'full'],
      ['23505', 'constraint'],
      ['23503', 'constraint'],
      ['08006', 'io'],
      ['25006', 'readonly'],
      ['XX001', 'corrupt'],
      ['42P01', null],
    ];
    for (const [sqlState, code] of cases) expect(classifySqlState(sqlState)?.code ?? null, sqlState).toBe(code);
  });

  it('turns server, socket and connection errors into store errors that say what was being done', () => {
    const server = new pg.DatabaseError('duplicate key value violates unique constraint "reps_pkey"', 0, 'error');
    server.code = '23505';
    const fromServer = postgresStoreError(server, 'store rep x/1/1');
    expect(fromServer).toBeInstanceOf(StoreError);
    expect(fromServer.code).toBe('constraint');
    expect(fromServer.message).toMatch(/^store rep x\/1\/1: .*23505/);

    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(postgresStoreError(refused, 'read').code).toBe('io');
    expect(postgresStoreError(new AggregateError([refused], ''), 'read').code).toBe('io');
    expect(postgresStoreError(new Error('Connection terminated unexpectedly'), 'read').code).toBe('io');
    expect(postgresStoreError(new Error('something else'), 'read').code).toBe('other');
  });

  it('reports a server that does not answer as "io", naming the URL without its password', async () => {
    const port = await freePort();
    const url = `postgres://squatmon:secret-password@127.0.0.1:${port}/history`;
    const error = await rejection(openPostgresStore(url, { connectTimeoutMs: 2_000 }));
    expect(error.code).toBe('io');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).not.toContain('secret-password');
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    expect((await rejection(openPostgresStore(POSTGRES_URL, { schema: 'x"; DROP TABLE reps; --' }))).code).toBe('invalid');
  });
});

const available = await postgresAvailable();
if (!available) console.warn(`store-postgres: server suites skipped: ${NO_POSTGRES}`);

describe.skipIf(!available)(available ? 'PostgreSQL history store: server behaviour' : `PostgreSQL history store (skipped: ${NO_POSTGRES})`, () => {
  const schemas: string[] = [];
  const stores: HistoryStore[] = [];
  const clients: pg.Client[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end().catch(() => undefined);
    for (const store of stores.splice(0)) await store.close();
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  function schemaName(): string {
    const name = freshSchemaName('pg');
    schemas.push(name);
    return name;
  }

  async function open(schema: string, options: { busyTimeoutMs?: number } = {}) {
    const store = await openPostgresStore(POSTGRES_URL, { schema, ...options });
    stores.push(store);
    return store;
  }

  /** A second connection, as another program would have, working in `schema`. */
  async function connection(schema: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    clients.push(client);
    await client.connect();
    await client.query(`SET search_path TO "${schema}"`);
    return client;
  }

  it('records every migration once, and applies none again on reopening', async () => {
    const schema = schemaName();
    await (await openPostgresStore(POSTGRES_URL, { schema })).close();
    const first = await adminQuery<{ version: number; applied_at: number }>(
      `SELECT version, applied_at FROM "${schema}".schema_migrations ORDER BY version`,
    );
    expect(first.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    await open(schema);
    const again = await adminQuery(`SELECT version, applied_at FROM "${schema}".schema_migrations ORDER BY version`);
    expect(again).toEqual(first);
  });

  it('upgrades a version 1 schema, filling the new rep columns from the stored JSON', async () => {
    const schema = schemaName();
    await adminQuery(`CREATE SCHEMA "${schema}"`);
    const old = await connection(schema);
    await migratePostgres(old, 1);
    const session = sessionId('ana', T0);
    const r = rep({ athlete: 'ana', session, set: 1 }, 1, { pelvic_tilt_max_deg: 17.25, gap_fraction: 0.125 });
    await old.query(`INSERT INTO athletes VALUES ('ana', 'Ana', '[]', NULL, 10)`);
    await old.query('INSERT INTO sessions (id, athlete, started_at, simulated) VALUES ($1, $2, $3, false)', [session, 'ana', T0]);
    await old.query('INSERT INTO sets (session, set_no, started_at) VALUES ($1, 1, $2)', [session, T0]);
    await old.query(
      `INSERT INTO reps (id, session, set_no, idx, athlete, t_start, t_bottom, t_end, depth_cm, lumbar_flexion_max_deg,
         wink_deg, butt_wink, wink_onset_depth_cm, simulated, rep)
       VALUES ($1, $2, 1, 1, 'ana', $3, $4, $5, $6, $7, $8, false, NULL, false, $9::jsonb)`,
      [r.id, session, r.t_start, r.t_bottom, r.t_end, r.depth_cm, r.lumbar_flexion_max_deg, r.wink_deg, JSON.stringify(r)],
    );

    const store = await open(schema);
    const columns = await old.query('SELECT pelvic_tilt_max_deg, gap_fraction FROM reps');
    expect(columns.rows).toEqual([{ pelvic_tilt_max_deg: 17.25, gap_fraction: 0.125 }]);
    expect(await store.listReps()).toEqual([{ ...r, session_started_at: T0 }]);
  });

  it('refuses a schema written by a newer squatmon, changing nothing', async () => {
    const schema = schemaName();
    await (await openPostgresStore(POSTGRES_URL, { schema })).close();
    const newer = LATEST_POSTGRES_SCHEMA_VERSION + 1;
    await adminQuery(`INSERT INTO "${schema}".schema_migrations VALUES ($1, 'from the future', 0)`, [newer]);
    const error = await rejection(openPostgresStore(POSTGRES_URL, { schema }));
    expect(error.code).toBe('incompatible');
    expect(error.message).toContain(String(newer));
  });

  it('fails a write "busy" while another connection holds the lock past the busy timeout, then writes again', async () => {
    const schema = schemaName();
    const store = await open(schema, { busyTimeoutMs: 200 });
    const ref = await startedSet(store, 'ana', T0);
    const blocker = await connection(schema);
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE reps IN ACCESS EXCLUSIVE MODE');

    const error = await rejection(store.insertRep(rep(ref, 1)));
    expect(error.code).toBe('busy');
    await blocker.query('ROLLBACK');
    expect(await store.insertRep(rep(ref, 1))).toBe(true);
    expect(await store.listReps()).toHaveLength(1);
  });

  it('keeps each store to its own schema', async () => {
    const [a, b] = [await open(schemaName()), await open(schemaName())];
    await a.upsertAthlete(athlete('ana'));
    await b.upsertAthlete(athlete('bo'));
    expect((await a.listAthletes()).map((x) => x.id)).toEqual(['ana']);
    expect((await b.listAthletes()).map((x) => x.id)).toEqual(['bo']);
  });
});
