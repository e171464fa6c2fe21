import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayEvent } from '../../gateway/core/domain.ts';
import { rep, sessionId } from '../unit/store-fixtures.ts';
import type { Gateway, WsClient } from './http-harness.ts';
import { connectWs, live, SNAPSHOT, startGateway, waitFor } from './http-harness.ts';

const T0 = Date.UTC(2026, 10, 29, 10, 0, 0);
const anaRef = { athlete: 'ana', session: sessionId('ana', T0), set: 1 };
const boRef = { athlete: 'bo', session: sessionId('bo', T0), set: 1 };

let gw: Gateway | null = null;
const clients: WsClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await gw?.close();
  gw = null;
});

async function open(g: Gateway, path = '/ws'): Promise<WsClient> {
  const c = await connectWs(`${g.http.url}${path}`);
  clients.push(c);
  await waitFor(() => c.ofType('hello').length === 1, 'hello');
  return c;
}

async function subscribe(c: WsClient, athletes: string[] | '*'): Promise<void> {
  const before = c.ofType('subscribed').length;
  c.send({ type: 'subscribe', athletes });
  await waitFor(() => c.ofType('subscribed').length > before, 'subscribed');
}

function eventsFor(ref: typeof anaRef): GatewayEvent[] {
  return [
    { kind: 'set-started', ref, startedAt: T0, recording: '/data/recordings/secret-name.csv' },
    { kind: 'live', live: live(ref.athlete, 1) },
    { kind: 'cue', cue: { type: 'cue', kind: 'depth_cutoff', t: 1.2, rep: 1, depth_cm: 35, ...ref, simulated: true } },
    { kind: 'rep', rep: rep(ref, 1) },
    {
      kind: 'sensor',
      sensor: { id: `S-${ref.athlete}`, athlete: ref.athlete, placement: 'sacrum', driver: 'squatmon', connected: true, battery: 80, rate: 100, rssi: -60, last_seen: T0, simulated: true, frames_lost: 0, duplicates_dropped: 0, samples_rejected: 0 },
    },
    { kind: 'set-ended', ref, endedAt: T0 + 30_000 },
  ];
}

/** A marker that is never dropped, to know everything sent before it has arrived. */
function marker(ref: typeof anaRef, index: number): GatewayEvent {
  return { kind: 'rep', rep: rep(ref, index) };
}

describe('ws hub: messages and subscriptions', () => {
  it('greets a new client with the live snapshot', async () => {
    gw = await startGateway();
    const c = await open(gw);
    expect(c.messages[0]).toEqual({ type: 'hello', protocol: 1, subscribed: '*', snapshot: JSON.parse(JSON.stringify(SNAPSHOT)) });
  });

  it('forwards every kind of event as {type, ...payload}, and only the subscribed athletes', async () => {
    gw = await startGateway();
    const onlyAna = await open(gw);
    const everyone = await open(gw);
    await subscribe(onlyAna, ['ana']);
    expect(onlyAna.ofType('subscribed')[0]).toEqual({ type: 'subscribed', athletes: ['ana'] });
    for (const e of [...eventsFor(anaRef), ...eventsFor(boRef)]) gw.http.wsHub.handle(e);
    gw.http.wsHub.handle(marker(boRef, 99));
    await waitFor(() => everyone.messages.some((m) => m.type === 'rep' && m.index === 99), 'the marker');
    await waitFor(() => onlyAna.ofType('set_ended').length === 1, 'ana set end');
    // No message of bo may reach the client subscribed to ana (bo's events went out before the marker).
    const events = onlyAna.messages.filter((m) => !['hello', 'subscribed'].includes(m.type));
    expect(events.map((m) => m.type)).toEqual(['set_started', 'live', 'cue', 'rep', 'sensor', 'set_ended']);
    expect(events.every((m) => m.athlete === 'ana')).toBe(true);
    const all = everyone.messages.filter((m) => !['hello', 'subscribed'].includes(m.type));
    expect(all.filter((m) => m.athlete === 'bo')).toHaveLength(7);
    expect(all.filter((m) => m.athlete === 'ana')).toHaveLength(6);

    const started = events[0];
    expect(started).toEqual({ type: 'set_started', ...anaRef, started_at: T0, recorded: true });
    expect(JSON.stringify(onlyAna.messages)).not.toContain('secret-name');
    expect(events[1]).toEqual(live('ana', 1));
    expect(events[3]).toEqual(rep(anaRef, 1));
    expect(events[4]).toMatchObject({ type: 'sensor', id: 'S-ana', connected: true });

    // Back to everything with "*".
    await subscribe(onlyAna, '*');
    gw.http.wsHub.handle(marker(boRef, 100));
    await waitFor(() => onlyAna.messages.some((m) => m.type === 'rep' && m.index === 100), 'bo after "*"');
  });

  it('decimates live frames to at most 25 Hz of frame time, per athlete', async () => {
    gw = await startGateway();
    const c = await open(gw);
    const hub = gw.http.wsHub;
    // 2 s at 50 Hz for two athletes, interleaved.
    for (let i = 0; i < 100; i++) {
      hub.handle({ kind: 'live', live: live('ana', i * 0.02) });
      hub.handle({ kind: 'live', live: live('bo', i * 0.02) });
    }
    hub.handle(marker(anaRef, 1));
    await waitFor(() => c.ofType('rep').length === 1, 'marker');
    for (const athlete of ['ana', 'bo']) {
      const ts = c.ofType('live').filter((m) => m.athlete === athlete).map((m) => m.t as number);
      expect(ts).toHaveLength(50);
      for (let i = 1; i < ts.length; i++) expect(ts[i] - ts[i - 1]).toBeGreaterThanOrEqual(0.04 - 1e-6);
    }
    expect(hub.stats().liveDecimated).toBe(100);
    // Time going backwards is a new session: its first frame is forwarded at once.
    hub.handle({ kind: 'live', live: live('ana', 0) });
    hub.handle(marker(anaRef, 2));
    await waitFor(() => c.ofType('rep').length === 2, 'second marker');
    expect(c.ofType('live').filter((m) => m.athlete === 'ana')).toHaveLength(51);
  });

  it('answers bad messages with an error and keeps the connection', async () => {
    gw = await startGateway();
    const c = await open(gw);
    const bad: Array<[string | Buffer, RegExp]> = [
      ['not json', /not JSON/],
      ['[1,2]', /JSON object/],
      ['{"type":"dance"}', /unknown message type "dance"/],
      ['{"athletes":["ana"]}', /unknown message type/],
      ['{"type":"subscribe","athletes":"ana"}', /athletes/],
      ['{"type":"subscribe","athletes":["Not An Id"]}', /athletes\.0/],
      ['{"type":"subscribe","athletes":["ana"],"extra":1}', /extra/i],
      [Buffer.from([1, 2, 3]), /binary/],
    ];
    for (const [message, error] of bad) {
      const before = c.ofType('error').length;
      c.ws.send(message);
      await waitFor(() => c.ofType('error').length > before, `error for ${String(message)}`);
      expect(c.ofType('error').at(-1)?.error).toMatch(error);
    }
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    expect(gw.http.wsHub.stats().badMessages).toBe(bad.length);
    // The subscription is unchanged (still everything) and the connection works.
    c.send({ type: 'ping' });
    await waitFor(() => c.ofType('pong').length === 1, 'pong');
    gw.http.wsHub.handle(marker(boRef, 1));
    await waitFor(() => c.ofType('rep').length === 1, 'rep after bad messages');
  });

  it('closes a client that sends an oversized message and keeps serving others', async () => {
    gw = await startGateway();
    const c = await open(gw);
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.send({ type: 'subscribe', athletes: Array.from({ length: 1000 }, (_, i) => `athlete-${i}`) });
    expect(await closed).toBe(1009);
    const other = await open(gw);
    gw.http.wsHub.handle(marker(anaRef, 1));
    await waitFor(() => other.ofType('rep').length === 1, 'rep to the other client');
  });

  it('never throws from handle, even for a malformed event, and is a no-op once closed', async () => {
    gw = await startGateway();
    await open(gw);
    const hub = gw.http.wsHub;
    expect(() => hub.handle({ kind: 'live', live: undefined } as unknown as GatewayEvent)).not.toThrow();
    expect(gw.logger.lines.some((l) => l.startsWith('error ws: failed to forward'))).toBe(true);
    await gw.http.close();
    expect(() => hub.handle(marker(anaRef, 1))).not.toThrow();
  });
});

describe('ws hub: slow and dead clients', () => {
  const SOFT = 64 * 1024;

  /** Live frames (all past the decimation) until `until()` or `max` frames; yields so sockets get written. */
  async function flood(g: Gateway, start: number, until: () => boolean, max = 400_000, chunk = 500): Promise<number> {
    let handled = 0;
    while (handled < max && !until()) {
      for (let i = 0; i < chunk; i++, handled++) {
        g.http.wsHub.handle({ kind: 'live', live: live('ana', (start + handled) * 0.04, { depth_cm: handled % 60 }) });
      }
      await nextTurn();
    }
    return handled;
  }

  it('drops live frames for a client that stops reading, keeps its buffer bounded, and still delivers the rest', async () => {
    gw = await startGateway({ ws: { maxBufferedBytes: SOFT, hardLimitBytes: 8 * SOFT, stallTimeoutMs: 60_000 } });
    const hub = gw.http.wsHub;
    const fast = await open(gw);
    const slow = await open(gw);
    const slowSocket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    slowSocket.pause();
    // The slow client connected last, so it has the highest id.
    const slowId = Math.max(...hub.clientStats().map((s) => s.id));
    const slowStats = () => hub.clientStats().find((s) => s.id === slowId)!;

    // Keep going well past the first drop: the kernel buffers fill first, then the hub must drop, not queue.
    let handled = await flood(gw, 0, () => slowStats().dropped > 0);
    handled += await flood(gw, handled, () => false, 20_000);
    expect(slowStats().dropped).toBeGreaterThan(1000);
    expect(hub.stats().liveDropped).toBeGreaterThanOrEqual(slowStats().dropped);
    const frameBytes = JSON.stringify(live('ana', 99999.96, { depth_cm: 59 })).length;
    expect(slowStats().bufferedAmount).toBeLessThanOrEqual(SOFT + frameBytes);
    expect(hub.stats().clients).toBe(2);

    // A rep is a fact: it is queued even for the slow client, and reaches both once the slow one reads again.
    hub.handle(marker(anaRef, 1));
    await waitFor(() => fast.ofType('rep').length === 1, 'the rep at the fast client');
    slowSocket.resume();
    await waitFor(() => slow.ofType('rep').length === 1, 'the rep at the slow client');
    const slowLive = slow.ofType('live').length;
    expect(slowLive + slowStats().dropped).toBe(handled);
    expect(slowLive).toBeLessThan(handled);
  });

  it('terminates a client that stays stalled longer than the stall timeout', async () => {
    gw = await startGateway({ ws: { maxBufferedBytes: SOFT, stallTimeoutMs: 300 } });
    const hub = gw.http.wsHub;
    const healthy = await open(gw);
    const stalled = await open(gw);
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    // Small chunks, so the healthy client (reading between chunks) never nears the bound itself.
    let t = 0;
    t += await flood(gw, t, () => hub.stats().liveDropped > 0, 400_000, 100);
    // Keep feeding until the stall has lasted past the timeout.
    while (hub.stats().terminatedSlow === 0) {
      t += await flood(gw, t, () => false, 100, 100);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(hub.stats().clients).toBe(1);
    expect(gw.logger.lines.some((l) => l.includes('stopped reading'))).toBe(true);
    hub.handle(marker(anaRef, 1));
    await waitFor(() => healthy.ofType('rep').length === 1, 'rep at the healthy client');
  });

  it('drops a client that stops answering pings, keeps the ones that answer', async () => {
    // The rounds are run by hand, so a busy machine cannot make a live client look dead.
    gw = await startGateway({ ws: { heartbeatMs: 3_600_000 } });
    const hub = gw.http.wsHub;
    const alive = await open(gw);
    const dead = await open(gw);
    (dead.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    let pings = 0;
    alive.ws.on('ping', () => {
      pings += 1;
      // ws answers the ping itself; a message sent after it is handled by the hub after the pong.
      alive.send({ type: 'ping' });
    });
    for (let round = 1; round <= 3; round++) {
      hub.sweep();
      await waitFor(() => pings === round && alive.ofType('pong').length === round, `pong ${round}`);
    }
    expect(hub.stats()).toMatchObject({ clients: 1, terminatedDead: 1 });
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
    expect(gw.logger.lines.some((l) => l.includes('stopped answering pings'))).toBe(true);
  });

  it('refuses clients beyond the limit with 503', async () => {
    gw = await startGateway({ ws: { maxClients: 1 } });
    await open(gw);
    await expect(connectWs(`${gw.http.url}/ws`)).rejects.toThrow(/503/);
    expect(gw.http.wsHub.stats().refusedFull).toBe(1);
  });
});

describe('ws hub: shutdown', () => {
  it('says goodbye to clients with 1001 on close', async () => {
    gw = await startGateway();
    const c = await open(gw);
    const code = new Promise<number>((resolve) => c.ws.once('close', (cd) => resolve(cd)));
    await gw.http.close();
    expect(await code).toBe(1001);
  });
});

