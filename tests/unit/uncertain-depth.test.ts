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
