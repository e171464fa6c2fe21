/** The gateway against a real Mosquitto (skipped when none is running or installed). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMqttBridge } from '../../gateway/mqtt/bridge.ts';
import { mqttConfigSchema } from '../../gateway/config/config.ts';
import type { MqttBridge } from '../../gateway/mqtt/bridge.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { findMosquitto, NO_MOSQUITTO } from '../support/mosquitto.ts';
import type { Mosquitto } from '../support/mosquitto.ts';
import { fakeCommands, record, rep, sensor, waitFor } from '../support/mqtt-harness.ts';
import type { Recorder } from '../support/mqtt-harness.ts';

const mosquitto: Mosquitto | null = await findMosquitto();
if (mosquitto === null) console.warn(`mqtt interop tests skipped: ${NO_MOSQUITTO}`);

// A root of our own, so a user's broker keeps its topics; retained ones are cleared afterwards.
const root = `squatmon-interop-${process.pid}`;

describe.skipIf(mosquitto === null)('MQTT interop with Mosquitto', () => {
  let bridge: MqttBridge;
  let sub: Recorder;
  const commands = fakeCommands();

  beforeAll(async () => {
    const config = mqttConfigSchema.parse({ url: mosquitto!.url, root, clientId: `squatmon-gw-${process.pid}` });
    bridge = await startMqttBridge(config, { logger: memoryLogger(), commands, reconnectMinMs: 100 });
    await waitFor(() => bridge.stats().connected, 'gateway connected to Mosquitto');
    sub = await record(mosquitto!.url, `${root}/#`);
  });

  afterAll(async () => {
    await bridge?.close();
    if (sub) {
      for (const topic of ['bridge/state', 'sensors/S2', 'athletes/ana/stats']) {
        await sub.client.publishAsync(`${root}/${topic}`, '', { qos: 1, retain: true });
      }
      await sub.close();
    }
    await mosquitto?.stop();
  });

  it('carries retained state, reps and request/response', async () => {
    await waitFor(() => sub.on(`${root}/bridge/state`).length > 0, 'bridge state');
    expect(sub.on(`${root}/bridge/state`)[0]).toMatchObject({ retain: true, json: { state: 'online' } });

    bridge.handle({ kind: 'sensor', sensor: sensor('S2', 70) });
    bridge.handle({ kind: 'rep', rep: rep(1) });
    await waitFor(() => sub.on(`${root}/athletes/ana/reps`).length === 1, 'rep');
    expect(sub.on(`${root}/athletes/ana/reps`)[0].json).toMatchObject({ id: rep(1).id, athlete: 'ana', set: 1 });

    await sub.client.publishAsync(`${root}/bridge/request/set_cutoff`, JSON.stringify({ athlete: 'ana', cutoff_cm: 30, transaction: 'm1' }), { qos: 1 });
    await waitFor(() => sub.on(`${root}/bridge/response/set_cutoff`).length === 1, 'response');
    expect(sub.on(`${root}/bridge/response/set_cutoff`)[0].json).toMatchObject({ transaction: 'm1', status: 'ok' });
    expect(commands.calls).toEqual([{ method: 'setCutoff', request: { athlete: 'ana', cutoff_cm: 30 } }]);

    await bridge.close();
    await waitFor(() => sub.on(`${root}/bridge/state`).some((m) => (m.json as { state: string }).state === 'offline'), 'offline');
  });
});
