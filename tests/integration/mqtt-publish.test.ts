/** The MQTT contract (docs/INTERFACES.md §6) as an outside subscriber sees it, over the embedded broker. */
import { afterEach, describe, expect, it } from 'vitest';
import { startMqttBridge } from '../../gateway/mqtt/bridge.ts';
import { mqttConfigSchema } from '../../gateway/config/config.ts';
import type { MqttBridge } from '../../gateway/mqtt/bridge.ts';
import { connectGateway } from '../../gateway/mqtt/connection.ts';
import { topicsFor } from '../../gateway/mqtt/topics.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import type { PublishedSession } from '../../gateway/core/domain.ts';
import { SET, fakeCommands, live, record, rep, sensor, waitFor } from '../support/mqtt-harness.ts';
import type { Recorder } from '../support/mqtt-harness.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function bridge(extra: Partial<Record<string, unknown>> = {}): Promise<MqttBridge> {
  const config = mqttConfigSchema.parse({ port: 0, clientId: 'squatmon-gw-test', ...extra });
  const b = await startMqttBridge(config, { logger: memoryLogger(), commands: fakeCommands(), reconnectMinMs: 50 });
  cleanups.push(() => b.close());
  return b;
}

async function recorder(url: string, filter = 'squatmon/#'): Promise<Recorder> {
  const r = await record(url, filter);
  cleanups.push(() => r.close());
  return r;
}

const session: PublishedSession = {
  type: 'session',
  reps: 2,
  sensors: [{ id: 'S2', placement: 'sacrum', flexion_axis_deg: 12 }],
  standing_lordosis_deg: null,
  sacral_inclination_deg: 21,
  pelvic_tilt: 'neutral',
  suggested_cutoff_cm: null,
  drills: { strengthen: [], stretch: [] },
  athlete: SET.athlete,
  session: SET.session,
  simulated: true,
};

describe('MQTT publishing', () => {
  it('publishes bridge state, sensors, ≤ 50 Hz live frames, reps, cues and the session per the contract', async () => {
    const b = await bridge();
    await waitFor(() => b.stats().connected, 'gateway connected');
    const sub = await recorder(b.url);
    // Retained online state reaches a subscriber that arrives after it was published.
    await waitFor(() => sub.on('squatmon/bridge/state').length > 0, 'bridge/state');
    const state = sub.on('squatmon/bridge/state')[0];
    expect(state.json).toEqual({ state: 'online' });
    expect(state.retain).toBe(true);

    b.handle({ kind: 'sensor', sensor: sensor('S2', 87) });
    b.handle({ kind: 'set-started', ref: SET, startedAt: 0, recording: null });
    for (let i = 0; i < 100; i++) b.handle(live(i * 0.01)); // 100 Hz in
    b.handle({ kind: 'cue', cue: { type: 'cue', kind: 'depth_cutoff', t: 5.2, rep: 1, depth_cm: 35.1, ...SET, simulated: true } });
    b.handle({ kind: 'rep', rep: rep(1) });
    b.handle({ kind: 'rep', rep: rep(2) });
    b.handle({ kind: 'session', session });

    await waitFor(() => sub.on('squatmon/athletes/ana/session').length === 1, 'session');
    await waitFor(() => sub.on('squatmon/athletes/ana/live').some((m) => (m.json as { t: number }).t > 0.97), 'last live frame');

    const frames = sub.on('squatmon/athletes/ana/live').map((m) => m.json as { t: number; depth_cm: number; phase: string });
    const times = frames.map((f) => f.t);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(0.02 - 1e-6);
    expect(frames.length).toBeGreaterThanOrEqual(45); // decimated to 50 Hz, not starved
    for (const key of ['t', 'depth_cm', 'lumbar_flexion_deg', 'pelvic_tilt_deg', 'phase', 'cutoff_cm']) expect(frames[0]).toHaveProperty(key);
    expect(b.stats().liveDropped).toBe(0);

    const reps = sub.on('squatmon/athletes/ana/reps');
    expect(reps.map((m) => (m.json as { id: string }).id)).toEqual([`${SET.session}/1/1`, `${SET.session}/1/2`]);
    for (const m of reps) {
      expect(m.retain).toBe(false);
      for (const key of ['type', 'index', 't_start', 't_bottom', 't_end', 'depth_cm', 'lumbar_flexion_max_deg', 'wink_deg', 'butt_wink', 'wink_onset_depth_cm', 'id', 'athlete', 'session', 'set']) {
        expect(m.json).toHaveProperty(key);
      }
    }
    expect(sub.on('squatmon/athletes/ana/cue')[0].json).toMatchObject({ type: 'cue', kind: 'depth_cutoff', rep: 1, athlete: 'ana' });

    // A late subscriber gets exactly the retained state: bridge, sensor, session, stats — never reps, cues or live.
    const late = await recorder(b.url);
    await waitFor(() => late.on('squatmon/athletes/ana/stats').length > 0 && late.on('squatmon/sensors/S2').length > 0 && late.on('squatmon/athletes/ana/session').length > 0, 'retained state');
    expect(late.messages.every((m) => m.retain)).toBe(true);
    expect(late.on('squatmon/sensors/S2')[0].json).toMatchObject({ id: 'S2', placement: 'sacrum', connected: true, battery: 87 });
    expect(late.on('squatmon/athletes/ana/session')[0].json).toMatchObject({ type: 'session', reps: 2, pelvic_tilt: 'neutral' });
    expect(late.on('squatmon/athletes/ana/stats')[0].json).toMatchObject({ set_reps: 2, session_reps: 2, last_depth_cm: 32, last_rep_id: `${SET.session}/1/2` });
    expect(late.messages.some((m) => /\/(reps|cue|live)$/.test(m.topic))).toBe(false);
  });

  it('says offline explicitly on a graceful close', async () => {
    const b = await bridge();
    const sub = await recorder(b.url, 'squatmon/bridge/state');
    await waitFor(() => sub.messages.length > 0, 'online');
    const gateway = connectGateway({ url: b.broker!.url, ...b.broker!.gatewayLogin, clientId: 'squatmon-gw-other' }, topicsFor(), memoryLogger());
    await waitFor(() => gateway.client.connected, 'second gateway client');
    await gateway.close();
    await waitFor(() => sub.messages.some((m) => (m.json as { state: string }).state === 'offline'), 'offline');
  });

  it('publishes the Last Will offline when the gateway client dies without disconnecting', async () => {
    const b = await bridge();
    const sub = await recorder(b.url, 'squatmon/bridge/state');
    const gateway = connectGateway({ url: b.broker!.url, ...b.broker!.gatewayLogin, clientId: 'squatmon-gw-doomed' }, topicsFor(), memoryLogger());
    await waitFor(() => gateway.client.connected, 'doomed client');
    const before = sub.messages.length;
    gateway.client.end(true); // drops the socket: no DISCONNECT, so the broker must publish the will
    await waitFor(() => sub.messages.slice(before).some((m) => (m.json as { state: string }).state === 'offline'), 'last will');
  });

  it('announces Home Assistant discovery only when enabled', async () => {
    const off = await bridge();
    const offSub = await recorder(off.url, 'homeassistant/#');
    off.handle({ kind: 'sensor', sensor: sensor('S2', 50) });
    off.handle({ kind: 'rep', rep: rep(1) });
    await waitFor(() => off.stats().outbox.delivered >= 3, 'sensor and rep delivered');

    const on = await bridge({ homeAssistant: true });
    const sub = await recorder(on.url, 'homeassistant/#');
    on.handle({ kind: 'sensor', sensor: sensor('S2', 50) });
    const wanted = ['squatmon_ana_rep_count', 'squatmon_ana_last_depth', 'squatmon_ana_last_wink', 'squatmon_S2_battery'];
    await waitFor(() => wanted.every((w) => sub.on(`homeassistant/sensor/${w}/config`).length > 0), 'discovery configs');

    const retained = await recorder(on.url, 'homeassistant/#');
    await waitFor(() => retained.messages.length === wanted.length, 'retained configs');
    const battery = retained.on('homeassistant/sensor/squatmon_S2_battery/config')[0];
    expect(battery.retain).toBe(true);
    expect(battery.json).toMatchObject({
      unique_id: 'squatmon_S2_battery',
      state_topic: 'squatmon/sensors/S2',
      unit_of_measurement: '%',
      device_class: 'battery',
      availability: [{ topic: 'squatmon/bridge/state' }],
    });
    const depth = sub.on('homeassistant/sensor/squatmon_ana_last_depth/config')[0].json as Record<string, string>;
    expect(depth.state_topic).toBe('squatmon/athletes/ana/stats');
    expect(depth.value_template).toContain('last_depth_cm');
    // The config's state topic carries the field its template reads.
    on.handle({ kind: 'rep', rep: rep(3) });
    const stats = await recorder(on.url, 'squatmon/athletes/ana/stats');
    await waitFor(() => stats.messages.length > 0, 'stats');
    expect(stats.messages.at(-1)!.json).toHaveProperty('last_depth_cm', 33);

    // Home Assistant coming online again gets the configs re-sent.
    const count = sub.messages.length;
    await sub.client.publishAsync('homeassistant/status', 'online');
    await waitFor(() => sub.messages.length >= count + wanted.length, 'configs re-sent on HA birth');
    // Meanwhile the bridge without discovery published its three messages (sensor, stats, rep) and nothing else.
    expect(offSub.messages).toEqual([]);
    expect(off.stats().outbox.delivered).toBe(3);
  });
});
