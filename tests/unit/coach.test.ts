import { describe, expect, it } from 'vitest';
import { correctivePlan, drillsFor } from '../../gateway/coach/plan.ts';
import { MUSCLE_IDS } from '../../gateway/coach/muscles.ts';
import { stoppingDepthAdvice } from '../../gateway/coach/stopping-depth.ts';
import { suggestedCutoffCm, suggestionBasis } from '../../shared/posture.ts';

describe('drillsFor', () => {
  it('follows docs/INTERFACES.md §4 for an anterior tilt', () => {
    const d = drillsFor('anterior');
    expect(d.strengthen.map((e) => e.muscle)).toEqual(['glute_medius', 'glute_maximus', 'abdominals', 'hamstrings']);
    expect(d.stretch.map((e) => e.muscle)).toEqual(['lower_back', 'hip_flexors']);
  });

  it('follows docs/INTERFACES.md §4 for a posterior tilt', () => {
    const d = drillsFor('posterior');
    expect(d.strengthen.map((e) => e.muscle)).toEqual(['lower_back', 'hip_flexors']);
    expect(d.stretch.map((e) => e.muscle)).toEqual(['hamstrings', 'glutes', 'abdominals']);
  });

  it('never strengthens the lower back of an anterior tilter nor stretches it for a posterior one', () => {
    expect(drillsFor('anterior').strengthen.some((e) => e.muscle === 'lower_back')).toBe(false);
    expect(drillsFor('posterior').stretch.some((e) => e.muscle === 'lower_back')).toBe(false);
  });

  it('gives every listed muscle at least one exercise with a valid id', () => {
    for (const tilt of ['anterior', 'posterior'] as const) {
      const d = drillsFor(tilt);
      for (const e of [...d.strengthen, ...d.stretch]) {
        expect(MUSCLE_IDS).toContain(e.muscle);
        expect(e.exercises.length).toBeGreaterThan(0);
      }
    }
    expect(drillsFor('neutral')).toEqual({ strengthen: [], stretch: [] });
  });

  it('builds a 5-minute warm-up from the strengthening list and a 10-breath cool-down from the stretches', () => {
    const plan = correctivePlan('posterior');
    expect(plan.warmUp.minutes).toBe(5);
    expect(plan.warmUp.steps.map((s) => s.exercise.name)).toEqual(drillsFor('posterior').strengthen.flatMap((e) => e.exercises));
    expect(plan.coolDown.breathsPerStretch).toBe(10);
    expect(plan.coolDown.steps.map((s) => s.exercise.name)).toEqual(drillsFor('posterior').stretch.flatMap((e) => e.exercises));
    expect(plan.sessionsPerWeek).toBeGreaterThanOrEqual(3);
    expect(plan.disclaimer).toMatch(/physical therapist/);
  });
});

describe('stoppingDepthAdvice', () => {
  it('says which reps the suggestion rests on and where their pelvis tucked under', () => {
    const basis = suggestionBasis([
      { rep: 1, onset_cm: 16 },
      { rep: 3, onset_cm: 32.4 },
      { rep: 4, onset_cm: 33.6 },
      { rep: 5, onset_cm: 33.1 },
      { rep: 6, onset_cm: 38.2 },
    ])!;
    // The odd rep 1 (16 cm) and the deep rep 6 are not what the suggestion rests on.
    expect(basis.reps).toEqual([3, 4, 5]);
    const cutoff = suggestedCutoffCm([16, 32.4, 33.6, 33.1, 38.2])!;
    const advice = stoppingDepthAdvice(cutoff, basis);
    expect(advice).toContain('at 32–34 cm in reps 3, 4 and 5');
    expect(advice).toContain(`Stop at ${cutoff} cm`);
  });

  it('cites the reps on both sides when the onset falls between two far-apart reps, never only a shallower one', () => {
    // Two winking reps, 33 and 47 cm: the 25th percentile interpolates to 36.5 cm, the stop to 34 cm.
    const onsets = [{ rep: 2, onset_cm: 33 }, { rep: 5, onset_cm: 47 }];
    const basis = suggestionBasis(onsets)!;
    expect(basis.reps).toEqual([2, 5]);
    const cutoff = suggestedCutoffCm(onsets.map((o) => o.onset_cm))!;
    expect(cutoff).toBe(34);
    const advice = stoppingDepthAdvice(cutoff, basis);
    expect(advice).toContain('at 33–47 cm in reps 2 and 5');
    expect(advice).toContain('Stop at 34 cm');
  });

  it('says what to do instead when the stopping depth would be too shallow to train a squat', () => {
    const basis = suggestionBasis([{ rep: 2, onset_cm: 14 }, { rep: 3, onset_cm: 15 }])!;
    const advice = stoppingDepthAdvice(suggestedCutoffCm([14, 15]), basis);
    expect(advice).toContain('reps 2 and 3');
    expect(advice).toMatch(/corrective plan/);
    expect(advice).toMatch(/box/);
    expect(advice).toMatch(/physical therapist/);
    expect(advice).not.toMatch(/Stop at/);
  });

  it('falls back to the number alone for a summary stored without a basis, or with a malformed one', () => {
    for (const basis of [undefined, null, { reps: 'x' }, { onset_cm: 30, onset_min_cm: 29, onset_max_cm: 31, reps: [] }]) {
      const advice = stoppingDepthAdvice(31, basis);
      expect(advice).toContain('below about 33 cm');
      expect(advice).toContain('Stop at 31 cm');
    }
    expect(stoppingDepthAdvice(null)).toMatch(/No butt wink/);
  });
});
