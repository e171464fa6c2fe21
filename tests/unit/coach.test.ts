import { describe, expect, it } from 'vitest';
import { correctivePlan, drillsFor } from '../../gateway/coach/plan.ts';
import { MUSCLE_IDS } from '../../gateway/coach/muscles.ts';

describe('drillsFor', () => {
  it('follows INTERFACES.md §4 for an anterior tilt', () => {
    const d = drillsFor('anterior');
    expect(d.strengthen.map((e) => e.muscle)).toEqual(['glute_medius', 'glute_maximus', 'abdominals', 'hamstrings']);
    expect(d.stretch.map((e) => e.muscle)).toEqual(['lower_back', 'hip_flexors']);
  });

  it('follows INTERFACES.md §4 for a posterior tilt', () => {
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
