/**
 * One behavioural suite for the live gateway, run over each way samples can arrive (the simulator through
 * noble's custom binding, a replayed recording) and over each broker (the embedded one, a real Mosquitto).
 * What an outside MQTT client subscribed to `<root>/#` must see: bridge/state online, sensor states, live
 * frames at ≥ 10 per second of data per athlete, reps with the contract fields and unique ids, the session.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../gateway/config/config.ts';
import type { GatewayConfig } from '../../gateway/config/config.ts';
import { startGateway } from '../../gateway/service/gateway.ts';
import type { RunningGateway } from '../../gateway/service/gateway.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { gyroBiasComment, readRecording, RecordingWriter } from '../../shared/recording/index.ts';
import type { GyroBias } from '../../shared/recording/index.ts';
import { runCli } from '../support/cli.ts';
import { findMosquitto, NO_MOSQUITTO } from '../support/mosquitto.ts';
import type { Mosquitto } from '../support/mosquitto.ts';
import { record, waitFor } from '../support/mqtt-harness.ts';
import type { Recorder } from '../support/mqtt-harness.ts';

const REP_FIELDS = ['index', 't_start', 't_bottom', 't_end', 'depth_cm', 'lumbar_flexion_max_deg', 'wink_deg', 'butt_wink', 'wink_onset_depth_cm'];
const SESSION_FIELDS = ['reps', 'sensors', 'standing_lordosis_deg', 'sacral_inclination_deg', 'pelvic_tilt', 'suggested_cutoff_cm', 'drills'];

interface Setup {
  readonly name: string;
  /** Builds the config for a data folder and, with an external broker, its URL and a root of its own. */
  config(dataDir: string, brokerUrl: string | null, root: string): Promise<GatewayConfig>;
  /** Reps the run must publish before the checks. */
  readonly reps: number;
}

let workDir: string;
let recording: string;
// Found (or started) once for the file: the suites below are skipped, saying why, when there is none.
const mosquitto: Mosquitto | null = await findMosquitto();
if (!mosquitto) console.warn(`gateway-behaviour: Mosquitto suites skipped: ${NO_MOSQUITTO}`);

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'squatmon-gw-'));
  recording = join(workDir, 'set.csv.gz');
  const sim = await runCli(['sim', '--profile', 'neutral-wink', '--seed', '4', '--reps', '3', '--rate', '100', '--out', recording]);
  expect(sim.code).toBe(0);
});

afterAll(async () => {
  await mosquitto?.stop();
  await rm(workDir, { recursive: true, force: true });
});

function baseConfig(dataDir: string, brokerUrl: string | null, root: string): Record<string, unknown> {
  return {
    dataDir,
    http: { port: 0 },
    mqtt: brokerUrl ? { url: brokerUrl, root } : { port: 0, root },
  };
}

const SETUPS: Setup[] = [
  {
    name: 'simulator through noble',
    reps: 2,
    config: async (dataDir, brokerUrl, root) =>
      configSchema.parse({ ...baseConfig(dataDir, brokerUrl, root), source: 'sim', sim: { athletes: 1, sensors: 'both', speed: 6, rateHz: 100 } }),
  },
  {
    name: 'replay of a recording',
    reps: 3,
    config: async (dataDir, brokerUrl, root) =>
      configSchema.parse({ ...baseConfig(dataDir, brokerUrl, root), source: 'replay', replay: { file: recording, speed: 10, athlete: 'lifter' } }),
  },
];

function behaviourSuite(setup: Setup, broker: 'embedded' | 'mosquitto') {
  describe.skipIf(broker === 'mosquitto' && !mosquitto)(`gateway over ${setup.name}, ${broker} broker`, () => {
    let gateway: RunningGateway;
    let subscriber: Recorder;
    let root: string;
    const logger = memoryLogger();

    beforeAll(async () => {
      root = `squatmon-test-${process.pid}-${setup.reps}-${broker}`;
      const dataDir = await mkdtemp(join(workDir, 'data-'));
      const config = await setup.config(dataDir, broker === 'mosquitto' ? mosquitto!.url : null, root);
      if (broker === 'mosquitto') subscriber = await record(mosquitto!.url, `${root}/#`);
      gateway = await startGateway({ config, logger, dashboardDir: join(workDir, 'no-dashboard') });
      if (broker === 'embedded') subscriber = await record(gateway.mqttUrl, `${root}/#`);
      await waitFor(() => subscriber.messages.filter((m) => m.topic.endsWith('/reps')).length >= setup.reps, `${setup.reps} reps`, 60_000);
      await waitFor(() => subscriber.messages.some((m) => m.topic.endsWith('/session')), 'a session summary', 10_000);
    }, 90_000);

    afterAll(async () => {
      await gateway?.stop();
      if (subscriber && broker === 'mosquitto') {
        // Clear the retained topics this run left on the shared broker.
        for (const topic of new Set(subscriber.messages.filter((m) => m.retain || m.topic.endsWith('/state')).map((m) => m.topic))) {
          await subscriber.client.publishAsync(topic, '', { retain: true, qos: 1 });
        }
      }
      await subscriber?.close();
    });

    it('announces itself online on bridge/state (retained)', () => {
      const state = subscriber.on(`${root}/bridge/state`).map((m) => m.json);
      expect(state).toContainEqual({ state: 'online' });
    });

    it('publishes sensor states with placement, connection, battery, rate, rssi and last seen', () => {
      if (setup.name.startsWith('replay')) return; // a recording has no radio
      const sensors = subscriber.messages.filter((m) => m.topic.startsWith(`${root}/sensors/`));
      expect(sensors.length).toBeGreaterThan(0);
      const latest = sensors[sensors.length - 1].json as Record<string, unknown>;
      for (const field of ['placement', 'connected', 'battery', 'rate', 'rssi', 'last_seen']) expect(latest).toHaveProperty(field);
      expect(sensors.some((m) => (m.json as { connected: boolean }).connected)).toBe(true);
      expect(latest.simulated).toBe(true);
    });

    it('streams live frames at 10 per second of data or more, per athlete', () => {
      const live = subscriber.messages.filter((m) => m.topic.endsWith('/live')).map((m) => m.json as { t: number; depth_cm: number; phase: string });
      expect(live.length).toBeGreaterThan(50);
      const span = live[live.length - 1].t - live[0].t;
      expect(live.length / span).toBeGreaterThanOrEqual(10);
      expect(live.length / span).toBeLessThanOrEqual(51);
      for (const f of live.slice(0, 20)) for (const field of ['t', 'depth_cm', 'lumbar_flexion_deg', 'pelvic_tilt_deg', 'phase', 'cutoff_cm']) expect(f).toHaveProperty(field);
    });

    it('publishes each rep once, with the contract fields and a unique, stable id', () => {
      const reps = subscriber.messages.filter((m) => m.topic.endsWith('/reps')).map((m) => m.json as Record<string, unknown>);
      for (const rep of reps) {
        for (const field of [...REP_FIELDS, 'id', 'athlete', 'session', 'set']) expect(rep).toHaveProperty(field);
        expect(rep.id).toBe(`${rep.session}/${rep.set}/${rep.index}`);
        expect(rep.depth_cm as number).toBeGreaterThan(20);
      }
      expect(new Set(reps.map((r) => r.id)).size).toBe(reps.length);
    });

    it('keeps the session summary retained', () => {
      const sessions = subscriber.messages.filter((m) => m.topic.endsWith('/session'));
      const last = sessions[sessions.length - 1];
      expect(last.topic).toMatch(new RegExp(`^${root}/athletes/[a-z0-9-]+/session$`));
      for (const field of SESSION_FIELDS) expect(last.json).toHaveProperty(field);
    });
  });
}

for (const setup of SETUPS) {
  behaviourSuite(setup, 'embedded');
  behaviourSuite(setup, 'mosquitto');
}

describe('replay and analyze agree', () => {
  async function analyzedReps(file: string): Promise<unknown[]> {
    return (await runCli(['analyze', file, '--jsonl'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'rep');
  }

  async function replayedReps(file: string): Promise<Record<string, unknown>[]> {
    const dataDir = await mkdtemp(join(workDir, 'data-'));
    const config = configSchema.parse({ dataDir, source: 'replay', replay: { file, speed: 20, athlete: 'lifter' }, http: { port: 0 }, mqtt: { port: 0, root: 'eq' } });
    const published: Record<string, unknown>[] = [];
    const gateway = await startGateway({
      config,
      logger: memoryLogger(),
      dashboardDir: join(workDir, 'no-dashboard'),
      tap: (e) => {
        if (e.kind === 'rep') published.push(e.rep as unknown as Record<string, unknown>);
      },
    });
    await gateway.replayDone;
    await gateway.stop();
    const contractOnly = (r: Record<string, unknown>) => {
      const { id: _id, athlete: _a, session: _s, set: _set, simulated: _sim, ...rest } = r;
      return rest;
    };
    return published.map(contractOnly);
  }

  it('publishes exactly the reps `squatmon analyze` prints for the same recording', async () => {
    expect(await replayedReps(recording)).toEqual(await analyzedReps(recording));
  }, 60_000);

  it('also for a recording whose gyro_bias lines give the filters a head start (both start from them)', async () => {
    const { header, samples } = await readRecording(recording);
    const seeded = join(workDir, 'seeded.csv.gz');
    const bias: GyroBias = { radS: [0.02, -0.015, 0.01], covariance: [1e-8, 0, 0, 1e-8, 0, 1e-8] };
    const writer = await RecordingWriter.create(seeded, { sensors: header.sensors, comments: header.sensors.map((x) => gyroBiasComment(x.id, bias).text) });
    for (const sample of samples) writer.write(sample);
    await writer.close();
    const analyzed = await analyzedReps(seeded);
    expect(analyzed).not.toEqual(await analyzedReps(recording));
    expect(await replayedReps(seeded)).toEqual(analyzed);
  }, 60_000);
});
