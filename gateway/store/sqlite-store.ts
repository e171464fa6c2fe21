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
import Database from 'better-sqlite3';
import { migrate } from './migrations.ts';
import { RetryEnded, retryTransient } from './sql-database.ts';
import type { SqlDatabase, SqlDialect, SqlSession } from './sql-database.ts';
import { SqlHistoryStore } from './sql-history-store.ts';
import { toStoreError } from './sqlite-errors.ts';
import { StoreError } from './store-error.ts';

export interface SqliteStoreOptions {
  /** How long a call keeps retrying while another connection holds the lock, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Largest the database may grow, bytes (PRAGMA max_page_count); unlimited by default. */
  readonly maxDatabaseBytes?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** Longest one attempt blocks the event loop waiting for a lock, ms. */
const ATTEMPT_BUSY_TIMEOUT_MS = 20;

/** SQLite's text order is already by bytes; LIMIT -1 is no limit. */
const SQLITE_DIALECT: SqlDialect = { byBytes: '', noLimit: -1 };

/** One better-sqlite3 connection as a SqlDatabase. Statements are prepared once per SQL text. */
class SqliteDatabase implements SqlDatabase {
  readonly dialect = SQLITE_DIALECT;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly session: SqlSession = {
    run: async (sql, params = []) => {
      const statement = this.statement(sql);
      // A statement with RETURNING hands back rows; better-sqlite3 runs it through all().
      if (statement.reader) {
        const rows = statement.all(...params) as Record<string, unknown>[];
        return { changes: rows.length, rows };
      }
      return { changes: statement.run(...params).changes, rows: [] };
    },
    all: async <Row>(sql: string, params: readonly unknown[] = []) => this.statement(sql).all(...params) as Row[],
  };

  constructor(
    private readonly db: Database.Database,
    private readonly busyTimeoutMs: number,
  ) {}

  transaction<T>(action: string, fn: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.attempt(action, async () => {
      // IMMEDIATE takes the write lock now, so a busy database fails here, before anything was done. Every
      // statement inside runs synchronously; the awaits between them only pass resolved promises.
      this.statement('BEGIN IMMEDIATE').run();
      try {
        const result = await fn(this.session);
        this.statement('COMMIT').run();
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.statement('ROLLBACK').run();
        throw error;
      }
    });
  }

  read<T>(action: string, fn: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.attempt(action, () => fn(this.session));
  }

  async close(): Promise<void> {
    try {
      this.db.close();
    } catch (error) {
      throw toStoreError(error, 'close history database');
    }
  }

  /**
   * Runs `fn`, and again after a short pause each time the database is busy, until the busy timeout has passed;
   * then fails with 'busy'. Other errors fail at once, as StoreErrors.
   */
  private async attempt<T>(action: string, fn: () => Promise<T>): Promise<T> {
    const isBusy = (error: unknown) => toStoreError(error, action).code === 'busy';
    try {
      return await retryTransient(this.busyTimeoutMs, isBusy, async () => {
        if (!this.db.open) throw new StoreError('closed', `${action}: the history store is closed`);
        return fn();
      });
    } catch (ended) {
      const { last, waitedMs, timedOut } = ended as RetryEnded;
      const error = toStoreError(last, action);
      if (!timedOut) throw error;
      throw new StoreError('busy', `${action}: the database stayed locked by another connection for ${Math.round(waitedMs)} ms`, { cause: error });
    }
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** Opens (creating when missing) and migrates the database at `path`; `:memory:` for a throwaway one. */
export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<SqlHistoryStore> {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const action = `open history database ${path}`;
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    const opened = db;
    opened.pragma(`busy_timeout = ${Math.min(ATTEMPT_BUSY_TIMEOUT_MS, busyTimeoutMs)}`);
    const database = new SqliteDatabase(opened, busyTimeoutMs);
    // Switching to WAL needs a moment of exclusive access; it is persistent, so later opens find it set.
    await database.read(action, async () => {
      opened.pragma('journal_mode = WAL');
      migrate(opened);
    });
    opened.pragma('synchronous = NORMAL');
    opened.pragma('foreign_keys = ON');
    if (options.maxDatabaseBytes !== undefined) {
      const pageSize = opened.pragma('page_size', { simple: true }) as number;
      opened.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxDatabaseBytes / pageSize))}`);
    }
    return new SqlHistoryStore(database);
  } catch (error) {
    db?.close();
    throw toStoreError(error, action);
  }
}
