import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { PublishedRep } from '../../gateway/core/domain.ts';
import type { HistoryStore } from '../../gateway/store/history-store.ts';
import { toStoreError } from '../../gateway/store/sqlite-errors.ts';
import { openSqliteStore } from '../../gateway/store/sqlite-store.ts';
import { StoreError } from '../../gateway/store/store-error.ts';
import { rep, startedSet, tempDirs } from './store-fixtures.ts';

const dirs = tempDirs();
const opened: HistoryStore[] = [];
const blockers: Database.Database[] = [];

afterEach(async () => {
  for (const db of blockers.splice(0)) db.close();
  for (const store of opened.splice(0)) await store.close();
  dirs.cleanup();
});

const T0 = Date.UTC(2026, 10, 29, 10, 0, 0);

async function open(path: string, options?: Parameters<typeof openSqliteStore>[1]) {
  const store = await openSqliteStore(path, options);
  opened.push(store);
  return store;
}

/** A second connection to the file, as another process would have, holding the write lock. */
function lockedBy(path: string): Database.Database {
  const db = new Database(path);
  blockers.push(db);
  db.exec('BEGIN IMMEDIATE');
  db.prepare("INSERT INTO athletes VALUES ('intruder', 'Intruder', '[]', NULL, 10)").run();
  return db;
}

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

function integrity(path: string): string {
  const db = new Database(path);
  const result = db.pragma('integrity_check', { simple: true }) as string;
  db.close();
  return result;
}

describe('SQLite errors as store errors', () => {
  it('classifies SQLite result codes, extended ones by their primary code', () => {
    const cases: [string, string][] = [
      ['SQLITE_BUSY', 'busy'],
      ['SQLITE_BUSY_SNAPSHOT', 'busy'],
      ['SQLITE_LOCKED', 'busy'],
      ['SQLITE_FULL', 'full'],
      ['SQLITE_READONLY_DBMOVED', 'readonly'],
      ['SQLITE_CORRUPT', 'corrupt'],
      ['SQLITE_NOTADB', 'corrupt'],
      ['SQLITE_IOERR_WRITE', 'io'],
      ['SQLITE_CONSTRAINT_FOREIGNKEY', 'constraint'],
      ['SQLITE_NOMEM', 'other'],
    ];
    for (const [sqliteCode, code] of cases) {
      const error = toStoreError(new Database.SqliteError('low-level text', sqliteCode), 'store rep x/1/1');
      expect(error.code, sqliteCode).toBe(code);
      expect(error.message).toContain('store rep x/1/1');
      expect(error.message).toContain(sqliteCode);
    }
    const enospc = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    expect(toStoreError(enospc, 'open').code).toBe('full');
  });
});

describe('SQLite history store: a locked database', () => {
  it('fails a write with "busy" after the busy timeout, keeps answering reads, and loses nothing', async () => {
    const path = join(dirs.make(), 'history.db');
    const store = await open(path, { busyTimeoutMs: 150 });
    const ref = await startedSet(store, 'ana', T0);
    const first = rep(ref, 1);
    await store.insertRep(first);

    const blocker = lockedBy(path);
    const error = await rejection(store.insertRep(rep(ref, 2)));
    expect(error.code).toBe('busy');
    expect(error.message).toMatch(/locked/);
    // WAL: readers are not blocked by the writer.
    expect((await store.listReps()).map((r) => r.id)).toEqual([first.id]);

    blocker.exec('ROLLBACK');
    expect((await store.listReps()).map((r) => r.id)).toEqual([first.id]);
    expect(await store.insertRep(rep(ref, 2))).toBe(true);
    expect(await store.listReps()).toHaveLength(2);
    expect(await store.getAthlete('intruder')).toBeNull();
  });

  it('waits without blocking the event loop and writes in call order once the lock is released', async () => {
    const path = join(dirs.make(), 'history.db');
    const store = await open(path, { busyTimeoutMs: 30_000 });
    const ref = await startedSet(store, 'ana', T0);

    const blocker = lockedBy(path);
    const writes = [store.insertRep(rep(ref, 1)), store.insertRep(rep(ref, 2)), store.endSet(ref.session, 1, T0 + 9)];
    // The lock is released by a timer: it only fires if the store's waiting leaves the event loop free.
    setTimeout(() => blocker.exec('COMMIT'), 30);
    expect(await Promise.all(writes)).toEqual([true, true, undefined]);
    expect((await store.listReps()).map((r) => r.index)).toEqual([1, 2]);
    expect(await store.getAthlete('intruder')).not.toBeNull();
  });
});

describe('SQLite history store: a full disk', () => {
  it('fails inserts with "full", keeps what was stored and still answers reads', async () => {
    const path = join(dirs.make(), 'history.db');
    const setup = await openSqliteStore(path);
    const ref = await startedSet(setup, 'ana', T0);
    for (let i = 1; i <= 3; i++) await setup.insertRep(rep(ref, i));
    await setup.close();
    const db = new Database(path, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.close();

    // Room for only a few more pages: as good as a full disk, without filling one.
    const store = await open(path, { maxDatabaseBytes: (pages + 2) * pageSize });
    const padding = 'x'.repeat(400);
    const padded = (index: number) => ({ ...rep(ref, index), padding }) as PublishedRep;
    let failure: StoreError | undefined;
    let index = 4;
    for (; index < 500 && failure === undefined; index++) {
      failure = await store.insertRep(padded(index)).then(
        () => undefined,
        (e: StoreError) => e,
      );
    }
    expect(failure).toBeInstanceOf(StoreError);
    expect(failure!.code).toBe('full');
    expect(failure!.message).toMatch(/full/);

    const failedIndex = index - 1;
    const stored = await store.listReps({ session: ref.session });
    expect(stored.map((r) => r.index)).toEqual(Array.from({ length: failedIndex - 1 }, (_, i) => i + 1));
    expect(await store.listSessions()).toHaveLength(1);
    expect((await rejection(store.insertRep(padded(failedIndex)))).code).toBe('full');
    await store.close();
    expect(integrity(path)).toBe('ok');
  });
});

describe('SQLite history store: a killed process', () => {
  it('has every committed rep for a second connection while the first is still open', async () => {
    const path = join(dirs.make(), 'history.db');
    const writer = await open(path);
    const ref = await startedSet(writer, 'ana', T0);
    for (let i = 1; i <= 5; i++) await writer.insertRep(rep(ref, i));

    const reader = await open(path);
    expect((await reader.listReps()).map((r) => r.index)).toEqual([1, 2, 3, 4, 5]);
    expect(await reader.getSession(ref.session)).toMatchObject({ reps: 5, setCount: 1 });
  });

  it('keeps every rep stored before SIGKILL, and the file intact', async () => {
    const path = join(dirs.make(), 'history.db');
    const store = new URL('../../gateway/store/sqlite-store.ts', import.meta.url).href;
    const fixtures = new URL('./store-fixtures.ts', import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { openSqliteStore } from ${JSON.stringify(store)};
         import { rep, startedSet } from ${JSON.stringify(fixtures)};
         const store = await openSqliteStore(process.env.HISTORY_DB);
         const ref = await startedSet(store, 'ana', ${T0});
         for (let i = 1; i <= 100000; i++) {
           await store.insertRep(rep(ref, i));
           process.stdout.write(i + '\\n');
         }`,
      ],
      {
        cwd: new URL('../..', import.meta.url),
        env: { ...process.env, HISTORY_DB: path },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let acknowledged = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      acknowledged = Number(line);
      if (acknowledged >= 40) {
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');
    expect(acknowledged).toBeGreaterThanOrEqual(40);

    expect(integrity(path)).toBe('ok');
    const reopened = await open(path);
    const indices = (await reopened.listReps()).map((r) => r.index);
    // Every acknowledged rep is there; a few more may have been committed before the kill landed.
    expect(indices.length).toBeGreaterThanOrEqual(acknowledged);
    expect(indices).toEqual(Array.from({ length: indices.length }, (_, i) => i + 1));
    const [session] = await reopened.listSessions();
    expect(await reopened.insertRep(rep({ athlete: 'ana', session: session!.id, set: 1 }, indices.length + 1))).toBe(true);
  });
});
