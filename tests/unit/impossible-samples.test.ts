/**
 * Samples no working IMU can give (non-finite, beyond ±16 g or ±2000 °/s) on the live path: dropped before the
 * pipeline and counted, so the reps come out as without them. (Files refuse them: recording-errors.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { simulateRecording } from '../../gateway/sources/simulated-recording.ts';
import { profileByName } from '../../firmware-sim/model/index.ts';
import { AthletePipeline } from '../../gateway/sensing/athlete-pipeline.ts';
import type { RepEvent } from '../../gateway/sensing/events.ts';
import { ImpossibleSampleGate } from '../../gateway/ingest/impossible-samples.ts';
import type { ImuSample } from '../../shared/imu.ts';

const sample = (t: number, over: Partial<ImuSample> = {}): ImuSample => ({ sensor: 'S1', t, ax: 0.1, ay: 0.2, az: 9.8, gx: 0.01, gy: 0.02, gz: 0.03, ...over });

describe('ImpossibleSampleGate', () => {
  it('passes samples a working IMU can give untouched, and drops and counts the others', () => {
    const gate = new ImpossibleSampleGate();
    const clean = [sample(0), sample(0.01, { ax: 156.9, gz: -34.9 })];
    expect(gate.pass(clean)).toBe(clean);
    expect(gate.dropped).toBe(0);
    const mixed = [sample(0.02), sample(0.03, { ax: 1e6 }), sample(0.04, { gy: Number.NaN }), sample(0.05, { az: -1e308 }), sample(0.06, { gx: 40 }), sample(0.07)];
    expect(gate.pass(mixed).map((s) => s.t)).toEqual([0.02, 0.07]);
    expect(gate.dropped).toBe(4);
    expect(gate.lastReason).toMatch(/gx=40 is beyond any IMU's full scale/);
  });
});

describe('the live path with impossible samples in the stream', () => {
  const sim = simulateRecording({ profile: profileByName('neutral-wink'), seed: 5, reps: 4, sensors: 'both', rateHz: 100 });
  const trunk = sim.sensors.find((s) => s.placement === 'thoracolumbar')!.id;
  const sacrum = sim.sensors.find((s) => s.placement === 'sacrum')!.id;
  const rep2 = sim.truth.reps[1];
  // Corrupt samples in the middle of the second rep's descent, on both sensors.
  const tCorrupt = (rep2.t_start + rep2.t_bottom) / 2;
  const corrupted = sim.samples.map((s) => {
    if (s.sensor === trunk && Math.abs(s.t - tCorrupt) < 0.004) return { ...s, ax: 1e6 };
    if (s.sensor === sacrum && Math.abs(s.t - tCorrupt - 0.1) < 0.004) return { ...s, az: 1e308 };
    if (s.sensor === sacrum && Math.abs(s.t - tCorrupt - 0.2) < 0.004) return { ...s, gy: Number.NaN };
    return s;
  });

  function reps(samples: readonly ImuSample[], gate: ImpossibleSampleGate | null): RepEvent[] {
    const out: RepEvent[] = [];
    const pipeline = new AthletePipeline({ sensors: sim.sensors, onEvent: (e) => e.type === 'rep' && out.push(e) });
    for (const s of samples) for (const kept of gate ? gate.pass([s]) : [s]) pipeline.push(kept);
    pipeline.finish();
    return out;
  }

  it('drops and counts them, and the reps keep their angles within 1° of the clean run', () => {
    const clean = reps(sim.samples, null);
    const gate = new ImpossibleSampleGate();
    const guarded = reps(corrupted, gate);
    expect(gate.dropped).toBe(3);
    expect(guarded).toHaveLength(clean.length);
    expect(clean).toHaveLength(sim.truth.reps.length);
    guarded.forEach((rep, i) => {
      expect(Math.abs(rep.lumbar_flexion_max_deg! - clean[i].lumbar_flexion_max_deg!)).toBeLessThanOrEqual(1);
      expect(Math.abs(rep.wink_deg - clean[i].wink_deg)).toBeLessThanOrEqual(1);
      expect(Math.abs(rep.depth_cm - clean[i].depth_cm)).toBeLessThanOrEqual(1);
    });
    // Without the gate the same stream wrecks the set (the reason the gate exists).
    const unguarded = reps(corrupted, null);
    const worst = Math.max(...clean.map((rep, i) => Math.abs((unguarded[i]?.lumbar_flexion_max_deg ?? Number.NaN) - rep.lumbar_flexion_max_deg!)));
    expect(unguarded.length !== clean.length || !(worst <= 1)).toBe(true);
  });
});
