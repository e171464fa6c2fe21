/**
 * The historian's ingest over a real SQLite store through the real StoreSink: messages as gateways publish them
 * become history (athlete, session and set created on first sight), duplicates change nothing, and bad payloads
 * are dropped whole.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GatewayEvent, PublishedSession, SensorState } from '../../gateway/core/domain.ts';
import { HistorianIngest, sessionStartOf } from '../../gateway/service/historian-ingest.ts';
import { routeOf } from '../../gateway/service/historian-messages.ts';
import type { MessageTrust } from '../../gateway/service/historian-messages.ts';
import { signingEncoder } from '../../gateway/mqtt/signing.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { StoreSink } from '../../gateway/service/store-sink.ts';
import type { HistoryStore } from '../../gateway/store/history-store.ts';
import { openSqliteStore } from '../../gateway/store/sqlite-store.ts';
import { athlete, cue, rep, sessionId, summary, tempDirs } from './store-fixtures.ts';

const T0 = Date.UTC(2026, 10, 29, 10, 0, 0);
const NOW = T0 + 3_600_000;
const dirs = tempDirs();
let store: HistoryStore;
let ingest: HistorianIngest;
let events: GatewayEvent[];
let logger: ReturnType<typeof memoryLogger>;

async function start(trust: MessageTrust = 'broker'): Promise<void> {
  events = [];
  logger = memoryLogger();
  const sink = new StoreSink(store, logger);
  ingest = new HistorianIngest({
    root: 'squatmon',
    store,
    logger,
    now: () => NOW,
    trust,
    emit: (event) => {
      events.push(event);
      sink.handle(event);
    },
  });
  await ingest.load();
}

beforeEach(async () => {
  store = await openSqliteStore(join(dirs.make(), 'history.db'));
  await start();
});

afterEach(async () => {
  await store.close();
  dirs.cleanup();
});

const payload = (value: unknown) => Buffer.from(JSON.stringify(value));
const ref = (id: string, set = 1) => ({ athlete: id, session: sessionId(id, T0), set });

function sensorState(id: string, athleteId: string): SensorState {
  return {
    id,
    athlete: athleteId,
    placement: 'sacrum',
    driver: 'squatmon',
    connected: true,
    battery: 80,
    rate: 100,
    rssi: -60,
    last_seen: NOW,
    simulated: true,
    frames_lost: 0,
    duplicates_dropped: 0,
    samples_rejected: 0,
  };
}

async function storedRepIds(): Promise<string[]> {
  return (await store.listReps()).map((r) => r.id);
}

/** The store writes asynchronously: reads `read` until `done` holds (or 5 s passed) and returns the last value. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = performance.now() + 5_000;
  let value = await read();
  while (!done(value) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 5));
    value = await read();
  }
  return value;
}

const nonEmpty = (list: readonly unknown[]) => list.length > 0;

describe('historian ingest', () => {
  it('creates the athlete, session and set a rep names, then stores the rep', async () => {
    const r = rep(ref('rack1-ana'), 1, { t_start: 12 });
    ingest.accept('squatmon/athletes/rack1-ana/reps', payload(r), false);
    expect(events.map((e) => e.kind)).toEqual(['rep']);
    expect(await eventually(storedRepIds, nonEmpty)).toEqual([r.id]);
    expect((await store.listAthletes()).map((a) => a.id)).toEqual(['rack1-ana']);
    const session = await store.getSession(r.session);
    expect(session).toMatchObject({ athlete: 'rack1-ana', startedAt: sessionStartOf(r.session), simulated: false });
    expect(session!.startedAt).toBe(T0);
    // The set starts at the session's start plus the rep's gateway time.
    expect(session!.sets.map((s) => [s.set, s.startedAt])).toEqual([[1, T0 + 12_000]]);
  });

  it('keeps one row per rep when the broker delivers it twice, also after a restart', async () => {
    const r = rep(ref('ana'), 1);
    ingest.accept('squatmon/athletes/ana/reps', payload(r), false);
    ingest.accept('squatmon/athletes/ana/reps', payload(r), false);
    await start(); // a new historian process: it knows neither the session nor the set
    ingest.accept('squatmon/athletes/ana/reps', payload(r), false);
    const second = rep(ref('ana'), 2);
    ingest.accept('squatmon/athletes/ana/reps', payload(second), false);
    expect(await eventually(storedRepIds, (ids) => ids.length >= 2)).toEqual([r.id, second.id]);
  });

  it('accepts gateways publishing under a level of their own below the root, and ignores what is not history', async () => {
    expect(routeOf('squatmon', 'squatmon/rack2/athletes/bo/reps')).toEqual({ kind: 'rep', athlete: 'bo' });
    expect(routeOf('squatmon', 'squatmon/rack2/sensors/S1')).toEqual({ kind: 'sensor', sensor: 'S1' });
    for (const topic of ['squatmon/bridge/state', 'squatmon/athletes/bo/stats', 'squatmon/bridge/request/set_start', 'other/athletes/bo/reps']) {
      expect(routeOf('squatmon', topic), topic).toBeNull();
    }
    ingest.accept('squatmon/bridge/state', payload({ state: 'online' }), true);
    ingest.accept('squatmon/rack2/athletes/bo/reps', payload(rep(ref('bo'), 1)), false);
    expect(await eventually(storedRepIds, nonEmpty)).toEqual([`${sessionId('bo', T0)}/1/1`]);
    expect(ingest.stats()).toEqual({ accepted: 1, dropped: 0, refused: 0 });
  });

  it('drops bad payloads whole — nothing of them is stored — and says why (once while the same problem repeats)', async () => {
    const good = rep(ref('ana'), 1);
    const bad: [string, Buffer][] = [
      ['squatmon/athletes/ana/reps', Buffer.from('{not json')],
      ['squatmon/athletes/ana/reps', payload({ ...good, depth_cm: 'deep' })],
      ['squatmon/athletes/ana/reps', payload({ ...good, id: `${good.session}/1/9` })],
      ['squatmon/athletes/mallory/reps', payload(good)],
      ['squatmon/athletes/ana/cue', payload({ ...cue(ref('ana'), 1), rep: 0 })],
      ['squatmon/sensors/S9', payload(sensorState('S1', 'ana'))],
      ['squatmon/athletes/ana/session', payload({ type: 'session', athlete: 'ana' })],
    ];
    for (const [topic, body] of bad) ingest.accept(topic, body, false);
    // A publisher repeating the same mistake is logged once.
    ingest.accept(...bad[bad.length - 1]!, false);
    expect(ingest.stats()).toEqual({ accepted: 0, dropped: bad.length + 1, refused: 0 });
    expect(events).toEqual([]);
    expect(logger.lines.filter((l) => l.includes('message dropped'))).toHaveLength(bad.length);
    // A good message afterwards lands; the store applies writes in order, so had the bad ones written
    // anything it would be there by now.
    ingest.accept('squatmon/athletes/bo/reps', payload(rep(ref('bo'), 1)), false);
    expect(await eventually(storedRepIds, nonEmpty)).toHaveLength(1);
    expect((await store.listAthletes()).map((a) => a.id)).toEqual(['bo']);
    expect(await store.listSessions({ athlete: 'ana' })).toEqual([]);
  });

  it('stores a cue that comes before any rep of its set', async () => {
    const c = cue(ref('ana', 2), 1);
    ingest.accept('squatmon/athletes/ana/cue', payload(c), false);
    expect(await eventually(() => store.listCues({ session: c.session }), nonEmpty)).toEqual([c]);
    expect((await store.getSession(c.session))!.sets.map((s) => s.set)).toEqual([2]);
  });

  it('learns athletes and their sensors from sensor states, keeping names already stored', async () => {
    await store.upsertAthlete(athlete('ana', { name: 'Ana P.', sensors: [] }));
    await start();
    ingest.accept('squatmon/sensors/ana-sacrum', payload(sensorState('ana-sacrum', 'ana')), true);
    ingest.accept('squatmon/sensors/bo-sacrum', payload(sensorState('bo-sacrum', 'bo')), true);
    expect(ingest.knownAthletes().map((a) => a.id)).toEqual(['ana', 'bo']);
    const ana = await eventually(() => store.getAthlete('ana'), (a) => a !== null && a.sensors.length > 0);
    expect(ana).toMatchObject({ name: 'Ana P.', sensors: [{ id: 'ana-sacrum', placement: 'sacrum', driver: 'squatmon', match: null }] });
    expect(events.map((e) => e.kind)).toEqual(['sensor', 'sensor']);
  });

  it('accepts the sensor state of a gateway that predates duplicates_dropped, samples_rejected and face, as 0, 0 and null', async () => {
    await start();
    const { duplicates_dropped: _, samples_rejected: __, ...older } = sensorState('ana-sacrum', 'ana');
    ingest.accept('squatmon/sensors/ana-sacrum', payload(older), true);
    expect(events).toEqual([{ kind: 'sensor', sensor: { ...older, duplicates_dropped: 0, samples_rejected: 0, face: null } }]);
  });

  it('stores the session summary, and a retained copy only when the history has none', async () => {
    const id = sessionId('ana', T0);
    const published: PublishedSession = { ...summary(4, 33), athlete: 'ana', session: id, simulated: false };
    ingest.accept('squatmon/athletes/ana/session', payload(published), false);
    const session = await eventually(() => store.getSession(id), (s) => s?.summary != null);
    expect(session).toMatchObject({ endedAt: NOW, suggestedCutoffCm: 33, summary: summary(4, 33) });

    // The retained copy of an older state of the summary, delivered at a later subscription, changes nothing.
    ingest.accept('squatmon/athletes/ana/session', payload({ ...published, ...summary(2, 40) }), true);
    ingest.accept('squatmon/athletes/ana/reps', payload(rep(ref('ana'), 1)), false);
    await eventually(storedRepIds, nonEmpty);
    expect((await store.getSession(id))!.suggestedCutoffCm).toBe(33);
  });
});

describe('historian ingest trusting only signed messages', () => {
  const RACK1_KEY = 'rack1-secret-0123456789';
  const trust: MessageTrust = { gatewayKeys: new Map([['rack1', RACK1_KEY], ['rack2', 'rack2-secret-0123456789']]) };
  const rack1 = signingEncoder({ signer: 'rack1', key: RACK1_KEY });
  const signed = (topic: string, value: unknown) => Buffer.from(rack1(topic, value));

  beforeEach(() => start(trust));

  it('stores what a trusted gateway signed, without the signature fields', async () => {
    const r = rep(ref('ana'), 1);
    const topic = 'squatmon/rack1/athletes/ana/reps';
    ingest.accept(topic, signed(topic, r), false);
    expect(await eventually(storedRepIds, nonEmpty)).toEqual([r.id]);
    expect(events).toEqual([{ kind: 'rep', rep: r }]);
    expect(ingest.stats()).toEqual({ accepted: 1, dropped: 0, refused: 0 });
  });

  it('refuses forged, unsigned, re-addressed and tampered messages: nothing reaches the store; each reason is logged once and counted', async () => {
    const ghost = rep(ref('ghost'), 777, { depth_cm: 123.4 });
    const ghostTopic = 'squatmon/athletes/ghost/reps';
    const anaTopic = 'squatmon/athletes/ana/reps';
    const genuine = signed(anaTopic, rep(ref('ana'), 1));
    const forged: [string, Buffer][] = [
      [ghostTopic, payload(ghost)], // unsigned, as the reproduction
      [ghostTopic, payload(ghost)],
      [ghostTopic, Buffer.from(signingEncoder({ signer: 'rack1', key: 'guessed-key-0123456789' })(ghostTopic, ghost))],
      [ghostTopic, Buffer.from(signingEncoder({ signer: 'mallory', key: 'mallory-key-0123456789' })(ghostTopic, ghost))],
      // A genuine signed rep replayed on another athlete's topic: the topic is signed too.
      ['squatmon/athletes/ghost/reps', genuine],
      // A genuine signed rep with its depth changed.
      [anaTopic, Buffer.from(genuine.toString().replace(/"depth_cm":[0-9.]+/, '"depth_cm":123.4'))],
    ];
    for (const [topic, body] of forged) ingest.accept(topic, body, false);
    // Give the store time to write anything it was (wrongly) handed.
    await new Promise((r) => setTimeout(r, 50));
    expect(await storedRepIds()).toEqual([]);
    expect(await store.listAthletes()).toEqual([]);
    expect(events).toEqual([]);
    expect(ingest.stats()).toEqual({ accepted: 0, dropped: 0, refused: forged.length });
    const refusals = logger.lines.filter((l) => l.includes('historian: message refused'));
    expect(refusals.map((l) => /reason="?([^"]*)"?$/.exec(l)?.[1])).toEqual([
      'not signed',
      'signature of rack1 does not match',
      'signer mallory is not a trusted gateway',
    ]);
    // The genuine message on its own topic is still accepted afterwards.
    ingest.accept(anaTopic, genuine, false);
    expect(await eventually(storedRepIds, nonEmpty)).toHaveLength(1);
  });
});
