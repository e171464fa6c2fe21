/**
 * Fault: an MQTT subscriber of an external broker (a Mosquitto of our own) stops reading while the gateway
 * publishes to that broker — the several-racks deployment, where the broker is not the gateway's.
 *
 * What must hold: the gateway is not held back — reps keep coming, it stays connected, and a healthy
 * subscriber keeps its live rate. The publisher's dropped live frames are reported (0 on a quiet machine). How much the broker
 * buffers for the stalled client is Mosquitto's business (its per-client limits); it is outside the gateway's
 * process, so the gateway's memory is not at stake.
 */
import type { Socket } from 'node:net';
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { MOSQUITTO_BINARY, OwnMosquitto, startSimGateway, waitFor } from './fault-support.ts';
import type { SimGateway } from './fault-support.ts';

const ATHLETES = 4;
const STALL_MS = 30_000;
let broker: OwnMosquitto | null = null;
let sim: SimGateway | null = null;
const clients: MqttClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync(true).catch(() => undefined);
  await sim?.close();
  sim = null;
  await broker?.stop();
  broker = null;
});

/** Live frames per second of frame time per athlete, over the frames whose t falls in [from, to). */
function rate(times: readonly number[], from: number, to: number): number {
  return times.filter((t) => t >= from && t < to).length / (to - from) / ATHLETES;
}

describe.skipIf(!MOSQUITTO_BINARY)('a stalled subscriber of an external broker (Mosquitto)', () => {
  it('does not hold the gateway back: reps go on, it stays connected, the healthy subscriber keeps its rate', async () => {
    broker = await OwnMosquitto.create();
    await broker.start();
    const root = `sqslow-${process.pid}`;
    sim = await startSimGateway({ sim: { athletes: ATHLETES, sensors: 'sacrum' }, mqtt: { url: broker.url, root } });
    const s = sim;
    const healthy = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    const stalled = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0, keepalive: 0 });
    clients.push(healthy, stalled);
    stalled.on('error', () => undefined);
    await healthy.subscribeAsync(`${root}/athletes/+/live`, { qos: 0 });
    await stalled.subscribeAsync(`${root}/#`, { qos: 1 });
    const times: number[] = [];
    healthy.on('message', (_topic, payload) => times.push((JSON.parse(String(payload)) as { t: number }).t));

    await waitFor(() => s.reps().length >= 1 && times.length > 1000, 'a rep and live frames', 60_000);
    const stallFromT = Math.max(...times);
    const repsAtStall = s.reps().length;
    const { liveDropped: droppedAtStall } = s.gateway.mqtt!.stats();
    (stalled.stream as Socket).pause();
    await new Promise((resolve) => setTimeout(resolve, STALL_MS));
    const stallToT = Math.max(...times);
    const stats = s.gateway.mqtt!.stats();

    const before = rate(times, Math.min(...times), stallFromT);
    const during = rate(times, stallFromT, stallToT);
    const reps = s.reps().length - repsAtStall;
    console.info(
      `slow subscriber (Mosquitto): ${((stallToT - stallFromT) | 0)} s of data stalled; ${reps} reps meanwhile; healthy live ${before.toFixed(1)} → ${during.toFixed(1)} frames/s per athlete; ` +
        `gateway publisher liveDropped ${stats.liveDropped - droppedAtStall}, connected ${stats.connected}`,
    );
    expect(reps).toBeGreaterThanOrEqual(2);
    expect(stats.connected).toBe(true);
    // Live frames dropped by the publisher: 0 measured when the machine is otherwise quiet. Reported, not
    // asserted: a busy CPU alone backs the publisher's socket up (2,581 of ~30,000 once, with the browser tests
    // and the other fault tests beside it), whatever the subscribers do.
    expect(during).toBeGreaterThan(0.8 * before);
  }, 120_000);
});
