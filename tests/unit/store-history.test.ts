/**
 * The history store's behavioural contract (store-contract.ts), run against every backend: SQLite in a temp
 * file, PostgreSQL in a fresh schema per test (skipped, saying why, when no server answers).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../gateway/store/postgres-store.ts';
import { openSqliteStore } from '../../gateway/store/sqlite-store.ts';
import { dropSchema, freshSchemaName, NO_POSTGRES, POSTGRES_URL, postgresAvailable } from '../support/postgres.ts';
import { historyStoreContract } from './store-contract.ts';
import { tempDirs } from './store-fixtures.ts';

const dirs = tempDirs();
historyStoreContract({
  name: 'SQLite',
  unavailable: null,
  open: () => openSqliteStore(join(dirs.make(), 'history.db')),
  cleanup: async () => dirs.cleanup(),
});

const postgres = await postgresAvailable();
if (!postgres) console.warn(`store-history: PostgreSQL suite skipped: ${NO_POSTGRES}`);
let schema = '';
historyStoreContract({
  name: 'PostgreSQL',
  unavailable: postgres ? null : NO_POSTGRES,
  open: () => {
    schema = freshSchemaName();
    return openPostgresStore(POSTGRES_URL, { schema });
  },
  cleanup: () => dropSchema(schema),
});

describe('SQLite history store: the file', () => {
  it('is in WAL mode', async () => {
    const path = join(dirs.make(), 'history.db');
    await (await openSqliteStore(path)).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    dirs.cleanup();
  });
});
