/**
 * Broker outage mid-set: the broker stops, reps keep coming, the broker returns on the same port with its state
 * (as a Mosquitto with persistence would). A subscriber with a persistent session gets every rep exactly once;
 * live frames produced meanwhile are dropped and counted, not queued.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startMqttBridge } from '../../gateway/mqtt/bridge.ts';
import { mqttConfigSchema } from '../../gateway/config/config.ts';
import { startEmbeddedBroker } from '../../gateway/mqtt/embedded-broker.ts';
import type { EmbeddedBroker } from '../../gateway/mqtt/embedded-broker.ts';
import { topicsFor } from '../../gateway/mqtt/topics.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { fakeCommands, live, record, rep, sensor, waitFor } from '../support/mqtt-harness.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('MQTT broker outage', () => {
  it('delivers every rep exactly once after the broker comes back, dropping live frames meanwhile', async () => {
    const logger = memoryLogger();
    const topics = topicsFor();
    let broker: EmbeddedBroker = await startEmbeddedBroker({ topics, logger, port: 0, gatewayClientId: 'squatmon-gw-outage' });
    cleanups.push(() => broker.close());
    const { port, gatewayLogin, persistence } = broker;

    // The gateway treats this broker as external, logging in with the identity the ACL trusts.
    const config = mqttConfigSchema.parse({ url: broker.url, ...gatewayLogin });
    const bridge = await startMqttBridge(config, { logger, commands: fakeCommands(), reconnectMinMs: 50, reconnectMaxMs: 200 });
    cleanups.push(() => bridge.close());
    await waitFor(() => bridge.stats().connected, 'gateway connected');

    // A rep archiver with a persistent session; it comes back only after the broker has queued the outage's reps
    // for it (no race between its resume and the gateway's flush).
    const archiver = { clean: false, clientId: 'rep-archiver', reconnectPeriod: 0 };
    const sub = await record(broker.url, 'squatmon/athletes/+/reps', archiver);
    cleanups.push(() => sub.close());
    const received = [sub.messages];
    const ids = () => received.flat().map((m) => (m.json as { id: string }).id);

    for (let i = 1; i <= 3; i++) bridge.handle({ kind: 'rep', rep: rep(i) });
    await waitFor(() => ids().length === 3, 'reps before the outage');
    // A SUBACK round trip after the PUBACKs: the broker has recorded them before it stops. (A rep still unacked
    // when a broker dies is legitimately re-delivered — QoS 1 is at-least-once — with the same id.)
    await sub.client.subscribeAsync('sync/outage', { qos: 1 });

    await broker.close();
    await waitFor(() => !bridge.stats().connected && !sub.client.connected, 'both clients see the outage');
    const droppedBefore = bridge.stats().liveDropped;
    for (let i = 4; i <= 10; i++) {
      bridge.handle({ kind: 'rep', rep: rep(i) });
      for (let k = 0; k < 5; k++) bridge.handle(live(i + k * 0.04));
      bridge.handle({ kind: 'sensor', sensor: sensor('S2', 90 - i) });
    }
    const during = bridge.stats();
    expect(during.liveDropped - droppedBefore).toBe(7 * 5);
    // 7 reps + their stats (one retained slot) + the sensor state (one retained slot) wait in the outbox.
    expect(during.outbox.queued).toBe(7 + 1 + 1);

    broker = await startEmbeddedBroker({ topics, logger, port, gatewayLogin, persistence });
    await waitFor(() => bridge.stats().connected, 'gateway reconnected');
    await waitFor(() => bridge.stats().outbox.queued === 0 && bridge.stats().outbox.inFlight === 0, 'outbox drained');
    const back = await record(broker.url, 'squatmon/athletes/+/reps', archiver);
    cleanups.push(() => back.close());
    received.push(back.messages);
    await waitFor(() => ids().length >= 10, 'reps after the outage');
    // One more rep proves the stream continues and nothing else was still on its way.
    bridge.handle({ kind: 'rep', rep: rep(11) });
    await waitFor(() => ids().includes(`${rep(11).id}`), 'rep 11');
    expect(ids()).toEqual(Array.from({ length: 11 }, (_, k) => rep(k + 1).id));

    // The sensor's retained state is the latest one, not a backlog.
    const late = await record(broker.url, 'squatmon/sensors/S2');
    cleanups.push(() => late.close());
    await waitFor(() => late.messages.length > 0, 'retained sensor state');
    expect(late.messages).toHaveLength(1);
    expect(late.messages[0].json).toMatchObject({ battery: 80 });
  });

  it('bounds the outbox during an outage: the oldest messages go, counted, the latest still arrive', async () => {
    const logger = memoryLogger();
    const topics = topicsFor();
    let broker: EmbeddedBroker = await startEmbeddedBroker({ topics, logger, port: 0, gatewayClientId: 'squatmon-gw-bounded' });
    cleanups.push(() => broker.close());
    const { port, gatewayLogin, persistence } = broker;
    const config = mqttConfigSchema.parse({ url: broker.url, ...gatewayLogin });
    const bridge = await startMqttBridge(config, { logger, commands: fakeCommands(), reconnectMinMs: 50, reconnectMaxMs: 200, outbox: { maxQueued: 5 } });
    cleanups.push(() => bridge.close());
    await waitFor(() => bridge.stats().connected, 'gateway connected');

    await broker.close();
    await waitFor(() => !bridge.stats().connected, 'outage seen');
    for (let i = 1; i <= 20; i++) bridge.handle({ kind: 'rep', rep: rep(i) });
    expect(bridge.stats().outbox.queued).toBeLessThanOrEqual(5);
    expect(bridge.stats().outbox.dropped).toBeGreaterThanOrEqual(15);
    expect(logger.lines.some((l) => l.startsWith('warn') && l.includes('outbox full'))).toBe(true);

    broker = await startEmbeddedBroker({ topics, logger, port, gatewayLogin, persistence });
    await waitFor(() => bridge.stats().connected && bridge.stats().outbox.queued === 0, 'outbox flushed');
    const late = await record(broker.url, 'squatmon/athletes/ana/stats');
    cleanups.push(() => late.close());
    await waitFor(() => late.messages.length > 0, 'retained stats');
    expect(late.messages[0].json).toMatchObject({ last_rep_id: rep(20).id });
  });
});
