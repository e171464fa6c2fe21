/**
 * The one error type every history store reports, so callers (the store sink, REST) can react by kind —
 * retry later on 'busy', warn about 'full', answer 400 on 'invalid', 404 on 'not_found' — whatever the backend.
 */
export type StoreErrorCode =
  /** Input failed validation; nothing was written. */
  | 'invalid'
  /** A session, set or athlete named by the call does not exist. */
  | 'not_found'
  /** Another connection held the lock longer than the busy timeout. */
  | 'busy'
  /** The disk (or the configured size limit) is full. */
  | 'full'
  | 'readonly'
  /** The file is not a database or is damaged. */
  | 'corrupt'
  | 'io'
  | 'constraint'
  /** The database was written by a newer squatmon (its schema is newer than this code knows). */
  | 'incompatible'
  /** The store was closed. */
  | 'closed'
  | 'other';

export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
