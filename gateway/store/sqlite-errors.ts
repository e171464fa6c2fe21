/**
 * SQLite's result codes → StoreError codes with a message a person can act on. Extended codes
 * (SQLITE_IOERR_WRITE, SQLITE_BUSY_SNAPSHOT, SQLITE_CONSTRAINT_FOREIGNKEY, …) are classified by their
 * primary code.
 */
import Database from 'better-sqlite3';
import type { StoreErrorCode } from './store-error.ts';
import { StoreError } from './store-error.ts';

const BY_PRIMARY_CODE: Record<string, { code: StoreErrorCode; explanation: string }> = {
  SQLITE_BUSY: { code: 'busy', explanation: 'the database is locked by another connection' },
  SQLITE_LOCKED: { code: 'busy', explanation: 'the database is locked by another statement' },
  SQLITE_FULL: { code: 'full', explanation: 'the disk is full or the database reached its size limit; nothing was written' },
  SQLITE_READONLY: { code: 'readonly', explanation: 'the database cannot be written (read-only file, directory or medium)' },
  SQLITE_PERM: { code: 'readonly', explanation: 'the database cannot be written (permission denied)' },
  SQLITE_CORRUPT: { code: 'corrupt', explanation: 'the database file is damaged' },
  SQLITE_NOTADB: { code: 'corrupt', explanation: 'the file is not an SQLite database' },
  SQLITE_IOERR: { code: 'io', explanation: 'disk I/O error' },
  SQLITE_CANTOPEN: { code: 'io', explanation: 'the database file cannot be opened (missing directory or permission)' },
  SQLITE_PROTOCOL: { code: 'io', explanation: 'the database lock protocol failed' },
  SQLITE_CONSTRAINT: { code: 'constraint', explanation: 'the write violates a database constraint' },
};

/** Node file-system errors met while preparing the database's directory. */
const BY_ERRNO: Record<string, { code: StoreErrorCode; explanation: string }> = {
  ENOSPC: { code: 'full', explanation: 'the disk is full' },
  EACCES: { code: 'readonly', explanation: 'permission denied' },
  EPERM: { code: 'readonly', explanation: 'permission denied' },
  EROFS: { code: 'readonly', explanation: 'the file system is read-only' },
};

function primaryCode(code: string): string {
  return code.split('_').slice(0, 2).join('_');
}

/** `action` says what was being done, e.g. `insert rep 20261129-100000-ana/1/3`. */
export function toStoreError(error: unknown, action: string): StoreError {
  if (error instanceof StoreError) return error;
  if (error instanceof Database.SqliteError) {
    const known = BY_PRIMARY_CODE[primaryCode(error.code)];
    const code = known?.code ?? 'other';
    const explanation = known?.explanation ?? 'database error';
    return new StoreError(code, `${action}: ${explanation} (${error.code}: ${error.message})`, { cause: error });
  }
  const errno = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof errno === 'string') {
    const known = BY_ERRNO[errno];
    return new StoreError(known?.code ?? 'io', `${action}: ${known?.explanation ?? 'file system error'} (${message})`, {
      cause: error,
    });
  }
  return new StoreError('other', `${action}: ${message}`, { cause: error });
}
