import { describe, expect, it } from 'vitest';
import { mergedRepsTop } from '../../gateway/sensing/merged-reps.ts';
import { randomizedSetSpec } from '../../firmware-sim/randomized-sets.ts';
import { scoreRandomizedSet } from '../../scripts/accuracy/randomized-evaluation.ts';

/** A refined depth profile sampled at 100 Hz from a function of time, and its deepest index. */
function profile(seconds: number, depthAt: (t: number) => number): { depth: Float64Array; bottom: number } {
  const depth = Float64Array.from({ length: Math.round(seconds * 100) + 1 }, (_, k) => depthAt(k / 100));
  let bottom = 0;
  depth.forEach((d, k) => {
    if (d > depth[bottom]) bottom = k;
  });
  return { depth, bottom };
}

/** One rep of depth D over [t0, t0 + T]: down and back up (a raised cosine). */
const rep = (t: number, t0: number, T: number, D: number): number => (t < t0 || t > t0 + T ? 0 : (D / 2) * (1 - Math.cos((2 * Math.PI * (t - t0)) / T)));

describe('mergedRepsTop', () => {
  it('finds the top between two touch-and-go reps merged into one window, whichever is deeper', () => {
    for (const [d1, d2] of [[52, 57], [57, 52], [30, 45]]) {
      // Two 4 s reps whose top at 4.5 s lies 2 cm below the window's reference.
      const { depth, bottom } = profile(9, (t) => rep(t, 0.5, 4, d1) + rep(t, 4.5, 4, d2) + (t > 4 && t < 5 ? 2 * Math.cos((Math.PI * (t - 4.5)) / 1) : 0));
      const top = mergedRepsTop(depth, depth.length, bottom, 10);
      expect(top, `${d1} then ${d2} cm`).not.toBeNull();
      expect(Math.abs(top! / 100 - 4.5)).toBeLessThan(0.15);
    }
  });

  it('keeps one rep: a pause at the bottom, a bounce there, a wobble beside it, or two dips with no top between', () => {
    const cases: [string, (t: number) => number][] = [
      ['paused at the bottom', (t) => (t < 2.5 ? rep(t, 0.5, 4, 40) : t < 4.5 ? 40 : rep(t - 2, 0.5, 4, 40))],
      ['bounced 12 cm at the bottom', (t) => rep(t, 0.5, 6, 40) - (t > 3 && t < 4 ? 12 * Math.sin(Math.PI * (t - 3)) : 0)],
      ['a 10 cm wobble beside a 36 cm rep', (t) => rep(t, 0.5, 3, 36) + rep(t, 3.5, 1.5, 10)],
      ['back up only to 15 cm between two 40 cm dips', (t) => Math.max(rep(t, 0.5, 4, 40), rep(t, 3.5, 4, 40), t > 2.5 && t < 5.5 ? 15 : 0)],
    ];
    for (const [name, depthAt] of cases) {
      const { depth, bottom } = profile(9, depthAt);
      expect(mergedRepsTop(depth, depth.length, bottom, 10), name).toBeNull();
    }
  });

  it('gives a recording that starts in the sway its first two reps, though their top came before any anchor', () => {
    // Tuning seed 2 070 384 (mixed): the recording starts 0.6 s before rep 1, in 7 °/s of sway with no rest;
    // reps 1 and 2 (57 and 49 cm) are touch-and-go, then the lifter rests. With no anchor yet the top between
    // them was missed, and the two came out as one rep.
    const { score } = scoreRandomizedSet(randomizedSetSpec(2_070_384, 'mixed'));
    const found = new Set(score!.matches.map((m) => m.truth.index));
    expect(found.has(1) && found.has(2)).toBe(true);
    expect(score!.falseReps).toHaveLength(0);
  });
});
