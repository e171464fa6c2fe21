/** The small pure rules behind the MQTT side: topics, ACL, loopback, backoff, URLs fit for logs. */
import { describe, expect, it } from 'vitest';
import { MAX_CLIENT_RETAINED, MAX_CLIENT_RETAINED_BYTES, mayPublish, RetainedBudget } from '../../gateway/mqtt/acl.ts';
import { connectGateway, defaultClientId, displayUrl, reconnectDelayMs } from '../../gateway/mqtt/connection.ts';
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

  it('keeps credentials out of logged URLs and derives a stable, short client id', () => {
    expect(displayUrl('mqtts://user:hunter2@broker.example:8883')).toBe('mqtts://broker.example:8883');
    expect(defaultClientId('squatmon', 'host-a')).toBe(defaultClientId('squatmon', 'host-a'));
    expect(defaultClientId('squatmon', 'host-a')).not.toBe(defaultClientId('squatmon', 'host-b'));
    expect(defaultClientId('squatmon', 'host-a').length).toBeLessThanOrEqual(23);
  });

  it('rejects unusable connection settings up front', () => {
    const logger = memoryLogger();
    expect(() => connectGateway({ url: 'http://broker', clientId: 'c' }, topics, logger)).toThrow(/mqtt:\/\/ or mqtts:\/\//);
    expect(() => connectGateway({ url: 'mqtts://broker:8883', clientId: 'c', tls: { caFile: '/nonexistent/ca.pem' } }, topics, logger)).toThrow(
      /TLS CA file \/nonexistent\/ca.pem/,
    );
  });
});
