import { describe, expect, it } from 'vitest';
import {
  ATHLETE_PROFILES,
  STANDING_REFERENCE_WINDOW_S,
  buildSquatSet,
  profileFromSeed,
} from '../../firmware-sim/model/index.ts';
import type { SquatSet } from '../../firmware-sim/model/index.ts';
import { DEFAULT_TILT_THRESHOLDS, winkOnsetCm } from '../../shared/posture.ts';

const STEP = 0.001;

/** The docs/INTERFACES.md §2 definitions, re-implemented from the model's public pose accessors. */
function recomputeRep(set: SquatSet, tStart: number, tEnd: number) {
  const sacrum = set.sensors.findIndex((s) => s.placement === 'sacrum');
  const tl = set.sensors.findIndex((s) => s.placement === 'thoracolumbar');
  const p = new Float64Array(3);
  const q = new Float64Array(4);
  const thetaOf = (i: number, t: number): number => {
    set.pose(i, t, q);
    // n = R·ẑ; its earth z component is 1 − 2(qx² + qy²).
    return (Math.asin(1 - 2 * (q[1] * q[1] + q[2] * q[2])) * 180) / Math.PI;
  };
  const refSteps = Math.round(STANDING_REFERENCE_WINDOW_S / STEP);
  let refZ = 0;
  let refS = 0;
  let refT = 0;
  for (let k = 0; k <= refSteps; k++) {
    const t = tStart - STANDING_REFERENCE_WINDOW_S + k * STEP;
    refZ += set.position(sacrum, t, p)[2] / (refSteps + 1);
    refS += thetaOf(sacrum, t) / (refSteps + 1);
    if (tl >= 0) refT += thetaOf(tl, t) / (refSteps + 1);
  }
  const n = Math.round((tEnd - tStart) / STEP) + 1;
  const depth: number[] = [];
  const pelvis: number[] = [];
  let flexion = -Infinity;
  for (let k = 0; k < n; k++) {
    const t = tStart + k * STEP;
    depth.push((refZ - set.position(sacrum, t, p)[2]) * 100);
    pelvis.push(thetaOf(sacrum, t) - refS);
    if (tl >= 0) flexion = Math.max(flexion, thetaOf(tl, t) - refT - pelvis[k]);
  }
  const depthCm = Math.max(...depth);
  const bottom = depth.map((d, k) => (d >= 0.95 * depthCm ? k : -1)).filter((k) => k >= 0);
  const bottomEnd = bottom[bottom.length - 1];
  let peak = 0;
  for (let k = 0; k <= bottomEnd; k++) if (pelvis[k] > pelvis[peak]) peak = k;
  const wink = pelvis[peak] - Math.min(...pelvis.slice(peak, bottomEnd + 1));
  return { depthCm, wink, peakDepth: depth[peak], flexion: tl >= 0 ? flexion : null, bottomEnd, bottomStart: bottom[0] };
}

describe('simulator ground truth', () => {
  for (const sensors of ['both', 'sacrum'] as const) {
    it(`follows the operational definitions (${sensors})`, () => {
      const set = buildSquatSet({ profile: ATHLETE_PROFILES['neutral-wink'], seed: 21, reps: 3, sensors, repDepthsCm: [Number.NaN, 22] });
      const truth = set.truth;
      expect(truth.reps).toHaveLength(3);
      for (const rep of truth.reps) {
        const r = recomputeRep(set, rep.t_start, rep.t_end);
        expect(rep.depth_cm).toBeCloseTo(r.depthCm, 6);
        expect(rep.wink_deg).toBeCloseTo(r.wink, 6);
        expect(rep.bottom_phase_end).toBeCloseTo(rep.t_start + r.bottomEnd * STEP, 6);
        expect(rep.bottom_phase_start).toBeCloseTo(rep.t_start + r.bottomStart * STEP, 6);
        expect(rep.butt_wink).toBe(r.wink >= 10);
        if (rep.butt_wink) expect(rep.wink_onset_depth_cm).toBeCloseTo(r.peakDepth, 6);
        else expect(rep.wink_onset_depth_cm).toBeNull();
        if (sensors === 'both') expect(rep.lumbar_flexion_max_deg).toBeCloseTo(r.flexion!, 6);
        else expect(rep.lumbar_flexion_max_deg).toBeNull();
        expect(rep.t_start).toBeLessThan(rep.t_bottom);
        expect(rep.t_bottom).toBeLessThan(rep.t_end);
      }
      // The scripted half rep is shallow and does not reach this athlete's wink.
      expect(truth.reps[1].depth_cm).toBeGreaterThan(20);
      expect(truth.reps[1].depth_cm).toBeLessThan(24);
      expect(truth.reps[1].butt_wink).toBe(false);
      expect(truth.reps[0].butt_wink).toBe(true);
      const onsets = truth.reps.filter((r) => r.butt_wink).map((r) => r.wink_onset_depth_cm!);
      // Contract v1.1: at or above the 25th percentile of the onsets, by at most 5 cm.
      const onset = winkOnsetCm(onsets)!;
      expect(truth.suggested_cutoff_cm).not.toBeNull();
      expect(truth.suggested_cutoff_cm!).toBeLessThanOrEqual(onset);
      expect(truth.suggested_cutoff_cm!).toBeGreaterThanOrEqual(onset - 5);
      if (sensors === 'both') expect(truth.standing_lordosis_deg).not.toBeNull();
      else expect(truth.standing_lordosis_deg).toBeNull();
      expect(JSON.parse(JSON.stringify(truth))).toEqual(truth);
    });
  }

  it('classifies standing tilt by the default thresholds, lordosis first', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      for (const sensors of ['both', 'sacrum'] as const) {
        const t = buildSquatSet({ profile: profileFromSeed(seed), seed, reps: 0, sensors }).truth;
        const th = DEFAULT_TILT_THRESHOLDS;
        const expected =
          t.standing_lordosis_deg !== null
            ? t.standing_lordosis_deg < th.lordosisPosteriorBelowDeg
              ? 'posterior'
              : t.standing_lordosis_deg > th.lordosisAnteriorAboveDeg
                ? 'anterior'
                : 'neutral'
            : t.sacral_inclination_deg < th.sacralPosteriorBelowDeg
              ? 'posterior'
              : t.sacral_inclination_deg > th.sacralAnteriorAboveDeg
                ? 'anterior'
                : 'neutral';
        expect(t.pelvic_tilt).toBe(expected);
      }
    }
  });

  it('the named profiles produce their intended tilt class and wink pattern', () => {
    const intended: Record<string, { tilt: string; wink: boolean }> = {
      neutral: { tilt: 'neutral', wink: false },
      'neutral-wink': { tilt: 'neutral', wink: true },
      anterior: { tilt: 'anterior', wink: false },
      'anterior-wink': { tilt: 'anterior', wink: true },
      posterior: { tilt: 'posterior', wink: true },
      'deep-no-wink': { tilt: 'neutral', wink: false },
      shallow: { tilt: 'neutral', wink: false },
      paused: { tilt: 'neutral', wink: false },
    };
    expect(Object.keys(ATHLETE_PROFILES).sort()).toEqual(Object.keys(intended).sort());
    for (const [name, want] of Object.entries(intended)) {
      for (const sensors of ['both', 'sacrum'] as const) {
        for (const seed of sensors === 'both' ? [1, 2] : [3]) {
          const t = buildSquatSet({ profile: ATHLETE_PROFILES[name], seed, reps: 3, sensors }).truth;
          expect(t.pelvic_tilt, `${name} ${sensors}`).toBe(want.tilt);
          expect(t.reps.map((r) => r.butt_wink), `${name} ${sensors}`).toEqual([want.wink, want.wink, want.wink]);
          expect(t.suggested_cutoff_cm === null).toBe(!want.wink);
        }
      }
    }
    const paused = buildSquatSet({ profile: ATHLETE_PROFILES.paused, seed: 1, reps: 2, sensors: 'both' }).truth;
    for (const r of paused.reps) expect(r.bottom_phase_end - r.bottom_phase_start).toBeGreaterThan(1);
    const deep = buildSquatSet({ profile: ATHLETE_PROFILES['deep-no-wink'], seed: 1, reps: 2, sensors: 'both' }).truth;
    const shallow = buildSquatSet({ profile: ATHLETE_PROFILES.shallow, seed: 1, reps: 2, sensors: 'both' }).truth;
    expect(Math.min(...deep.reps.map((r) => r.depth_cm))).toBeGreaterThan(50);
    expect(Math.max(...shallow.reps.map((r) => r.depth_cm))).toBeLessThan(30);
  });

  it('random athletes cover all postures, winkers and non-winkers, and 25–55 cm depths', () => {
    const tilts = new Set<string>();
    let winkers = 0;
    let nonWinkers = 0;
    let paused = 0;
    const depths: number[] = [];
    for (let seed = 100; seed < 148; seed++) {
      const profile = profileFromSeed(seed);
      expect(profileFromSeed(seed)).toEqual(profile);
      if (profile.pauseS > 0) paused++;
      const t = buildSquatSet({ profile, seed, reps: 1, sensors: 'both', walkout: false }).truth;
      tilts.add(t.pelvic_tilt);
      if (t.reps[0].butt_wink) winkers++;
      else nonWinkers++;
      depths.push(t.reps[0].depth_cm);
      expect(t.reps[0].lumbar_flexion_max_deg!).toBeGreaterThan(0);
      expect(t.reps[0].lumbar_flexion_max_deg!).toBeLessThan(60);
    }
    expect([...tilts].sort()).toEqual(['anterior', 'neutral', 'posterior']);
    expect(winkers).toBeGreaterThan(10);
    expect(nonWinkers).toBeGreaterThan(10);
    expect(paused).toBeGreaterThan(5);
    expect(Math.min(...depths)).toBeGreaterThan(20);
    expect(Math.min(...depths)).toBeLessThan(32);
    expect(Math.max(...depths)).toBeGreaterThan(48);
    expect(Math.max(...depths)).toBeLessThan(60);
  });

  it('lists walk-out, fidgets and re-rack apart from the reps, never overlapping them', () => {
    const set = buildSquatSet({ profile: { ...ATHLETE_PROFILES.neutral, fidgetProbability: 1, restS: [3, 4] }, seed: 9, reps: 4, sensors: 'both' });
    const t = set.truth;
    const kinds = t.movements.map((m) => m.kind);
    expect(kinds[0]).toBe('walkout');
    expect(kinds[kinds.length - 1]).toBe('rerack');
    expect(kinds.filter((k) => k === 'fidget').length).toBe(3);
    for (const m of t.movements) {
      for (const r of t.reps) {
        expect(m.t_end <= r.t_start - STANDING_REFERENCE_WINDOW_S || m.t_start >= r.t_end).toBe(true);
      }
    }
    expect(t.reps[0].t_start).toBeGreaterThan(t.movements[0].t_end + 2);
    expect(t.movements[0].t_start).toBeGreaterThanOrEqual(3);
    expect(t.duration - t.movements[t.movements.length - 1].t_end).toBeGreaterThanOrEqual(2);
  });
});
