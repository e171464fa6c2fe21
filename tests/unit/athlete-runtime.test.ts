import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateRecording } from '../../gateway/sources/simulated-recording.ts';
import { profileByName } from '../../firmware-sim/model/index.ts';
import { AthleteRuntime } from '../../gateway/service/athlete-runtime.ts';
import type { GatewayEvent } from '../../gateway/core/domain.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import { readRecording } from '../../shared/recording/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squatmon-runtime-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('AthleteRuntime', () => {
  it('opens a set at the first rep, records it with its pre-roll, every sample once, and ends the session', async () => {
    const sim = simulateRecording({ profile: profileByName('neutral-wink'), seed: 2, reps: 3, sensors: 'both', rateHz: 100 });
    const events: GatewayEvent[] = [];
    const runtime = new AthleteRuntime({
      athlete: { id: 'ana', name: 'Ana', sensors: sim.sensors.map((s) => ({ ...s, driver: 'squatmon', match: null })), cutoffCm: 30, winkThresholdDeg: 10 },
      simulated: true,
      recordingsDir: dir,
      emit: (e) => events.push(e),
      logger: memoryLogger(),
      idleCloseS: 5,
    });
    // Deliver in BLE-like batches of 5 samples per sensor, the two sensors' batches interleaved.
    for (let i = 0; i < sim.samples.length; i += 10) {
      runtime.push(sim.samples.slice(i, i + 10));
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    const summary = await runtime.finish();
    const reps = events.filter((e) => e.kind === 'rep');
    expect(reps).toHaveLength(3);
    expect(events.filter((e) => e.kind === 'cue')).toHaveLength(3);
    const started = events.filter((e) => e.kind === 'set-started');
    expect(started).toHaveLength(1);
    expect(events.some((e) => e.kind === 'set-ended')).toBe(true);
    expect(summary.reps).toBe(3);

    const files = (await readdir(join(dir, runtime.sessionId))).filter((f) => f.endsWith('.csv.gz'));
    expect(files).toEqual(['set-1.csv.gz']);
    const rec = await readRecording(join(dir, runtime.sessionId, 'set-1.csv.gz'));
    for (const sensor of ['S1', 'S2']) {
      const times = rec.samples.filter((s) => s.sensor === sensor).map((s) => s.t);
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]);
    }
    // The pre-roll: the recording starts with standing, seconds before the first rep.
    const firstRep = (reps[0] as Extract<GatewayEvent, { kind: 'rep' }>).rep;
    expect(firstRep.t_start - rec.samples[0].t).toBeGreaterThan(2);
    expect(rec.header.comments.map((c) => c.text)).toContain('athlete: ana');
  });

  it('closes the set after idleCloseS without a rep, even when lost packets interrupt the rest', async () => {
    const sim = simulateRecording({ profile: profileByName('neutral-wink'), seed: 3, reps: 2, sensors: 'both', rateHz: 100, model: { walkout: false, quietStandingS: 5 } });
    const events: GatewayEvent[] = [];
    const runtime = new AthleteRuntime({
      athlete: { id: 'bo', name: 'Bo', sensors: sim.sensors.map((s) => ({ ...s, driver: 'squatmon', match: null })), cutoffCm: null, winkThresholdDeg: 10 },
      simulated: true,
      recordingsDir: null,
      emit: (e) => events.push(e),
      logger: memoryLogger(),
      idleCloseS: 10,
    });
    runtime.push(sim.samples);
    expect(events.filter((e) => e.kind === 'rep')).toHaveLength(2);
    expect(events.some((e) => e.kind === 'set-ended')).toBe(false);
    // 30 s more of quiet standing (the first 4 s of the recording, repeated), with 0.3 s of packets lost every
    // 3 s: a gap is never taken as rest, so the phase reads 'moving' for a moment after each one.
    const quiet = sim.samples.filter((x) => x.t < sim.samples[0].t + 4);
    const end = sim.samples[sim.samples.length - 1].t;
    for (let k = 0; k < 8; k++) {
      const shift = end + 0.01 + k * 4 - quiet[0].t;
      runtime.push(quiet.map((x) => ({ ...x, t: x.t + shift })).filter((x) => (x.t - end) % 3 > 0.3));
    }
    const ended = events.findIndex((e) => e.kind === 'set-ended');
    expect(ended).toBeGreaterThan(0);
    expect(events.slice(0, ended).some((e) => e.kind === 'live' && e.live.phase === 'moving')).toBe(true);
    await runtime.finish();
  });
});
