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
import pg from 'pg';
import type { PoolClient } from 'pg';
import { postgresStoreError } from './postgres-errors.ts';
import { migratePostgres } from './postgres-migrations.ts';
import { numberedPlaceholders, RetryEnded, retryTransient } from './sql-database.ts';
import type { SqlDatabase, SqlDialect, SqlSession } from './sql-database.ts';
import { SqlHistoryStore } from './sql-history-store.ts';
import { StoreError } from './store-error.ts';

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
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Text ordered by bytes as SQLite orders it, whatever the database's locale; LIMIT NULL is no limit. */
const POSTGRES_DIALECT: SqlDialect = { byBytes: ' COLLATE "C"', noLimit: null };

/** SQLSTATEs worth another try: the conflict is gone once the other transaction has finished. */
const TRANSIENT = new Set(['40P01', '40001']);

function isTransient(error: unknown): boolean {
  const sqlState = (error as { code?: unknown } | null)?.code;
  return typeof sqlState === 'string' && TRANSIENT.has(sqlState);
}

/** Statements of one pg client (a transaction's) or of the pool (reads), `?` placeholders numbered for pg. */
function sessionOf(client: pg.Pool | PoolClient): SqlSession {
  return {
    run: async (sql, params = []) => {
      const result = await client.query(numberedPlaceholders(sql), [...params]);
      return { changes: result.rowCount ?? 0, rows: result.rows as Record<string, unknown>[] };
    },
    all: async <Row>(sql: string, params: readonly unknown[] = []) => (await client.query(numberedPlaceholders(sql), [...params])).rows as Row[],
  };
}

class PostgresDatabase implements SqlDatabase {
  readonly dialect = POSTGRES_DIALECT;

  constructor(
    private readonly pool: pg.Pool,
    private readonly busyTimeoutMs: number,
  ) {}

  transaction<T>(action: string, fn: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.attempt(action, async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(sessionOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection that cannot even roll back is dropped rather than handed to the next call.
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.release(broken);
      }
    });
  }

  read<T>(action: string, fn: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.attempt(action, () => fn(sessionOf(this.pool)));
  }

  async close(): Promise<void> {
    try {
      await this.pool.end();
    } catch (error) {
      throw postgresStoreError(error, 'close PostgreSQL history');
    }
  }

  /** Deadlocks and serialization conflicts are tried again until the busy timeout is spent; every failure is a StoreError. */
  private async attempt<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await retryTransient(this.busyTimeoutMs, isTransient, fn);
    } catch (ended) {
      throw postgresStoreError((ended as RetryEnded).last, action);
    }
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

/** Connects, creates the schema if asked and missing, and migrates. `url`: postgres://user:pass@host:port/db. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<SqlHistoryStore> {
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
    return new SqlHistoryStore(new PostgresDatabase(pool, busyTimeoutMs));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw postgresStoreError(error, action);
  }
}
