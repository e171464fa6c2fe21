/**
 * A rep whose depth sensor lost a large share of its samples (a dropped link mid-rep) has a depth estimated
 * across a hole: its onset of butt wink must not move the lifter's suggested stopping depth.
 */
import { describe, expect, it } from 'vitest';
import { simulateRecording } from '../../gateway/sources/simulated-recording.ts';
import { profileByName } from '../../firmware-sim/model/index.ts';
import { analyzeSamples } from '../../gateway/sensing/analyze-samples.ts';
import type { RepEvent } from '../../gateway/sensing/events.ts';
import type { SensingSummary } from '../../gateway/sensing/events.ts';
import { suggestedCutoffCm } from '../../shared/posture.ts';
import { depthIsUncertain, UNCERTAIN_GAP_FRACTION } from '../../shared/rep.ts';

describe('reps with an uncertain depth', () => {
  it('are published, flagged by gap_fraction, and left out of the suggested stopping depth', () => {
    const sim = simulateRecording({ profile: profileByName('neutral-wink'), seed: 11, reps: 5, sensors: 'both', rateHz: 100 });
    const analyse = (samples: typeof sim.samples) => {
      const events = analyzeSamples([...sim.sensors], samples);
      return {
        reps: events.filter((e): e is RepEvent => e.type === 'rep'),
        summary: events.find((e): e is SensingSummary => e.type === 'session')!,
      };
    };
    const whole = analyse(sim.samples);
    expect(whole.reps).toHaveLength(5);
    expect(whole.reps.every((r) => r.butt_wink && r.wink_onset_depth_cm !== null && !depthIsUncertain(r.gap_fraction))).toBe(true);
    // The rep whose wink starts highest decides the suggestion; both sensors lose the radio from just after
    // its bottom until it stands again.
    const decisive = whole.reps.reduce((a, b) => (b.wink_onset_depth_cm! < a.wink_onset_depth_cm! ? b : a));
    const holeFrom = decisive.t_bottom + 0.05;
    const holeTo = decisive.t_end + 0.2;
    const holed = analyse(sim.samples.filter((s) => s.t < holeFrom || s.t >= holeTo));

    expect(holed.reps).toHaveLength(5);
    const hit = holed.reps.find((r) => r.t_start < holeTo && r.t_end > holeFrom)!;
    expect(hit.gap_fraction).toBeGreaterThan(UNCERTAIN_GAP_FRACTION);
    const others = holed.reps.filter((r) => r !== hit);
    expect(others.every((r) => !depthIsUncertain(r.gap_fraction))).toBe(true);
    // The suggestion comes from the measured reps only — the same as if the holed rep had not been there.
    expect(holed.summary.suggested_cutoff_cm).toBe(suggestedCutoffCm(others.flatMap((r) => (r.butt_wink && r.wink_onset_depth_cm !== null ? [r.wink_onset_depth_cm] : []))));
    // …and it matters here: the holed rep still winks, from a shallower (estimated) depth, which alone would
    // have given a shallower suggestion.
    expect(hit.butt_wink).toBe(true);
    expect(holed.summary.suggested_cutoff_cm).toBeGreaterThan(suggestedCutoffCm([hit.wink_onset_depth_cm!])!);
  });
});

describe('a link that drops in the middle of a rep', () => {
  // Both sensors lose the radio from 60 % of the way down a rep (5 % burst loss besides), as a lifter walking
  // out of range or a clip knocked at the bottom would.
  const simulateDrop = (seed: number, durationS: number) => {
    const base = { profile: profileByName('neutral-wink'), seed, reps: 6, sensors: 'both' as const, rateHz: 100 as const };
    const truth = simulateRecording({ ...base, link: { lossRate: 0.05 } }).truth.reps;
    const hit = 3;
    const start = truth[hit].t_start + 0.6 * (truth[hit].t_bottom - truth[hit].t_start);
    const sim = simulateRecording({ ...base, link: { lossRate: 0.05, outages: [{ start, duration: durationS }] } });
    const reps = analyzeSamples([...sim.sensors], sim.samples).filter((e): e is RepEvent => e.type === 'rep');
    // Session time − true time, from the first rep (before the drop).
    const offset = reps[0].t_bottom - truth[0].t_bottom;
    const matches = (k: number) => reps.filter((r) => r.t_bottom - offset > truth[k].t_start && r.t_bottom - offset < truth[k].t_end);
    return { truth, hit, reps, matches };
  };

  it('across the bottom (0.8 s): the rep is flagged, its depth plausible, and every other rep found once', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { truth, hit, reps, matches } = simulateDrop(seed, 0.8);
      const inProgress = matches(hit);
      expect(inProgress.length, `seed ${seed}`).toBeLessThanOrEqual(1);
      for (const r of inProgress) {
        expect(depthIsUncertain(r.gap_fraction), `seed ${seed}`).toBe(true);
        // The orientation restarts from the accelerometer after the hole: bridged with the gyroscope, the tilt
        // forward and back in it was lost and this rep read 60–127 cm.
        expect(r.depth_cm, `seed ${seed}`).toBeLessThan(truth[hit].depth_cm + 15);
      }
      truth.forEach((_, k) => {
        if (k !== hit) expect(matches(k), `seed ${seed}, rep ${k + 1}`).toHaveLength(1);
      });
      expect(reps.filter((r) => !truth.some((_, k) => matches(k).includes(r))), `seed ${seed}`).toEqual([]);
    }
  });

  it('until the lifter is nearly up (1.5 s): the rep, when published, is flagged, and the reps after it are found', () => {
    let published = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { truth, hit, matches } = simulateDrop(seed, 1.5);
      for (const r of matches(hit)) {
        published++;
        // Its samples begin after the hole: the hole before its first sample counts in its gap_fraction.
        expect(depthIsUncertain(r.gap_fraction), `seed ${seed}`).toBe(true);
      }
      // The live depth came out of the hole 1–3 m deep: the rest after it was taken for a pause at the bottom and
      // the window ran on into the next rep, unless the pelvis (back upright) says it is the top.
      truth.forEach((_, k) => {
        if (k !== hit) expect(matches(k), `seed ${seed}, rep ${k + 1}`).toHaveLength(1);
      });
    }
    expect(published).toBeGreaterThan(0);
  });
});
