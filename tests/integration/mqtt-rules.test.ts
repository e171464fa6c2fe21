/** The small pure rules behind the MQTT side: topics, ACL, loopback, backoff, URLs fit for logs. */
import { describe, expect, it } from 'vitest';
import { MAX_CLIENT_RETAINED, MAX_CLIENT_RETAINED_BYTES, mayPublish, RetainedBudget } from '../../gateway/mqtt/acl.ts';
import { connectGateway, defaultClientId, displayUrl, reconnectDelayMs, shownClientId } from '../../gateway/mqtt/connection.ts';
import { TakeoverGuard } from '../../gateway/mqtt/takeover-guard.ts';
import { signingEncoder, verifySigned } from '../../gateway/mqtt/signing.ts';
import { isLoopback } from '../../gateway/mqtt/embedded-broker.ts';
import { topicsFor } from '../../gateway/mqtt/topics.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';

describe('MQTT rules', () => {
  const topics = topicsFor('gym/squatmon');

  it('builds the contract topics under any valid root and rejects wildcard roots', () => {
    expect(topics.reps('ana')).toBe('gym/squatmon/athletes/ana/reps');
    expect(topics.commandOf('gym/squatmon/bridge/request/set_start')).toBe('set_start');
    expect(topics.commandOf('gym/squatmon/bridge/request/a/b')).toBeNull();
    expect(topics.commandOf('gym/squatmon/bridge/response/set_start')).toBeNull();
    for (const bad of ['', 'a/#', 'a/+/b', '/a', 'a/', 'a//b']) expect(() => topicsFor(bad)).toThrow(/invalid MQTT root/);
  });

  it('lets clients publish only requests inside the root', () => {
    const allowed = ['gym/squatmon/bridge/request/set_start', 'homeassistant/status', 'other/app'];
    const denied = ['gym/squatmon/bridge/state', 'gym/squatmon/athletes/bob/reps', 'gym/squatmon/sensors/S1', 'gym/squatmon', 'gym/squatmon/bridge/request/a/b', 'gym/squatmon/bridge/response/x'];
    for (const t of allowed) expect(mayPublish(topics, 'client', t), t).toBe(true);
    for (const t of denied) expect(mayPublish(topics, 'client', t), t).toBe(false);
    for (const t of denied) expect(mayPublish(topics, 'gateway', t), t).toBe(true);
    // The broker's own status tree is nobody else's.
    for (const t of ['$SYS/broker/uptime', '$SYS', '$anything']) expect(mayPublish(topics, 'client', t), t).toBe(false);
  });

  it('keeps the clients\' retained messages within their count and bytes, a replacement or a deletion freeing room', () => {
    const budget = new RetainedBudget();
    for (let i = 0; i < MAX_CLIENT_RETAINED; i++) expect(budget.admit(`t/${i}`, 10)).toBe(true);
    expect(budget.admit('t/new', 10)).toBe(false);
    expect(budget.admit('t/5', 20)).toBe(true); // replaces t/5: no new topic
    expect(budget.admit('t/6', 0)).toBe(true); // deletes t/6
    expect(budget.admit('t/new', 10)).toBe(true);
    const bytes = new RetainedBudget();
    expect(bytes.admit('big/a', MAX_CLIENT_RETAINED_BYTES - 5)).toBe(true);
    expect(bytes.admit('big/b', 10)).toBe(false);
    expect(bytes.admit('big/a', 0)).toBe(true);
    expect(bytes.admit('big/b', 10)).toBe(true);
  });

  it('tells loopback addresses from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', 'gym.local']) expect(isLoopback(h), h).toBe(false);
  });

  it('backs off exponentially up to the cap', () => {
    const delays = Array.from({ length: 8 }, (_, k) => reconnectDelayMs(k, 1000, 30_000));
    for (let k = 1; k < delays.length; k++) expect(delays[k]).toBeGreaterThanOrEqual(delays[k - 1]);
    expect(delays[0]).toBe(1000);
    expect(Math.max(...delays)).toBe(30_000);
    expect(reconnectDelayMs(10_000, 1000, 30_000)).toBe(30_000);
  });

  it('keeps credentials out of logged URLs; client ids are random, short, and logged only in part', () => {
    expect(displayUrl('mqtts://user:hunter2@broker.example:8883')).toBe('mqtts://broker.example:8883');
    const ids = Array.from({ length: 1000 }, () => defaultClientId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^sqm-gw-[0-9a-f]{16}$/);
    expect(shownClientId(ids[0]!)).toBe(`${ids[0]!.slice(0, 8)}…`);
    expect(shownClientId('short')).toBe('…');
  });

  it('signs what goes under the root only: discovery and other topics stay plain JSON', () => {
    const encode = signingEncoder({ signer: 'rack1', key: 'rack1-secret-key-123456' }, 'squatmon/rack1');
    const rep = { id: 'x', depth_cm: 40 };
    const signed = encode('squatmon/rack1/athletes/ana/reps', rep);
    expect(signed).toMatch(/,"signer":"rack1","sig":"[0-9a-f]{64}"\}$/);
    expect(verifySigned('squatmon/rack1/athletes/ana/reps', Buffer.from(signed), new Map([['rack1', 'rack1-secret-key-123456']]))).toEqual({
      status: 'verified',
      json: rep,
      signer: 'rack1',
    });
    expect(encode('homeassistant/sensor/ana/config', rep)).toBe(JSON.stringify(rep));
    expect(encode('squatmon/rack10/athletes/ana/reps', rep)).toBe(JSON.stringify(rep));
    expect(encode('squatmon/rack1/x', [1, 2])).toBe('[1,2]');
  });

  it('declares a takeover loop after three knock-offs within a minute, and pauses longer each time', () => {
    let now = 0;
    const guard = new TakeoverGuard({}, () => now);
    const knockOff = (afterMs: number) => {
      guard.connected();
      now += afterMs;
      return guard.closed();
    };
    // A broker that is simply unreachable never accepted us: no knock-off.
    expect(guard.closed()).toBeNull();
    // Long connections that end are outages, not takeovers.
    for (let k = 0; k < 5; k++) expect(knockOff(60_000)).toBeNull();
    expect(knockOff(1_000)).toBeNull();
    expect(knockOff(1_000)).toBeNull();
    expect(knockOff(1_000)).toBe(300_000);
    expect(guard.loops).toBe(1);
    // Spread out beyond the window: not a loop.
    for (let k = 0; k < 5; k++) {
      expect(knockOff(1_000)).toBeNull();
      now += 40_000;
    }
    now += 120_000;
    for (const pause of [600_000, 1_200_000, 2_400_000, 3_600_000, 3_600_000]) {
      expect([knockOff(500), knockOff(500), knockOff(500)]).toEqual([null, null, pause]);
    }
  });

  it('rejects unusable connection settings up front', () => {
    const logger = memoryLogger();
    expect(() => connectGateway({ url: 'http://broker', clientId: 'c' }, topics, logger)).toThrow(/mqtt:\/\/ or mqtts:\/\//);
    expect(() => connectGateway({ url: 'mqtts://broker:8883', clientId: 'c', tls: { caFile: '/nonexistent/ca.pem' } }, topics, logger)).toThrow(
      /TLS CA file \/nonexistent\/ca.pem/,
    );
  });
});
