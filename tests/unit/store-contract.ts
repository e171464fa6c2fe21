/**
 * The behaviour every HistoryStore backend must show — round trips, idempotent inserts, input checks, queries —
 * written once and run against each backend (store-history.test.ts), so SQLite and PostgreSQL cannot drift apart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PublishedRep } from '../../gateway/core/domain.ts';
import type { HistoryStore } from '../../gateway/store/history-store.ts';
import { StoreError } from '../../gateway/store/store-error.ts';
import { UNCERTAIN_GAP_FRACTION } from '../../shared/rep.ts';
import { athlete, cue, rep, sessionId, startedSet, summary } from './store-fixtures.ts';

export interface StoreBackend {
  readonly name: string;
  /** Why this backend cannot be tested here (the suite is skipped, saying so); null when it can. */
  readonly unavailable: string | null;
  /** A new, empty store. */
  open(): Promise<HistoryStore>;
  /** Called after each test, once the store is closed: remove what open() made. */
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2026, 10, 29, 10, 0, 0);
const DAY = 86_400_000;

export async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function historyStoreContract(backend: StoreBackend): void {
  const title = backend.unavailable === null ? `${backend.name} history store` : `${backend.name} history store (skipped: ${backend.unavailable})`;
  describe.skipIf(backend.unavailable !== null)(title, () => {
    let store: HistoryStore;

    beforeEach(async () => {
      store = await backend.open();
    });

    afterEach(async () => {
      await store.close();
      await backend.cleanup();
    });

    describe('round trips', () => {
      it('stores athletes and replaces them on upsert', async () => {
        const ana = athlete('ana');
        await store.upsertAthlete(ana);
        await store.upsertAthlete(athlete('bo', { cutoffCm: null, sensors: [] }));
        expect(await store.getAthlete('ana')).toEqual(ana);

        const renamed = { ...ana, name: 'Ana B.', cutoffCm: 40, winkThresholdDeg: 12 };
        await store.upsertAthlete(renamed);
        expect(await store.getAthlete('ana')).toEqual(renamed);
        expect((await store.listAthletes()).map((a) => a.id)).toEqual(['ana', 'bo']);
        expect(await store.getAthlete('nobody')).toBeNull();
      });

      it('stores a session with its sets, recordings, reps, cues and summary', async () => {
        await store.upsertAthlete(athlete('ana'));
        const id = sessionId('ana', T0);
        expect(await store.startSession({ id, athlete: 'ana', startedAt: T0, simulated: true })).toBe(true);
        expect(await store.startSet({ session: id, set: 1, athlete: 'ana', startedAt: T0 + 5, recording: '/rec/1.csv' })).toBe(
          true,
        );
        expect(await store.startSet({ session: id, set: 2, athlete: 'ana', startedAt: T0 + 90_000, recording: null })).toBe(
          true,
        );
        const set1 = { athlete: 'ana', session: id, set: 1 };
        const set2 = { athlete: 'ana', session: id, set: 2 };
        const reps = [
          rep(set1, 1, { simulated: true, lumbar_flexion_max_deg: null }),
          rep(set1, 2, { simulated: true, butt_wink: true, wink_deg: 14, wink_onset_depth_cm: 28.5 }),
          rep(set2, 1, { simulated: true, gap_fraction: 0.25 }),
        ];
        for (const r of reps) expect(await store.insertRep(r)).toBe(true);
        expect(await store.insertCue({ ...cue(set1, 2), simulated: true })).toBe(true);
        await store.endSet(id, 1, T0 + 60_000);
        await store.endSet(id, 2, T0 + 150_000);
        const sum = summary(3, 33.5);
        await store.endSession(id, T0 + 160_000, sum);

        const stored = await store.listReps({ session: id });
        expect(stored).toEqual(reps.map((r) => ({ ...r, session_started_at: T0 })));
        expect(await store.listCues({ session: id })).toEqual([{ ...cue(set1, 2), simulated: true }]);
        expect(await store.recordingPath(id, 1)).toBe('/rec/1.csv');
        expect(await store.recordingPath(id, 2)).toBeNull();
        expect(await store.recordingPath(id, 3)).toBeNull();

        const session = await store.getSession(id);
        expect(session).toMatchObject({
          id,
          athlete: 'ana',
          startedAt: T0,
          endedAt: T0 + 160_000,
          simulated: true,
          setCount: 2,
          reps: 3,
          suggestedCutoffCm: 33.5,
          summary: sum,
        });
        expect(session!.sets.map((s) => [s.set, s.startedAt, s.endedAt, s.recording, s.reps])).toEqual([
          [1, T0 + 5, T0 + 60_000, '/rec/1.csv', 2],
          [2, T0 + 90_000, T0 + 150_000, null, 1],
        ]);
        expect(session!.sets[0]!.winkRate).toBe(0.5);
        expect(await store.getSession(sessionId('ana', T0 + 1000))).toBeNull();
      });

      it('keeps rep fields it does not know (added to the contract later)', async () => {
        const ref = await startedSet(store, 'ana', T0);
        const extended = { ...rep(ref, 1), tempo_s: 2.4, notes: { source: 'test' } } as PublishedRep;
        await store.insertRep(extended);
        expect((await store.listReps())[0]).toMatchObject({ tempo_s: 2.4, notes: { source: 'test' } });
      });

      it('stores calibrations, newest first, by kind', async () => {
        await store.upsertAthlete(athlete('ana'));
        const first = await store.addCalibration({ athlete: 'ana', kind: 'standing', at: T0, values: { lordosis_deg: 30 } });
        const second = await store.addCalibration({
          athlete: 'ana',
          kind: 'tilt_range',
          at: T0 + 1000,
          values: { anterior_deg: 12, posterior_deg: -9.5 },
        });
        const third = await store.addCalibration({ athlete: 'ana', kind: 'standing', at: T0 + 2000, values: { lordosis_deg: 32 } });
        expect(new Set([first, second, third]).size).toBe(3);

        const all = await store.listCalibrations({ athlete: 'ana' });
        expect(all.map((c) => c.id)).toEqual([third, second, first]);
        expect(all[1]).toEqual({
          id: second,
          athlete: 'ana',
          kind: 'tilt_range',
          at: T0 + 1000,
          values: { anterior_deg: 12, posterior_deg: -9.5 },
        });
        const latestStanding = await store.listCalibrations({ athlete: 'ana', kind: 'standing', limit: 1 });
        expect(latestStanding.map((c) => c.values)).toEqual([{ lordosis_deg: 32 }]);
      });
    });

    describe('idempotent inserts', () => {
      it('keeps one row when the same rep arrives twice', async () => {
        const ref = await startedSet(store, 'ana', T0);
        const r = rep(ref, 1);
        expect(await store.insertRep(r)).toBe(true);
        expect(await store.insertRep(r)).toBe(false);
        // A redelivery with different values does not overwrite the fact first stored.
        expect(await store.insertRep({ ...r, depth_cm: 99 })).toBe(false);
        const stored = await store.listReps();
        expect(stored).toHaveLength(1);
        expect(stored[0]!.depth_cm).toBe(r.depth_cm);
      });

      it('keeps one cue per rep, one session and one set per id', async () => {
        const ref = await startedSet(store, 'ana', T0);
        expect(await store.insertCue(cue(ref, 1))).toBe(true);
        expect(await store.insertCue({ ...cue(ref, 1), depth_cm: 40 })).toBe(false);
        expect(await store.listCues({ session: ref.session })).toHaveLength(1);

        expect(await store.startSession({ id: ref.session, athlete: 'ana', startedAt: T0 + 5, simulated: true })).toBe(false);
        expect(await store.startSet({ ...ref, startedAt: T0 + 5, recording: 'x.csv' })).toBe(false);
        const session = await store.getSession(ref.session);
        expect(session).toMatchObject({ startedAt: T0, simulated: false });
        expect(session!.sets[0]).toMatchObject({ startedAt: T0, recording: null });
      });
    });

    describe('input checks', () => {
      it('rejects malformed input with "invalid" and writes nothing', async () => {
        const ref = await startedSet(store, 'ana', T0);
        const good = rep(ref, 1);
        const bad: [string, unknown][] = [
          ['id not matching the rep', { ...good, id: `${ref.session}/1/7` }],
          ['non-finite depth', { ...good, depth_cm: Number.NaN }],
          ['missing field', { ...good, wink_deg: undefined }],
          ['gap fraction above 1', { ...good, gap_fraction: 1.5 }],
          ['set 0', { ...good, set: 0, id: `${ref.session}/0/1` }],
        ];
        for (const [why, value] of bad) {
          const error = await rejection(store.insertRep(value as PublishedRep));
          expect(error.code, why).toBe('invalid');
        }
        expect(await store.listReps()).toEqual([]);

        const badAthlete = await rejection(store.upsertAthlete(athlete('Ana Upper')));
        expect(badAthlete.code).toBe('invalid');
        expect(badAthlete.message).toMatch(/athlete/);
        const mismatched = await rejection(
          store.startSession({ id: sessionId('bo', T0), athlete: 'ana', startedAt: T0, simulated: false }),
        );
        expect(mismatched.code).toBe('invalid');
        expect((await rejection(store.listReps({ limit: -1 }))).code).toBe('invalid');
        expect((await rejection(store.endSession(ref.session, T0, { type: 'session' } as never))).code).toBe('invalid');
        expect(await store.listAthletes()).toHaveLength(1);
        expect(await store.listSessions()).toHaveLength(1);
      });

      it('reports facts about unknown athletes, sessions and sets as "not_found"', async () => {
        const ref = await startedSet(store, 'ana', T0);
        const other = { ...ref, set: 2 };
        expect((await rejection(store.insertRep(rep(other, 1)))).code).toBe('not_found');
        expect((await rejection(store.insertCue(cue(other, 1)))).code).toBe('not_found');
        expect((await rejection(store.endSet(ref.session, 2, T0))).code).toBe('not_found');
        const unknownSession = sessionId('ana', T0 + 1000);
        expect((await rejection(store.endSession(unknownSession, T0, summary(0, null)))).code).toBe('not_found');
        expect(
          (await rejection(store.startSet({ session: unknownSession, set: 1, athlete: 'ana', startedAt: T0, recording: null })))
            .code,
        ).toBe('not_found');
        expect(
          (await rejection(store.startSession({ id: sessionId('zed', T0), athlete: 'zed', startedAt: T0, simulated: false })))
            .code,
        ).toBe('not_found');
        expect((await rejection(store.addCalibration({ athlete: 'zed', kind: 'standing', at: T0, values: {} }))).code).toBe(
          'not_found',
        );
        expect(await store.listReps()).toEqual([]);
      });

      it('fails calls after close with "closed"', async () => {
        await store.close();
        expect((await rejection(store.listAthletes())).code).toBe('closed');
        expect((await rejection(store.upsertAthlete(athlete('ana')))).code).toBe('closed');
      });
    });

    describe('queries', () => {
      /** Two athletes, three sessions a day apart, reps with known depths and winks. */
      async function history() {
        const a1 = await startedSet(store, 'ana', T0);
        const a2 = await startedSet(store, 'ana', T0 + DAY);
        const a2set2 = { ...a2, set: 2 };
        await store.startSet({ ...a2set2, startedAt: T0 + DAY + 60_000, recording: null });
        const b1 = await startedSet(store, 'bo', T0 + DAY / 2, 1, true);
        const plan: [typeof a1, number, number, number | null, boolean][] = [
          // ref, index, depth, flexion, wink
          [a1, 1, 30, 10, false],
          [a1, 2, 34, 14, true],
          [a1, 3, 38, 12, false],
          [a1, 4, 36, 20, true],
          [a2, 1, 40, 15, false],
          [a2, 2, 42, 18, false],
          [a2set2, 1, 44, 25, true],
          [b1, 1, 20, null, false],
          [b1, 2, 22, null, false],
        ];
        for (const [ref, index, depth, flexion, wink] of plan) {
          await store.insertRep(rep(ref, index, { depth_cm: depth, lumbar_flexion_max_deg: flexion, butt_wink: wink }));
        }
        await store.endSession(a1.session, T0 + 600_000, summary(4, 33));
        return { a1, a2, b1, plan };
      }

      it('lists sessions newest first with their aggregates, filtered by athlete and time', async () => {
        const { a1, a2, b1, plan } = await history();
        const all = await store.listSessions();
        expect(all.map((s) => s.id)).toEqual([a2.session, b1.session, a1.session]);

        const a1Reps = plan.filter(([ref]) => ref.session === a1.session);
        const first = all[2]!;
        expect(first.reps).toBe(a1Reps.length);
        expect(first.meanDepthCm).toBeCloseTo(mean(a1Reps.map(([, , d]) => d)), 10);
        expect(first.maxFlexionDeg).toBe(Math.max(...a1Reps.map(([, , , f]) => f!)));
        expect(first.winkRate).toBeCloseTo(a1Reps.filter(([, , , , w]) => w).length / a1Reps.length, 10);
        expect(first.suggestedCutoffCm).toBe(33);
        expect(all[1]).toMatchObject({ simulated: true, maxFlexionDeg: null, suggestedCutoffCm: null, endedAt: null });
        expect(all[0]!.setCount).toBe(2);

        expect((await store.listSessions({ athlete: 'ana' })).map((s) => s.id)).toEqual([a2.session, a1.session]);
        expect((await store.listSessions({ from: T0 + 1, to: T0 + DAY })).map((s) => s.id)).toEqual([b1.session]);
        expect((await store.listSessions({ to: T0 + DAY })).map((s) => s.id)).toEqual([b1.session, a1.session]);
        expect((await store.listSessions({ limit: 1, offset: 1 })).map((s) => s.id)).toEqual([b1.session]);
        expect(await store.listSessions({ athlete: 'nobody' })).toEqual([]);
      });

      it('lists reps chronologically with every filter and paging', async () => {
        const { a1, a2, b1, plan } = await history();
        const all = await store.listReps();
        expect(all.map((r) => r.id)).toEqual([
          ...[1, 2, 3, 4].map((i) => `${a1.session}/1/${i}`),
          `${b1.session}/1/1`,
          `${b1.session}/1/2`,
          `${a2.session}/1/1`,
          `${a2.session}/1/2`,
          `${a2.session}/2/1`,
        ]);
        const startOf = new Map([
          [a1.session, T0],
          [b1.session, T0 + DAY / 2],
          [a2.session, T0 + DAY],
        ]);
        expect(all.every((r) => r.session_started_at === startOf.get(r.session))).toBe(true);

        expect((await store.listReps({ athlete: 'bo' })).map((r) => r.index)).toEqual([1, 2]);
        expect((await store.listReps({ session: a2.session, set: 2 })).map((r) => r.id)).toEqual([`${a2.session}/2/1`]);
        const winks = await store.listReps({ buttWink: true });
        expect(winks.map((r) => r.id)).toEqual(
          plan.filter(([, , , , w]) => w).map(([ref, i]) => `${ref.session}/${ref.set}/${i}`),
        );
        expect((await store.listReps({ buttWink: false, athlete: 'ana' })).every((r) => !r.butt_wink && r.athlete === 'ana')).toBe(
          true,
        );
        expect((await store.listReps({ from: T0 + DAY })).map((r) => r.session)).toEqual(Array(3).fill(a2.session));
        expect((await store.listReps({ to: T0 + DAY / 2 })).every((r) => r.session === a1.session)).toBe(true);
        const page2 = await store.listReps({ athlete: 'ana', limit: 2, offset: 2 });
        expect(page2.map((r) => r.id)).toEqual([`${a1.session}/1/3`, `${a1.session}/1/4`]);
        expect(await store.listReps({ athlete: 'ana', limit: 0 })).toEqual([]);
      });

      it('leaves reps whose depth is uncertain (a hole in the data) out of the mean depth, and counts them', async () => {
        const set = await startedSet(store, 'cy', T0);
        await store.insertRep(rep(set, 1, { depth_cm: 40, gap_fraction: 0 }));
        await store.insertRep(rep(set, 2, { depth_cm: 44, gap_fraction: UNCERTAIN_GAP_FRACTION }));
        await store.insertRep(rep(set, 3, { depth_cm: 101, gap_fraction: 0.58 }));
        const [session] = await store.listSessions({ athlete: 'cy' });
        expect(session!.reps).toBe(3);
        expect(session!.meanDepthCm).toBeCloseTo(42, 10);
        expect((await store.trends('cy'))[0]!.meanDepthCm).toBeCloseTo(42, 10);
        const [storedSet] = (await store.getSession(set.session))!.sets;
        expect(storedSet!.meanDepthCm).toBeCloseTo(42, 10);
      });

      it('computes trends per session from the stored reps', async () => {
        const { a1, a2, plan } = await history();
        const trend = await store.trends('ana');
        expect(trend.map((p) => [p.session, p.startedAt])).toEqual([
          [a1.session, T0],
          [a2.session, T0 + DAY],
        ]);
        for (const point of trend) {
          const own = plan.filter(([ref]) => ref.session === point.session);
          expect(point.reps).toBe(own.length);
          expect(point.meanDepthCm).toBeCloseTo(mean(own.map(([, , d]) => d)), 10);
          expect(point.maxFlexionDeg).toBe(Math.max(...own.map(([, , , f]) => f!)));
          expect(point.winkRate).toBeCloseTo(own.filter(([, , , , w]) => w).length / own.length, 10);
        }
        expect(trend.map((p) => p.suggestedCutoffCm)).toEqual([33, null]);
        // A session without reps has no trend point.
        await startedSet(store, 'ana', T0 + 2 * DAY);
        expect(await store.trends('ana')).toHaveLength(2);
        expect(await store.trends('nobody')).toEqual([]);
      });
    });

    describe('write order', () => {
      it('applies writes in call order, so a caller need not wait for the set before sending its reps', async () => {
        const id = sessionId('ana', T0);
        const ref = { athlete: 'ana', session: id, set: 1 };
        // Nothing awaited in between: each write depends on the one before it.
        const writes = [
          store.upsertAthlete(athlete('ana')),
          store.startSession({ id, athlete: 'ana', startedAt: T0, simulated: false }),
          store.startSet({ session: id, set: 1, athlete: 'ana', startedAt: T0, recording: null }),
          ...[1, 2, 3].map((i) => store.insertRep(rep(ref, i))),
          store.insertCue(cue(ref, 3)),
          store.endSet(id, 1, T0 + 60_000),
        ];
        await Promise.all(writes);
        expect((await store.listReps({ session: id })).map((r) => r.index)).toEqual([1, 2, 3]);
        expect(await store.listCues({ session: id })).toHaveLength(1);
        expect((await store.getSession(id))!.sets[0]!.endedAt).toBe(T0 + 60_000);
      });

      it('lets later writes through after one fails', async () => {
        const ref = await startedSet(store, 'ana', T0);
        const failed = rejection(store.insertRep(rep({ ...ref, set: 9 }, 1)));
        const stored = store.insertRep(rep(ref, 1));
        expect((await failed).code).toBe('not_found');
        expect(await stored).toBe(true);
      });
    });
  });
}
