import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { closeInterruptedSessions } from '../../gateway/service/session-recovery.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { openSqliteStore } from '../../gateway/store/sqlite-store.ts';
import { athlete, rep, sessionId, startedSet, tempDirs } from './store-fixtures.ts';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('closeInterruptedSessions', () => {
  it('closes a session an earlier run left open, from its stored reps, and leaves the current one alone', async () => {
    const store = await openSqliteStore(join(dirs.make(), 'h.db'));
    try {
      const startedAt = Date.UTC(2026, 10, 29, 10, 0, 0);
      const ref = await startedSet(store, 'ana', startedAt);
      await store.insertRep(rep(ref, 1));
      await store.insertRep(rep(ref, 2, { butt_wink: true, wink_deg: 14, wink_onset_depth_cm: 33.4 }));
      const current = sessionId('ana', startedAt + 3_600_000);
      await store.startSession({ id: current, athlete: 'ana', startedAt: startedAt + 3_600_000, simulated: false });

      const logger = memoryLogger();
      const closed = await closeInterruptedSessions(store, athlete('ana'), current, logger);
      expect(closed).toEqual([ref.session]);
      const old = (await store.getSession(ref.session))!;
      // The last rep ends 23.2 s into the session (fixture: 10·index + 3.2).
      expect(old.endedAt).toBe(startedAt + 23_200);
      expect(old.summary).toMatchObject({ reps: 2, suggested_cutoff_cm: 31, pelvic_tilt: null, standing_lordosis_deg: null });
      expect(old.sets.every((s) => s.endedAt === startedAt + 23_200)).toBe(true);
      expect((await store.getSession(current))!.endedAt).toBeNull();
      expect(logger.lines.some((l) => l.startsWith('warn') && l.includes(ref.session))).toBe(true);
      // Nothing left to close the second time.
      expect(await closeInterruptedSessions(store, athlete('ana'), current, logger)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
