/**
 * Opens the configured history: PostgreSQL when `store.url` names a database (a historian collecting several
 * racks), else the SQLite file `squatmon.db` in the data folder (one gateway by the rack).
 */
import { join } from 'node:path';
import type { HistoryStore } from './history-store.ts';
import { openPostgresStore, safeUrl } from './postgres-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

export interface StoreConfig {
  /** postgres:// or postgresql:// URL; null: SQLite. */
  readonly url: string | null;
  readonly schema: string | null;
  /** SQLite only: size limit of the file, bytes; null: none. */
  readonly maxBytes?: number | null;
}

export function openHistoryStore(config: StoreConfig, dataDir: string): Promise<HistoryStore> {
  if (config.url !== null) return openPostgresStore(config.url, config.schema === null ? {} : { schema: config.schema });
  return openSqliteStore(join(dataDir, 'squatmon.db'), config.maxBytes ? { maxDatabaseBytes: config.maxBytes } : {});
}

/** Where the history is, for logs and the start banner (no password). */
export function describeHistoryStore(config: StoreConfig, dataDir: string): string {
  if (config.url === null) return join(dataDir, 'squatmon.db');
  return config.schema === null ? safeUrl(config.url) : `${safeUrl(config.url)} (schema ${config.schema})`;
}
