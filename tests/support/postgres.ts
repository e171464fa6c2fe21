/**
 * A PostgreSQL server for tests: `SQUATMON_TEST_POSTGRES_URL`, else the local one on 127.0.0.1:5432 (trust auth,
 * database `test`). Each test gets a schema of its own (`squatmon_test_<pid>_<n>`), dropped afterwards, so
 * parallel runs and workers never see each other's rows. When no server answers, callers skip, saying why.
 */
import pg from 'pg';

export const POSTGRES_URL = process.env.SQUATMON_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const NO_POSTGRES = `no PostgreSQL server answers at ${POSTGRES_URL.replace(/:[^:@/]*@/, ':***@')} (set SQUATMON_TEST_POSTGRES_URL to use another)`;

/** True when a server answers and accepts the login, within a couple of seconds. */
export async function postgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

let schemas = 0;

/** A schema name no other test (or test process) uses; the store creates it. */
export function freshSchemaName(label = 'store'): string {
  schemas += 1;
  return `squatmon_test_${label}_${process.pid}_${schemas}`;
}

/** Runs one statement on a connection of its own (setup, teardown, inspection). */
export async function adminQuery<Row extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
