/**
 * Client-id takeover on a real Mosquitto (issue 14, item 4): another client connecting again and again with the
 * gateway's client id used to flip `bridge/state` offline/online at every takeover, forever. The gateway must see
 * the loop, say so once, stop fighting for a pause, and come back when the pause is over.
 */
import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { connectGateway } from '../../gateway/mqtt/connection.ts';
import type { GatewayConnection } from '../../gateway/mqtt/connection.ts';
import { topicsFor } from '../../gateway/mqtt/topics.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { findMosquitto, NO_MOSQUITTO } from '../support/mosquitto.ts';
import { record, waitFor } from '../support/mqtt-harness.ts';
import type { Recorder } from '../support/mqtt-harness.ts';

const mosquitto = await findMosquitto();
if (!mosquitto) console.warn(`mqtt-takeover: skipped: ${NO_MOSQUITTO}`);

const TAKEOVERS = 10;

describe.skipIf(!mosquitto)('client-id takeover loop (Mosquitto)', () => {
  const root = `squatmon-test-${process.pid}-takeover`;
  const topics = topicsFor(root);
  const clientId = `sqm-gw-shared-${process.pid}`;
  let gateway: GatewayConnection | undefined;
  let observer: Recorder | undefined;
  const rogues: MqttClient[] = [];

  afterAll(async () => {
    for (const rogue of rogues) await rogue.endAsync(true);
    await gateway?.close();
    if (observer) {
      await observer.client.publishAsync(topics.bridgeState, '', { retain: true, qos: 1 });
      await observer.close();
    }
    await mosquitto?.stop();
  });

  it('is detected and logged once, not fought while it lasts, and the gateway is back after the pause', async () => {
    const logger = memoryLogger();
    const connects = () => logger.lines.filter((l) => l.includes('mqtt connected')).length;
    const PAUSE_MS = 4_000;
    gateway = connectGateway({ url: mosquitto!.url, clientId, reconnectMinMs: 100, reconnectMaxMs: 200, takeover: { pauseMs: PAUSE_MS } }, topics, logger);
    await waitFor(() => connects() === 1, 'the gateway connecting');
    observer = await record(mosquitto!.url, topics.bridgeState);

    // Someone else connects with the gateway's id, ten times, 300 ms apart (the issue: 10 in 30 s).
    for (let k = 0; k < TAKEOVERS; k++) {
      rogues.push(await mqtt.connectAsync(mosquitto!.url, { clientId, reconnectPeriod: 0 }));
      await new Promise((r) => setTimeout(r, 300));
    }
    const duringLoop = connects();
    const loopLines = logger.lines.filter((l) => l.includes('another client is probably connecting with the same client id'));
    const onlineDuringLoop = observer.on(topics.bridgeState).filter((m) => m.text.includes('online')).length;
    // Three knock-offs declare the loop; the gateway reconnected after the first two only.
    expect(loopLines).toHaveLength(1);
    expect(loopLines[0]).toMatch(/pause_s=4/);
    expect(duringLoop).toBeLessThanOrEqual(3);
    expect(onlineDuringLoop).toBeLessThanOrEqual(3);

    // The other client goes away; after the pause the gateway is online again, by itself.
    for (const rogue of rogues.splice(0)) await rogue.endAsync(true);
    await waitFor(() => gateway!.client.connected, 'the gateway reconnecting after the pause', PAUSE_MS + 10_000);
    expect(connects()).toBe(duringLoop + 1);
    await waitFor(() => observer!.on(topics.bridgeState).at(-1)?.text.includes('online') === true, 'bridge/state online again');
  }, 30_000);
});
