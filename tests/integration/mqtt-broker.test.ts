/** The embedded broker: ACL, authentication, loopback-only without credentials, port already taken. */
import net from 'node:net';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startMqttBridge } from '../../gateway/mqtt/bridge.ts';
import { mqttConfigSchema } from '../../gateway/config/config.ts';
import type { MqttBridge } from '../../gateway/mqtt/bridge.ts';
import { InsecureBindError, PortInUseError, startEmbeddedBroker } from '../../gateway/mqtt/embedded-broker.ts';
import { MAX_CLIENT_RETAINED } from '../../gateway/mqtt/acl.ts';
import { topicsFor } from '../../gateway/mqtt/topics.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { fakeCommands, record, rep, waitFor } from '../support/mqtt-harness.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bridge(extra: Record<string, unknown> = {}): Promise<MqttBridge> {
  const b = await startMqttBridge(mqttConfigSchema.parse({ port: 0, clientId: 'squatmon-gw-acl', ...extra }), {
    logger: memoryLogger(),
    commands: fakeCommands(),
  });
  cleanups.push(() => b.close());
  await waitFor(() => b.stats().connected, 'gateway connected');
  return b;
}

/** Connects and reports the outcome: 'connected' or the CONNACK refusal code. */
async function tryConnect(url: string, options: mqtt.IClientOptions): Promise<'connected' | number | string> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
  const outcome = await new Promise<'connected' | number | string>((resolve) => {
    client.once('connect', () => resolve('connected'));
    client.once('error', (err) => resolve((err as { code?: number | string }).code ?? err.message));
  });
  client.end(true);
  return outcome;
}

describe('embedded broker ACL', () => {
  it.each(['squatmon/bridge/state', 'squatmon/athletes/x/reps', 'squatmon/sensors/S1', 'squatmon/bridge/response/set_start'])(
    'a client cannot publish to %s',
    async (topic) => {
      const b = await bridge();
      const sub = await record(b.url, 'squatmon/#');
      cleanups.push(() => sub.close());
      const intruder = await mqtt.connectAsync(b.url, { reconnectPeriod: 0, clientId: 'intruder' });
      const closed = new Promise<void>((resolve) => intruder.once('close', () => resolve()));
      intruder.publish(topic, JSON.stringify({ state: 'offline', id: 'fake' }), { qos: 0, retain: true });
      await closed; // aedes drops a client whose publish is denied
      // Anything the intruder got through would have been routed before this rep, published afterwards.
      b.handle({ kind: 'rep', rep: rep(9) });
      await waitFor(() => sub.on('squatmon/athletes/ana/reps').length === 1, 'marker rep');
      expect(sub.messages.filter((m) => m.topic === topic && (m.json as { id?: string }).id === 'fake')).toEqual([]);
      // Nothing was retained either: a fresh subscriber still sees the bridge online.
      const late = await record(b.url, 'squatmon/bridge/state');
      cleanups.push(() => late.close());
      await waitFor(() => late.messages.length > 0, 'retained state');
      expect(late.messages[0].json).toEqual({ state: 'online' });
    },
  );

  it('lets any client send requests', async () => {
    const b = await bridge();
    const sub = await record(b.url, 'squatmon/bridge/response/+');
    cleanups.push(() => sub.close());
    await sub.client.publishAsync('squatmon/bridge/request/set_start', JSON.stringify({ athlete: 'ana', transaction: 1 }), { qos: 1 });
    await waitFor(() => sub.messages.length === 1, 'response');
    expect(sub.messages[0].json).toMatchObject({ transaction: 1, status: 'ok' });
  });
});

describe('embedded broker authentication', () => {
  it('requires the configured credentials and keeps the gateway identity to the gateway', async () => {
    const b = await bridge({ username: 'coach', password: 's3cret-pass' });
    expect(await tryConnect(b.url, {})).toBe(5); // anonymous: not authorized
    expect(await tryConnect(b.url, { username: 'coach', password: 'wrong' })).toBe(4);
    expect(await tryConnect(b.url, { username: 'coach', password: 's3cret-pass' })).toBe('connected');
    expect(await tryConnect(b.url, { username: 'squatmon-gateway', password: 'guess' })).toBe(4);
    expect(await tryConnect(b.url, { username: 'coach', password: 's3cret-pass', clientId: b.clientId })).toBe(5);
    expect(b.stats().connected).toBe(true); // the gateway was never kicked off
  });

  it('refuses to bind beyond loopback without credentials, and allows it with them', async () => {
    const logger = memoryLogger();
    await expect(startEmbeddedBroker({ topics: topicsFor(), logger, host: '0.0.0.0', port: 0 })).rejects.toBeInstanceOf(InsecureBindError);
    const open = await startEmbeddedBroker({ topics: topicsFor(), logger, host: '0.0.0.0', port: 0, credentials: { username: 'u', password: 'p' } });
    await open.close();
  });
});

describe('port already taken', () => {
  it('fails with both remedies when another MQTT broker holds the port', async () => {
    const first = await bridge();
    const port = first.broker!.port;
    const logger = memoryLogger();
    const attempt = startMqttBridge(mqttConfigSchema.parse({ port, clientId: 'squatmon-gw-second' }), { logger, commands: fakeCommands() });
    const error = await attempt.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(PortInUseError);
    expect((error as PortInUseError).otherIsMqttBroker).toBe(true);
    expect((error as Error).message).toContain(`--mqtt-url mqtt://127.0.0.1:${port}`);
    expect((error as Error).message).toContain('--mqtt-port');
    // The caller reports it (or falls back): the broker itself logs no error for a port it could not take.
    expect(logger.lines.some((l) => l.startsWith('error'))).toBe(false);
  });

  it('does not suggest --mqtt-url when the port holder is not an MQTT broker', async () => {
    const squatter = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => squatter.close(() => resolve())));
    const port = (squatter.address() as net.AddressInfo).port;
    const error = await startEmbeddedBroker({ topics: topicsFor(), logger: memoryLogger(), port }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(PortInUseError);
    expect((error as PortInUseError).otherIsMqttBroker).toBe(false);
    expect((error as Error).message).not.toContain('--mqtt-url');
    expect((error as Error).message).toContain(`${port}`);
  });
});

/** An MQTT 3.1.1 string: two length bytes, then UTF-8. */
function mqttString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
}

/** A packet: its first byte, the remaining length (one byte suffices here), the rest. */
function mqttPacket(first: number, body: Buffer): Buffer {
  if (body.length > 127) throw new RangeError('packet too long for this helper');
  return Buffer.concat([Buffer.from([first, body.length]), body]);
}

/**
 * A subscriber that connects, subscribes (QoS 0) and then never reads: no 'data' listener, so everything the
 * broker sends stays in the kernel's buffers until they are full. Resolves once the broker has the
 * subscription (a marker message would be lost in the unread stream, so: a short wait after the writes).
 */
async function stalledSubscriber(port: number, filter: string): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  const connect = mqttPacket(0x10, Buffer.concat([mqttString('MQTT'), Buffer.from([4, 0x02, 0, 0]), mqttString('stalled-subscriber')]));
  const subscribe = mqttPacket(0x82, Buffer.concat([Buffer.from([0, 1]), mqttString(filter), Buffer.from([0])]));
  socket.write(Buffer.concat([connect, subscribe]));
  await new Promise((resolve) => setTimeout(resolve, 300));
  return socket;
}

describe('a subscriber that stops reading', () => {
  it('has its QoS 0 messages shed by the broker while every other subscriber gets them all', async () => {
    const logger = memoryLogger();
    const broker = await startEmbeddedBroker({ topics: topicsFor(), logger, port: 0 });
    cleanups.push(() => broker.close());
    const { clientId, username, password } = broker.gatewayLogin;
    const gateway = await mqtt.connectAsync(broker.url, { clientId, username, password, reconnectPeriod: 0 });
    cleanups.push(() => gateway.endAsync(true));
    const healthy = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    cleanups.push(() => healthy.endAsync(true));
    await healthy.subscribeAsync('squatmon/athletes/+/live', { qos: 0 });
    // The stalled subscriber is a raw socket that sends CONNECT and SUBSCRIBE and never reads anything: pausing
    // an MQTT.js client's socket is not enough (its stream plumbing resumes it).
    const stalled = await stalledSubscriber(broker.port, 'squatmon/athletes/+/live');
    cleanups.push(async () => void stalled.destroy());
    let received = 0;
    healthy.on('message', () => (received += 1));

    // 40 MB in 8 KiB live frames: far more than the kernel buffers a paused loopback socket can hold. The
    // publisher keeps at most 16 frames ahead of the healthy subscriber, so the healthy one is never behind.
    const frames = 5_000;
    const payload = 'x'.repeat(8 * 1024);
    for (let i = 0; i < frames; i += 1) {
      if (i - received > 16) await waitFor(() => i - received <= 16, `healthy subscriber at frame ${i}`, 10_000);
      await gateway.publishAsync('squatmon/athletes/ana/live', payload, { qos: 0 });
    }
    await waitFor(() => received === frames, 'every frame at the healthy subscriber', 10_000);

    const stats = broker.stats();
    expect(received).toBe(frames);
    // The stalled subscriber's socket filled and from then on its frames were shed, not queued.
    expect(stats.qos0DroppedForSlowClients).toBeGreaterThan(frames / 2);
    expect(stats.slowClientEpisodes).toBe(1);
    expect(logger.lines.filter((l) => l.includes('is not reading')).length).toBe(1);
  }, 60_000);
});

describe('embedded broker memory before login', () => {
  it('closes connections that declare a 200 MiB CONNECT before buffering it, logs each with its peer, and serves on', async () => {
    const logger = memoryLogger();
    const broker = await startEmbeddedBroker({ port: 0, topics: topicsFor('squatmon'), logger, credentials: { username: 'coach', password: 'secret-secret' } });
    cleanups.push(() => broker.close());
    const before = process.memoryUsage().rss;
    const started = performance.now();
    // Five at once, as the probe did: 0x10, a varint of 200 MiB, then 1 MiB chunks for as long as the socket takes them.
    const closed = await Promise.all(
      Array.from({ length: 5 }, () =>
        new Promise<{ bytesWritten: number }>((resolve) => {
          const socket = net.connect(broker.port, '127.0.0.1', () => {
            socket.write(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x64]));
            const chunk = Buffer.alloc(1 << 20, 0x41);
            const pump = () => {
              while (!socket.destroyed && socket.bytesWritten < 200 * 2 ** 20 && socket.write(chunk));
            };
            socket.on('drain', pump);
            pump();
          });
          socket.on('error', () => undefined);
          socket.on('close', () => resolve({ bytesWritten: socket.bytesWritten }));
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const grown = (process.memoryUsage().rss - before) / 2 ** 20;
    console.info(`5 × 200 MiB CONNECT: all closed in ${seconds.toFixed(2)} s, RSS +${grown.toFixed(0)} MB, sent before close: ${closed.map((c) => (c.bytesWritten / 2 ** 20).toFixed(1)).join(', ')} MiB`);
    expect(seconds).toBeLessThan(5);
    expect(grown).toBeLessThan(50);
    const refusals = logger.lines.filter((l) => l.includes('mqtt connection refused: packet too large'));
    expect(refusals).toHaveLength(5);
    expect(refusals[0]).toMatch(/peer.*127\.0\.0\.1:\d+/);
    expect(refusals[0]).toMatch(/CONNECT of 209715200 bytes/);
    // A client that logs in still gets in.
    expect(await tryConnect(broker.url, { username: 'coach', password: 'secret-secret' })).toBe('connected');
  });
});

describe('embedded broker retained messages and $SYS', () => {
  it('keeps at most the bound of clients\' retained messages and refuses $SYS publishes', async () => {
    const logger = memoryLogger();
    const broker = await startEmbeddedBroker({ port: 0, topics: topicsFor('squatmon'), logger });
    cleanups.push(() => broker.close());
    const writer = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    let refused = false;
    writer.on('close', () => (refused = true));
    const payload = Buffer.alloc(100, 0x41);
    // QoS 0, written back to back; the broker closes the connection at the first publish over the bound.
    for (let i = 0; i < MAX_CLIENT_RETAINED + 50 && !refused; i++) writer.publish(`other/app/${i}`, payload, { retain: true, qos: 0 });
    await waitFor(() => refused, 'the writer cut off at the bound', 10_000);
    writer.end(true);
    // What a new subscriber is handed: the bound, not more.
    const reader = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    let received = 0;
    reader.on('message', () => received++);
    await reader.subscribeAsync('other/#');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(received).toBe(MAX_CLIENT_RETAINED);
    expect(logger.lines.some((l) => l.includes('retained publish denied'))).toBe(true);
    // $SYS is the broker's: a client's publish there is denied.
    reader.publish('$SYS/broker/fake', 'x', { qos: 0 });
    await waitFor(() => logger.lines.some((l) => l.includes('mqtt publish denied') && l.includes('$SYS/broker/fake')), 'the $SYS publish refused', 5_000);
    reader.end(true);
  });
});
