/** Helpers for MQTT integration tests: a recording subscriber, condition waits, gateway event fixtures. */
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { GatewayEvent, PublishedRep, SensorState, SetRef } from '../../gateway/core/domain.ts';
import type { BridgeCommands } from '../../gateway/core/commands.ts';
import { CommandError } from '../../gateway/core/commands.ts';

export interface Received {
  readonly topic: string;
  readonly text: string;
  readonly retain: boolean;
  readonly json: unknown;
}

/** Polls `condition` every 10 ms until true; fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface Recorder {
  readonly client: MqttClient;
  readonly messages: Received[];
  on(topic: string): Received[];
  close(): Promise<void>;
}

/** Connects, subscribes `filter` at QoS 1 and records every message (JSON-parsed when possible). */
export async function record(url: string, filter: string, options: IClientOptions = {}): Promise<Recorder> {
  // Listen before connecting: a resumed session delivers its queue right after the CONNACK.
  const client = mqtt.connect(url, { reconnectPeriod: 100, connectTimeout: 5_000, ...options });
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    const text = payload.toString('utf8');
    let json: unknown = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    messages.push({ topic, text, retain: packet.retain, json });
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    client,
    messages,
    on: (topic) => messages.filter((m) => m.topic === topic),
    close: () => client.endAsync(true),
  };
}

export const SET: SetRef = { athlete: 'ana', session: '20261129-100000-ana', set: 1 };

export function rep(index: number, ref: SetRef = SET): PublishedRep {
  return {
    type: 'rep',
    index,
    t_start: index * 4,
    t_bottom: index * 4 + 1.5,
    t_end: index * 4 + 3,
    depth_cm: 30 + index,
    lumbar_flexion_max_deg: 10,
    wink_deg: 2 + index / 10,
    butt_wink: false,
    wink_onset_depth_cm: null,
    pelvic_tilt_max_deg: 12,
    gap_fraction: 0,
    ...ref,
    id: `${ref.session}/${ref.set}/${index}`,
    simulated: true,
  };
}

export function sensor(id: string, battery: number | null): SensorState {
  return {
    id,
    athlete: SET.athlete,
    placement: 'sacrum',
    driver: 'squatmon',
    connected: true,
    battery,
    rate: 100,
    rssi: -60,
    last_seen: 1_764_410_400_000,
    simulated: true,
    frames_lost: 0,
    duplicates_dropped: 0,
    samples_rejected: 0,
  };
}

export function live(t: number, athlete = SET.athlete): GatewayEvent {
  return {
    kind: 'live',
    live: { type: 'live', t, depth_cm: 10, lumbar_flexion_deg: 5, pelvic_tilt_deg: 3, phase: 'descent', cutoff_cm: 35, athlete, simulated: true },
  };
}

/** A BridgeCommands that records calls; `refuse` makes every command throw a CommandError. */
export function fakeCommands(refuse = false): BridgeCommands & { calls: Array<{ method: string; request: unknown }> } {
  const calls: Array<{ method: string; request: unknown }> = [];
  const run = (method: string) => async (request: { athlete: string }) => {
    calls.push({ method, request });
    if (refuse) throw new CommandError(`no athlete ${request.athlete}`);
    return { done: method };
  };
  return {
    calls,
    calibrate: run('calibrate'),
    setStart: run('setStart'),
    setStop: run('setStop'),
    setCutoff: run('setCutoff'),
    setWinkThreshold: run('setWinkThreshold'),
    nameAthlete: run('nameAthlete'),
  };
}
