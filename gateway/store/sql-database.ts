/**
 * What the one history store (sql-history-store.ts) asks of a SQL database, and the little that differs between
 * the two it runs on (SQLite through better-sqlite3, PostgreSQL through pg). The store writes its SQL once, with
 * `?` placeholders and values encoded the way both accept (booleans as 1/0, JSON as text); an adapter turns the
 * placeholders into its driver's, runs statements, retries what its database calls transient, and turns every
 * failure into a StoreError.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Statements inside a transaction or a read. */
export interface SqlSession {
  /** A statement that changes rows; with RETURNING, the rows it returned too. */
  run(sql: string, params?: readonly unknown[]): Promise<{ readonly changes: number; readonly rows: readonly Record<string, unknown>[] }>;
  /** A query's rows. */
  all<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** SQL that is spelled differently in the two databases. */
export interface SqlDialect {
  /** Appended to a text column in ORDER BY so both order by bytes (PostgreSQL's locale would not). */
  readonly byBytes: string;
  /** The LIMIT value that means no limit. */
  readonly noLimit: number | null;
}

export interface SqlDatabase {
  readonly dialect: SqlDialect;
  /** Runs `fn` as one transaction (all of it or nothing), again while the database reports a transient conflict. */
  transaction<T>(action: string, fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Runs reads outside any transaction: they see the last commit. */
  read<T>(action: string, fn: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Longest pause between two attempts, ms. */
const LONGEST_RETRY_PAUSE_MS = 100;

/**
 * Runs `fn`, and again after a short pause (1 ms, doubling up to 100 ms) each time it fails with an error
 * `transient` accepts, until `timeoutMs` has passed; then, or on any other error, rethrows the last error with
 * the time waited.
 */
export async function retryTransient<T>(
  timeoutMs: number,
  transient: (error: unknown) => boolean,
  fn: () => Promise<T>,
): Promise<T> {
  const start = performance.now();
  let pauseMs = 1;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      const waitedMs = performance.now() - start;
      if (!transient(error) || waitedMs >= timeoutMs) throw new RetryEnded(error, waitedMs, transient(error));
      await sleep(Math.min(pauseMs, timeoutMs - waitedMs));
      pauseMs = Math.min(pauseMs * 2, LONGEST_RETRY_PAUSE_MS);
    }
  }
}

/** Why retryTransient gave up: the last error, how long it had waited, and whether that error was transient. */
export class RetryEnded extends Error {
  constructor(
    readonly last: unknown,
    readonly waitedMs: number,
    readonly timedOut: boolean,
  ) {
    super(last instanceof Error ? last.message : String(last));
  }
}

/** `?` placeholders → `$1, $2, …` (PostgreSQL). The store's SQL has no `?` inside string literals. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
