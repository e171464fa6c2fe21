/**
 * PostgreSQL's errors → StoreError codes with a message a person can act on, so callers react to a networked
 * history exactly as to the SQLite one. Server errors carry a SQLSTATE (`code`, five characters, the first two
 * its class); a server that cannot be reached shows up as a Node socket error or one of pg's connection
 * messages instead.
 */
import pg from 'pg';
import type { StoreErrorCode } from './store-error.ts';
import { StoreError } from './store-error.ts';

interface Classified {
  readonly code: StoreErrorCode;
  readonly explanation: string;
}

/** Exact SQLSTATEs, looked up before their class. */
const BY_SQLSTATE: Record<string, Classified> = {
  '40P01': { code: 'busy', explanation: 'deadlock with another connection' },
  '40001': { code: 'busy', explanation: 'conflict with a concurrent transaction' },
  '55P03': { code: 'busy', explanation: 'a lock stayed held by another connection longer than the busy timeout' },
  '53100': { code: 'full', explanation: 'the database server\'s disk is full; nothing was written' },
  '53300': { code: 'busy', explanation: 'the server has no free connection slot' },
  '25006': { code: 'readonly', explanation: 'the database is read-only (a standby, or default_transaction_read_only)' },
  '42501': { code: 'readonly', explanation: 'the database user may not write here (permission denied)' },
  '3D000': { code: 'io', explanation: 'the database does not exist' },
  '57P01': { code: 'io', explanation: 'the server is shutting down' },
  '57P02': { code: 'io', explanation: 'the server is shutting down' },
  '57P03': { code: 'io', explanation: 'the server is not accepting connections yet' },
  XX001: { code: 'corrupt', explanation: 'the server reports damaged data' },
  XX002: { code: 'corrupt', explanation: 'the server reports a damaged index' },
};

/** SQLSTATE classes (first two characters). */
const BY_CLASS: Record<string, Classified> = {
  '08': { code: 'io', explanation: 'the connection to the database server failed' },
  '22': { code: 'invalid', explanation: 'the value cannot be stored (data exception)' },
  '23': { code: 'constraint', explanation: 'the write violates a database constraint' },
  '28': { code: 'io', explanation: 'the database server refused the login' },
  '53': { code: 'full', explanation: 'the database server ran out of resources' },
  '58': { code: 'io', explanation: 'the database server had an I/O error' },
};

/** Node socket errors: the server is not there or the network dropped. */
const NETWORK_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** What pg says when a connection dies or cannot be made in time (these errors carry no code). */
const CONNECTION_MESSAGE = /connection terminated|timeout exceeded when trying to connect|connection error|not queryable/i;

export function classifySqlState(sqlState: string): Classified | null {
  return BY_SQLSTATE[sqlState] ?? BY_CLASS[sqlState.slice(0, 2)] ?? null;
}

/** `action` says what was being done, e.g. `store rep 20261129-100000-ana/1/3`. */
export function postgresStoreError(error: unknown, action: string): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof pg.DatabaseError && typeof error.code === 'string') {
    const known = classifySqlState(error.code);
    return new StoreError(known?.code ?? 'other', `${action}: ${known?.explanation ?? 'database error'} (${error.code}: ${message})`, {
      cause: error,
    });
  }
  const errno = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof errno === 'string' && NETWORK_ERRNOS.has(errno)) {
    return new StoreError('io', `${action}: cannot reach the database server (${errno}: ${message})`, { cause: error });
  }
  // A socket error may also arrive wrapped (AggregateError of every address tried, or an error's cause).
  const nested = (error as { errors?: unknown[]; cause?: unknown } | null) ?? {};
  const inner = nested.errors?.[0] ?? nested.cause;
  if (inner !== undefined && inner !== error) {
    const classified = postgresStoreError(inner, action);
    if (classified.code === 'io') return new StoreError('io', classified.message, { cause: error });
  }
  if (CONNECTION_MESSAGE.test(message)) {
    return new StoreError('io', `${action}: lost or could not open the connection to the database server (${message})`, { cause: error });
  }
  return new StoreError('other', `${action}: ${message}`, { cause: error });
}
