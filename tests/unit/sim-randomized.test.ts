import { describe, expect, it } from 'vitest';
import { buildSquatSet } from '../../firmware-sim/model/index.ts';
import type { SquatSet } from '../../firmware-sim/model/index.ts';
import { RANDOMIZED_CONDITIONS, RANDOMIZED_RANGES, randomizedErrors, randomizedModelOptions, randomizedSetSpec } from '../../firmware-sim/randomized-sets.ts';
import { simulateRandomizedSet } from '../../gateway/sources/simulated-recording.ts';
import type { RandomizedSetSpec } from '../../firmware-sim/randomized-sets.ts';
import { OUTPUT_RATES_HZ } from '../../shared/protocol/index.ts';
import { DEG, RAD, STANDARD_GRAVITY } from '../../shared/imu.ts';

const SEEDS = Array.from({ length: 25 }, (_, k) => 7_000_000 + k);

/** The spec's model as a SquatSet, optionally without sensor errors or the restless sway. */
function model(spec: RandomizedSetSpec, extra: { ideal?: boolean; calm?: boolean } = {}): SquatSet {
  return buildSquatSet({
    ...randomizedModelOptions(spec),
    ...(extra.calm ? { extraSway: [], sway: false } : {}),
    errors: extra.ideal ? false : { ...randomizedErrors(spec), rateHz: spec.rateHz },
    profile: spec.profile,
    seed: spec.seed,
    reps: spec.reps,
    sensors: spec.sensors,
  });
}

const within = (v: number, [lo, hi]: readonly [number, number]): boolean => v >= lo - 1e-9 && v <= hi + 1e-9;

describe('randomised sets', () => {
  it('are fully determined by seed and condition', () => {
    for (const condition of RANDOMIZED_CONDITIONS) {
      expect(randomizedSetSpec(123, condition)).toEqual(randomizedSetSpec(123, condition));
      expect(randomizedSetSpec(123, condition)).not.toEqual(randomizedSetSpec(124, condition));
    }
    const a = simulateRandomizedSet(randomizedSetSpec(5, 'mixed'));
    const b = simulateRandomizedSet(randomizedSetSpec(5, 'mixed'));
    expect(a.samples).toEqual(b.samples);
    expect(a.truth).toEqual(b.truth);
  });

  it('draw every parameter inside the documented ranges, each group its own factor at the extreme', () => {
    const R = RANDOMIZED_RANGES;
    for (const condition of RANDOMIZED_CONDITIONS) {
      for (const seed of SEEDS) {
        const s = randomizedSetSpec(seed, condition);
        expect(OUTPUT_RATES_HZ).toContain(s.rateHz);
        expect(['sacrum', 'both']).toContain(s.sensors);
        expect(s.repDepthsCm).toHaveLength(s.reps);
        expect(s.restsS).toHaveLength(s.reps - 1);
        for (const d of s.repDepthsCm) expect(within(d, R.depthCm)).toBe(true);
        for (const t of s.repTempos) {
          expect(within(t.descentS, R.descentS)).toBe(true);
          expect(within(t.pauseS, R.pauseS)).toBe(true);
          expect(within(t.ascentS, R.ascentS)).toBe(true);
        }
        for (const r of s.restsS) expect(within(r, R.restS)).toBe(true);
        expect(within(s.swayRateDegS, R.swayRateDegS)).toBe(true);
        expect(within(s.accelNoiseRms, R.accelNoiseRms)).toBe(true);
        expect(within(s.gyroNoiseRmsDegS, R.gyroNoiseRmsDegS)).toBe(true);
        expect(within(s.accelBiasMax, R.accelBias)).toBe(true);
        expect(within(s.gyroBiasMaxDegS, R.gyroBiasDegS)).toBe(true);
        expect(within(s.scaleErrorMax, R.scaleError)).toBe(true);
        expect(within(s.lossRate, R.lossRate)).toBe(true);
        if (condition === 'touch-and-go') expect(Math.max(...s.restsS)).toBeLessThanOrEqual(R.touchAndGoRestS[1]);
        if (condition === 'noisy') expect(s.accelNoiseRms).toBeGreaterThanOrEqual(0.06);
        if (condition === 'noisy') expect(s.lossRate).toBe(0.05);
        if (condition === 'low-rate') expect(s.rateHz).toBe(50);
        if (condition === 'fidgety') expect(s.swayRateDegS).toBeGreaterThanOrEqual(4);
        if (condition === 'face-in') expect(s.face.sacrum).toBe('in');
        if (condition === 'mid-set-start') expect(s.leadInS).not.toBeNull();
        if (condition === 'slow-tempo') for (const t of s.repTempos) expect(t.descentS).toBeGreaterThanOrEqual(2.5 * 0.85);
        if (condition === 'shallow') {
          const shallow = s.repDepthsCm.filter((d) => d <= R.shallowDepthCm[1]);
          expect(shallow.length).toBeGreaterThanOrEqual(2);
          expect(shallow.length).toBeLessThan(s.reps);
          for (const d of shallow) expect(within(d, R.shallowDepthCm)).toBe(true);
        }
      }
    }
  });

  it('realise the drawn sensor errors: biases and scale errors within their bounds, noise at the drawn rms', () => {
    for (const seed of SEEDS.slice(0, 8)) {
      const spec = randomizedSetSpec(seed, 'noisy');
      const set = model(spec);
      for (const m of set.errorModels) {
        for (let i = 0; i < 3; i++) expect(Math.abs(m.bias[i])).toBeLessThanOrEqual(spec.accelBiasMax + 1e-9);
        for (let i = 3; i < 6; i++) expect(Math.abs(m.bias[i]) * RAD).toBeLessThanOrEqual(spec.gyroBiasMaxDegS + 1e-9);
        for (const gain of [m.accelGain, m.gyroGain]) {
          for (const k of [0, 4, 8]) expect(Math.abs(gain[k] - 1)).toBeLessThanOrEqual(spec.scaleErrorMax + 1e-9);
        }
      }
      // Noise rms: measured − ideal over a second of samples, before the bias walk has moved.
      const out = new Float64Array(6);
      const ideal = new Float64Array(6);
      const diffs: number[] = [];
      for (let k = 1; k <= spec.rateHz; k++) {
        const t = k / spec.rateHz;
        set.measuredImu(0, t, out);
        set.idealImu(0, t, ideal);
        diffs.push(out[0] - ideal[0] - set.errorModels[0].bias[0] - (set.errorModels[0].accelGain[0] - 1) * ideal[0]
          - set.errorModels[0].accelGain[1] * ideal[1] - set.errorModels[0].accelGain[2] * ideal[2]);
      }
      const rms = Math.sqrt(diffs.reduce((a, d) => a + d * d, 0) / diffs.length);
      expect(rms / spec.accelNoiseRms).toBeGreaterThan(0.75);
      expect(rms / spec.accelNoiseRms).toBeLessThan(1.25);
    }
  });

  it('keep the pelvis sway under the drawn angular rate (at most 8 °/s plus the quiet-standing sway)', () => {
    const ideal = new Float64Array(6);
    for (const seed of SEEDS.slice(0, 6)) {
      const spec = randomizedSetSpec(seed, 'fidgety');
      const set = model(spec, { ideal: true });
      const sacrum = set.sensors.findIndex((s) => s.placement === 'sacrum');
      const firstRep = set.truth.reps[0].t_start;
      let peak = 0;
      for (let t = 0.05; t < Math.min(firstRep, 3); t += 0.01) {
        set.idealImu(sacrum, t, ideal);
        peak = Math.max(peak, Math.hypot(ideal[3], ideal[4], ideal[5]) * RAD);
      }
      expect(peak).toBeLessThanOrEqual(spec.swayRateDegS + 0.5);
      expect(peak).toBeGreaterThan(0.3 * spec.swayRateDegS);
    }
  });

  it('a face-in sensor at rest reads a_z with the opposite sign from face out; the truth is the same', () => {
    const ideal = new Float64Array(6);
    const spec = randomizedSetSpec(11, 'face-in');
    const faces = (face: 'out' | 'in') =>
      buildSquatSet({
        ...randomizedModelOptions(spec),
        extraSway: [],
        sway: false,
        errors: false,
        face: { sacrum: face, thoracolumbar: face },
        profile: spec.profile,
        seed: spec.seed,
        reps: spec.reps,
        sensors: 'both',
      });
    const out = faces('out');
    const inward = faces('in');
    expect(inward.truth.sensors.map((s) => s.face)).toEqual(['in', 'in']);
    expect(out.truth.sensors.map((s) => s.face)).toEqual(['out', 'out']);
    for (let i = 0; i < 2; i++) {
      out.idealImu(i, 1, ideal);
      const azOut = ideal[2];
      inward.idealImu(i, 1, ideal);
      expect(Math.abs(azOut)).toBeGreaterThan(0.05);
      expect(Math.sign(ideal[2])).toBe(-Math.sign(azOut));
      expect(ideal[2]).toBeCloseTo(-azOut, 9);
      expect(Math.hypot(ideal[0], ideal[1], ideal[2])).toBeCloseTo(STANDARD_GRAVITY, 2);
      expect(inward.inclinationDeg(i, 1)).toBeCloseTo(out.inclinationDeg(i, 1), 9);
    }
    expect(inward.truth.sacral_inclination_deg).toBeCloseTo(out.truth.sacral_inclination_deg, 9);
    expect(inward.truth.reps.map((r) => r.depth_cm)).toEqual(out.truth.reps.map((r) => r.depth_cm));
  });

  it('touch-and-go sets have no still moment between reps (not even 0.2 s with |ω| < 3 °/s and ||f| − g| < 0.3 m/s²)', () => {
    const ideal = new Float64Array(6);
    for (const seed of SEEDS.slice(0, 12)) {
      const spec = randomizedSetSpec(seed, 'touch-and-go');
      // The reps alone: no sway and no sensor errors, so any motion between reps is the reps' own.
      const set = model(spec, { ideal: true, calm: true });
      const sacrum = set.sensors.findIndex((s) => s.placement === 'sacrum');
      const reps = set.truth.reps;
      expect(reps).toHaveLength(spec.reps);
      const step = 0.01;
      for (let r = 0; r + 1 < reps.length; r++) {
        const from = reps[r].bottom_phase_end;
        const to = reps[r + 1].bottom_phase_start;
        let stillSince: number | null = null;
        let longestStill = 0;
        for (let t = from; t <= to; t += step) {
          set.idealImu(sacrum, t, ideal);
          const still =
            Math.hypot(ideal[3], ideal[4], ideal[5]) < 3 * DEG &&
            Math.abs(Math.hypot(ideal[0], ideal[1], ideal[2]) - STANDARD_GRAVITY) < 0.3;
          if (!still) stillSince = null;
          else stillSince ??= t;
          if (stillSince !== null) longestStill = Math.max(longestStill, t - stillSince);
        }
        expect(longestStill, `seed ${seed}, between reps ${r + 1} and ${r + 2}`).toBeLessThan(0.2);
      }
    }
  });

  it('mid-set starts list only the reps whose bottom lies inside the recording, and keep the standing truth', () => {
    let cut = 0;
    let inside = 0;
    for (const seed of SEEDS) {
      const spec = randomizedSetSpec(seed, 'mid-set-start');
      const set = model(spec, { ideal: true });
      const truth = set.truth;
      expect(truth.quiet_standing_end).toBe(0);
      expect(truth.movements.some((m) => m.kind === 'walkout')).toBe(false);
      for (const rep of truth.reps) {
        expect(rep.t_bottom).toBeGreaterThanOrEqual(0);
        expect(rep.t_bottom).toBeLessThanOrEqual(truth.duration);
      }
      expect(truth.reps.map((r) => r.index)).toEqual(truth.reps.map((_, i) => i + 1));
      const cutReps = truth.movements.filter((m) => m.kind === 'cut_rep');
      expect(truth.reps.length + cutReps.length).toBe(spec.reps);
      cut += cutReps.length;
      if (spec.leadInS! < 0 && cutReps.length === 0) inside++;
      // Every full rep is deeper than 10 cm from its (model) standing reference.
      for (const rep of truth.reps) expect(rep.depth_cm).toBeGreaterThan(10);
      // The standing posture comes from the model's standing pose: close to the mounted sensor's standing θ.
      const sacrum = set.sensors.find((s) => s.placement === 'sacrum')!;
      const expected = Math.asin(Math.sin((sacrum.anatomicalInclinationDeg + sacrum.mountPitchDeg) * DEG) * Math.cos(sacrum.mountRollDeg * DEG)) * RAD;
      expect(Math.abs(truth.sacral_inclination_deg - expected)).toBeLessThan(1.5);
      expect(truth.pelvic_tilt).toMatch(/anterior|neutral|posterior/);
    }
    // Both kinds of start occur: rep 1 cut off before its bottom, and rep 1 under way but kept.
    expect(cut).toBeGreaterThan(0);
    expect(inside).toBeGreaterThan(0);
  });

  it('measure touch-and-go reps from the upright top when no quiet standing came before them, else from standing', () => {
    // Contract v1.1 §2: with no quiet standing the upright top between reps is the standing reference; after a
    // quiet start the reference stays the standing (the body with the reps left out), below which the tops lie.
    let topsBelowStanding = 0;
    for (const seed of SEEDS.slice(0, 6)) {
      const drawn = randomizedSetSpec(seed, 'touch-and-go');
      const midSet = model({ ...drawn, leadInS: 0.5 }, { ideal: true, calm: true });
      const quietStart = model({ ...drawn, leadInS: null }, { ideal: true, calm: true });
      const sensor = midSet.sensors.findIndex((s) => s.placement === 'sacrum');
      const position = new Float64Array(3);
      const height = (set: SquatSet, t: number): number => set.position(sensor, t, position)[2];
      const reps = midSet.truth.reps;
      for (let r = 1; r < reps.length; r++) {
        // The highest point between the two bottoms, and the lowest of the rep, on a 2 ms grid.
        let top = -Infinity;
        for (let t = reps[r - 1].t_bottom; t <= reps[r].t_bottom; t += 0.002) top = Math.max(top, height(midSet, t));
        let bottom = Infinity;
        for (let t = reps[r].t_start; t <= reps[r].t_end; t += 0.002) bottom = Math.min(bottom, height(midSet, t));
        expect(reps[r].depth_cm, `seed ${seed}, rep ${r + 1}`).toBeCloseTo((top - bottom) * 100, 0);
        // The same movement after a quiet start is measured from standing: never shallower than from the top.
        const fromStanding = quietStart.truth.reps.find((q) => Math.abs(q.t_bottom - quietStart.truth.reps[0].t_bottom - (reps[r].t_bottom - reps[0].t_bottom)) < 0.05);
        expect(fromStanding, `seed ${seed}, rep ${r + 1} after a quiet start`).toBeDefined();
        expect(fromStanding!.depth_cm).toBeGreaterThan(reps[r].depth_cm - 0.1);
        if (fromStanding!.depth_cm > reps[r].depth_cm + 1) topsBelowStanding++;
      }
    }
    // The simulator's touch-and-go tops do lie below standing, so the two references differ.
    expect(topsBelowStanding).toBeGreaterThan(0);
  });
});
