import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/rng.ts';
import {
  ATHLETE_PROFILES,
  DEFAULT_IMU_ERRORS,
  IDEAL_IMU_ERRORS,
  ImuErrorModel,
  buildSquatSet,
} from '../../firmware-sim/model/index.ts';

function record(seed: number, seconds: number): Float64Array {
  const set = buildSquatSet({ profile: ATHLETE_PROFILES['anterior-wink'], seed, reps: 2, sensors: 'both' });
  const out = new Float64Array(6);
  const n = Math.floor(seconds * 200);
  const data = new Float64Array(n * 12);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < 2; i++) {
      set.measuredImu(i, (k + 1) / 200, out);
      data.set(out, k * 12 + i * 6);
    }
  }
  return data;
}

const std = (v: number[]): number => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
};

describe('simulated sensor errors', () => {
  it('same seed gives identical samples, another seed different ones', () => {
    const a = record(17, 20);
    const b = record(17, 20);
    const c = record(18, 20);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    const ta = buildSquatSet({ profile: ATHLETE_PROFILES.neutral, seed: 4, reps: 2, sensors: 'both' });
    const tb = buildSquatSet({ profile: ATHLETE_PROFILES.neutral, seed: 4, reps: 2, sensors: 'both' });
    const tc = buildSquatSet({ profile: ATHLETE_PROFILES.neutral, seed: 5, reps: 2, sensors: 'both' });
    expect(ta.truth).toEqual(tb.truth);
    expect(tc.truth.reps[0].depth_cm).not.toEqual(ta.truth.reps[0].depth_cm);
    expect(tc.sensors[0].clipAngleDeg).not.toEqual(ta.sensors[0].clipAngleDeg);
  });

  it('the sacrum sensor reads the same whether or not the thoracolumbar sensor is worn', () => {
    const both = buildSquatSet({ profile: ATHLETE_PROFILES.neutral, seed: 31, reps: 2, sensors: 'both' });
    const one = buildSquatSet({ profile: ATHLETE_PROFILES.neutral, seed: 31, reps: 2, sensors: 'sacrum' });
    expect(one.sensors).toEqual([both.sensors[1]]);
    expect(one.duration).toBe(both.duration);
    const a = new Float64Array(6);
    const b = new Float64Array(6);
    for (let k = 1; k < 2000; k++) {
      both.measuredImu(1, k / 200, a);
      one.measuredImu(0, k / 200, b);
      expect(b).toEqual(a);
    }
    expect(one.truth.reps.map((r) => r.depth_cm)).toEqual(both.truth.reps.map((r) => r.depth_cm));
  });

  it('with errors off the measured reading is the ideal one', () => {
    const set = buildSquatSet({ profile: ATHLETE_PROFILES.posterior, seed: 2, reps: 1, sensors: 'both', errors: false });
    const ideal = new Float64Array(6);
    const measured = new Float64Array(6);
    for (let t = 0.01; t < set.duration; t += 0.37) {
      for (let i = 0; i < 2; i++) {
        set.idealImu(i, t, ideal);
        set.measuredImu(i, t, measured);
        expect(measured).toEqual(ideal);
      }
    }
  });

  it('adds white noise of density·√rate around gain·ideal + bias, within the configured bias range', () => {
    const set = buildSquatSet({ profile: ATHLETE_PROFILES.neutral, seed: 8, reps: 1, sensors: 'sacrum', sway: false, quietStandingS: 6 });
    const model = set.errorModels[0];
    const ideal = new Float64Array(6);
    const measured = new Float64Array(6);
    const residual: number[][] = [[], [], [], [], [], []];
    for (let k = 1; k <= 1000; k++) {
      const t = k / 200;
      set.idealImu(0, t, ideal);
      set.measuredImu(0, t, measured);
      for (let j = 0; j < 6; j++) {
        const gain = j < 3 ? model.accelGain : model.gyroGain;
        const r = j % 3;
        const expected = gain[3 * r] * ideal[j - r] + gain[3 * r + 1] * ideal[j - r + 1] + gain[3 * r + 2] * ideal[j - r + 2];
        residual[j].push(measured[j] - expected);
      }
    }
    const accelSigma = DEFAULT_IMU_ERRORS.accelNoiseDensity * Math.sqrt(200);
    const gyroSigma = DEFAULT_IMU_ERRORS.gyroNoiseDensity * Math.sqrt(200);
    for (let j = 0; j < 6; j++) {
      const sigma = j < 3 ? accelSigma : gyroSigma;
      expect(std(residual[j]) / sigma).toBeGreaterThan(0.85);
      expect(std(residual[j]) / sigma).toBeLessThan(1.15);
      const meanOffset = residual[j].reduce((a, b) => a + b, 0) / residual[j].length;
      expect(Math.abs(meanOffset - model.bias[j])).toBeLessThan(5 * (sigma / Math.sqrt(1000)) + 1e-3);
    }
    // Typical MEMS levels at 200 Hz.
    expect(accelSigma).toBeGreaterThan(0.01);
    expect(accelSigma).toBeLessThan(0.03);
    expect(gyroSigma).toBeGreaterThan(0.002);
    expect(gyroSigma).toBeLessThan(0.005);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(model.bias[j])).toBeLessThanOrEqual(0.2 + 0.01);
      expect(Math.abs(model.bias[j + 3])).toBeLessThanOrEqual((2 * Math.PI) / 180 + 0.001);
      expect(Math.abs(model.accelGain[4 * j] - 1)).toBeLessThanOrEqual(0.01);
    }
  });

  it('lets the bias wander as a random walk growing with √t', () => {
    const walk = 0.01;
    const params = { ...IDEAL_IMU_ERRORS, accelBiasWalk: walk, gyroBiasWalk: walk };
    const root = new Rng(99);
    const finals: number[] = [];
    const zero = new Float64Array(6);
    const out = new Float64Array(6);
    for (let m = 0; m < 300; m++) {
      const model = new ImuErrorModel(params, root.fork(m));
      for (let k = 0; k <= 400; k++) model.apply(k * 0.01, zero, out);
      finals.push(out[0], out[4]);
    }
    // After 4 s: sd = walk·√4.
    expect(std(finals) / (walk * 2)).toBeGreaterThan(0.85);
    expect(std(finals) / (walk * 2)).toBeLessThan(1.15);
  });

  it('refuses samples that go back in time', () => {
    const model = new ImuErrorModel(DEFAULT_IMU_ERRORS, new Rng(1));
    const out = new Float64Array(6);
    model.apply(1, out, out);
    expect(() => model.apply(1, out, out)).toThrow(RangeError);
    expect(() => model.apply(0.5, out, out)).toThrow(RangeError);
  });
});
