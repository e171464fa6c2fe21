import { describe, expect, it } from 'vitest';
import { dropShortRests, heightsBetweenRests, integrateBetweenRests, LiveVerticalKinematics, refinedHeights } from '../../gateway/sensing/vertical-kinematics.ts';

/** A squat-like vertical path: raised-cosine drop of `depth` m over `T` s, sampled at `rate`. */
function squatPath(depth: number, T: number, rate: number) {
  const n = Math.round(T * rate) + 1;
  const t = new Float64Array(n);
  const z = new Float64Array(n);
  const a = new Float64Array(n);
  const w = (2 * Math.PI) / T;
  for (let i = 0; i < n; i++) {
    t[i] = i / rate;
    z[i] = (-depth * (1 - Math.cos(w * t[i]))) / 2;
    a[i] = (-depth * w * w * Math.cos(w * t[i])) / 2;
  }
  return { t, z, a, n };
}

/** Minimum-jerk descent and ascent: acceleration starts and ends at zero, as a real squat's does. */
function smoothSquatPath(depth: number, T: number, rate: number) {
  const n = Math.round(T * rate) + 1;
  const z = new Float64Array(n);
  const a = new Float64Array(n);
  const half = T / 2;
  for (let i = 0; i < n; i++) {
    const ti = i / rate;
    const s = ti < half ? ti / half : 2 - ti / half; // 0 → 1 → 0
    z[i] = -depth * (10 * s ** 3 - 15 * s ** 4 + 6 * s ** 5);
    a[i] = (-depth * (60 * s - 180 * s ** 2 + 120 * s ** 3)) / (half * half);
  }
  return { z, a, n };
}

describe('refinedHeights', () => {
  it('recovers the path exactly from a bias-free acceleration', () => {
    const { t, z, a, n } = squatPath(0.45, 3, 200);
    const out = new Float64Array(n);
    refinedHeights(t, a, new Float64Array(n), n, out);
    for (let i = 0; i < n; i++) expect(out[i]).toBeCloseTo(z[i], 3);
  });

  it('removes a constant and a linearly drifting accelerometer bias', () => {
    const { t, z, a, n } = squatPath(0.4, 3.5, 100);
    const biased = a.map((ai, i) => ai + 0.15 - 0.04 * t[i]);
    const out = new Float64Array(n);
    refinedHeights(t, biased, new Float64Array(n), n, out);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(out[i] - z[i]));
    expect(worst).toBeLessThan(0.002);
    // Without the correction the same bias would be off by decimetres.
    expect(0.5 * 0.15 * 3.5 * 3.5).toBeGreaterThan(0.9);
  });
});

describe('refinedHeights across lost packets', () => {
  it('recovers the depth when a 0.4 s burst of samples is missing mid-ascent', () => {
    const { t, z, a, n } = squatPath(0.5, 3, 100);
    const keep = [...Array(n).keys()].filter((i) => i < 200 || i >= 240);
    const tk = keep.map((i) => t[i]);
    const ak = keep.map((i) => a[i] + 0.05);
    const out = new Float64Array(keep.length);
    refinedHeights(tk, ak, new Float64Array(keep.length), keep.length, out);
    let worst = 0;
    keep.forEach((i, k) => (worst = Math.max(worst, Math.abs(out[k] - z[i]))));
    expect(Math.min(...out)).toBeCloseTo(-0.5, 1);
    expect(worst).toBeLessThan(0.03);
  });
});

describe('integrateBetweenRests across a short burst of lost packets', () => {
  it('takes a constant bias for a bias, not for a jump inside a 0.16 s gap near the end', () => {
    // A touch-and-go cycle, top to top (velocity zero at both), its live bias 0.13 m/s² off, 0.16 s of samples
    // lost 0.1 s before the next top. The trapezoid across the gap misses only millimetres per second there.
    const { t, z, a, n } = squatPath(0.43, 3.8, 400);
    const gapEnd = n - 1 - 40;
    const keep = [...Array(n).keys()].filter((i) => i <= gapEnd - 64 || i >= gapEnd);
    const tk = keep.map((i) => t[i]);
    const ak = keep.map((i) => a[i] - 0.13);
    const out = new Float64Array(keep.length);
    const end = integrateBetweenRests(tk, ak, 0, keep.length - 1, 0, out);
    // Back at the top within 3 cm (the bias prior keeps 2 % of the bias): with a jump σ of 3 m/s² per second of
    // gap the jump took 86 % of the velocity error and the top came out 75 cm down.
    expect(Math.abs(end - z[n - 1])).toBeLessThan(0.03);
    expect(Math.min(...out)).toBeCloseTo(-0.43, 1);
  });
});

describe('refinedHeights across a dropped link (a hole longer than BRIDGE_GAP_S)', () => {
  /**
   * The 46 cm squat of 3 s at 100 Hz with the samples in [from, to) missing, and `errorAfter` m/s² added to the
   * acceleration after the hole: the deepest point found, cm.
   */
  function depthWithHole(from: number, to: number, errorAfter = 0): { depthCm: number; bridged: boolean } {
    const { t, a, n } = squatPath(0.46, 3, 100);
    const keep = [...Array(n).keys()].filter((i) => t[i] < from || t[i] >= to);
    const out = new Float64Array(keep.length);
    const acc = keep.map((i) => a[i] + (t[i] >= to ? errorAfter : 0));
    const bridge = refinedHeights(keep.map((i) => t[i]), acc, new Float64Array(keep.length), keep.length, out);
    return { depthCm: -Math.min(...out, bridge?.lowestM ?? 0) * 100, bridged: bridge !== null };
  }

  it('finds the bottom inside a hole that covers it, from both sides of the hole', () => {
    const { depthCm, bridged } = depthWithHole(1.2, 1.8);
    expect(bridged).toBe(true);
    expect(depthCm).toBeCloseTo(46, 0); // integrated through, the hole gave 42.8 cm
  });

  it('keeps a rep whose link dropped until it stood up within reach of its depth', () => {
    expect(depthWithHole(0.9, 2.95).depthCm).toBeGreaterThan(46 - 8); // integrated through: 7.7 cm
  });

  it('never sends the lifter deeper than the path allows when most of the movement is missing', () => {
    const { depthCm } = depthWithHole(0.3, 2.7);
    expect(depthCm).toBeGreaterThan(0);
    expect(depthCm).toBeLessThan(46); // integrated through: 155 cm
  });

  it('does not bridge from a side that reaches the hole faster than a squat goes (an integrated error)', () => {
    // 1.7 m/s² wrong after the hole, integrated back over 2 s: the side would arrive at over 3 m/s.
    expect(depthWithHole(0.3, 0.9, 1.7).bridged).toBe(false);
    expect(depthWithHole(0.3, 0.9).bridged).toBe(true);
  });

  it('leaves a short burst of lost packets to the correction (no bridge)', () => {
    expect(depthWithHole(2.0, 2.4).bridged).toBe(false);
  });
});

describe('LiveVerticalKinematics', () => {
  it('learns the bias from the movement itself when the lifter never rests', () => {
    const rate = 100;
    const kin = new LiveVerticalKinematics();
    const bias = -0.6;
    // 40 s of back-to-back 2.5 s squats of 40 cm: never still.
    let worstLate = 0;
    for (let i = 1; i < 40 * rate; i++) {
      const t = i / rate;
      const w = (2 * Math.PI) / 2.5;
      const acc = 0.2 * w * w * Math.cos(w * t); // z = −0.2 (1 − cos ωt): 0 at the tops, −0.4 m at the bottoms
      kin.update(1 / rate, acc + bias, false);
      if (t > 25) worstLate = Math.max(worstLate, Math.abs(kin.verticalBias - bias));
    }
    // Without the motion's mean the bias would stay at its first guess (the first sample), 0.8 m/s² off.
    expect(worstLate).toBeLessThan(0.1);
  });

  it('keeps a first sample inside a movement out of the running mean (a recording that starts mid-rep)', () => {
    const rate = 100;
    const { a } = squatPath(0.4, 2.5, rate);
    const kin = new LiveVerticalKinematics();
    // From the middle of the descent (0.8 m/s² of downward acceleration at the first sample), never still.
    const first = Math.round(0.4 * rate);
    expect(a[first]).toBeLessThan(-0.5);
    for (let i = first; i < first + 0.5 * rate; i++) kin.update(i === first ? 0 : 1 / rate, a[i], false);
    // The running mean (what the leaky velocity of the face evidence subtracts) starts from no acceleration, not
    // from the lifter's at the first sample: 0.5 s later it has moved by an eighth of the acceleration since.
    expect(Math.abs(kin.motionMeanAcc)).toBeLessThan(0.1);
    // The live bias is the first sample's (for a standing start that is the bias; a rest replaces it).
    expect(kin.verticalBias).toBe(a[first]);
  });

  it('keeps the bias of earlier rests through a short rest in which the hips bob (whatever the phase)', () => {
    const rate = 200;
    const bias = 0.05;
    let worst = 0;
    for (let phase = 0; phase < 2 * Math.PI; phase += Math.PI / 8) {
      const kin = new LiveVerticalKinematics();
      for (let i = 0; i < 3 * rate; i++) kin.update(1 / rate, bias, true); // a quiet first rest
      for (let i = 0; i < rate; i++) kin.update(1 / rate, bias, false); // a rep (no net acceleration)
      // A restless lifter's short rest: the hips bob 3 mm at 0.8 Hz, 0.076 m/s² of vertical acceleration.
      const w = 2 * Math.PI * 0.8;
      for (let i = 0; i < 0.5 * rate; i++) kin.update(1 / rate, bias + 0.003 * w * w * Math.sin(phase + (w * i) / rate), true);
      worst = Math.max(worst, Math.abs(kin.verticalBias - bias));
    }
    // A 0.3 s exponential mean kept up to 0.06 m/s² of the bob's phase: 4 cm of live depth 1.2 s into a descent;
    // a running mean weighing the earlier rests as 1 s of it, 0.023 m/s²; the 2 s exponential mean, 0.015.
    expect(worst).toBeLessThan(0.02);
  });

  it('learns the vertical bias while still and integrates the movement causally', () => {
    const rate = 200;
    const kin = new LiveVerticalKinematics();
    const bias = 0.12;
    for (let i = 0; i < 2 * rate; i++) kin.update(1 / rate, bias, true);
    expect(kin.verticalBias).toBeCloseTo(bias, 3);
    const { z, a, n } = smoothSquatPath(0.5, 3, rate);
    let worst = 0;
    for (let i = 1; i < n; i++) {
      const h = kin.update(1 / rate, a[i] + bias, false);
      worst = Math.max(worst, Math.abs(h - z[i]));
    }
    expect(worst).toBeLessThan(0.005);
  });

  it('takes a false rest early in a slow descent for movement (velocity kept, nothing taught to the bias)', () => {
    const rate = 50;
    // A slow squat: 30 cm down in 4 s (8 s for the whole rep), after 1 s of standing.
    const { z, a } = smoothSquatPath(0.3, 8, rate);
    const descentEnd = 4 * rate;
    const run = (falseRest: boolean): number => {
      const kin = new LiveVerticalKinematics();
      for (let i = 0; i < rate; i++) kin.update(1 / rate, 0, true);
      let h = 0;
      // 0.48 s into the descent (moving at 2.5 cm/s) the stillness flag calls two samples rest.
      for (let i = 1; i <= descentEnd; i++) h = kin.update(1 / rate, a[i], falseRest && (i === 24 || i === 25));
      return h - z[descentEnd];
    };
    expect(Math.abs(run(false))).toBeLessThan(0.005);
    // The rest zeroed 2.5 cm/s: about 6 cm short after the remaining 3.5 s, unless it is taken back.
    expect(Math.abs(run(true))).toBeLessThan(0.01);
  });

  it("recovers a start hidden under the rest flag for as long as its look-back, which the caller may lengthen mid-rest", () => {
    const rate = 100;
    const { z, a } = smoothSquatPath(0.4, 4, rate);
    const descentEnd = 2 * rate;
    const hidden = 0.35 * rate; // the descent's first 0.35 s still flagged as rest (a noisy sensor's thresholds)
    const run = (lookbackS: number): number => {
      const kin = new LiveVerticalKinematics();
      kin.setLookback(0.2);
      for (let i = 0; i < rate; i++) kin.update(1 / rate, 0, true);
      kin.setLookback(lookbackS); // the noise floor learned during the rest: a longer look-back from here on
      let h = 0;
      for (let i = 1; i <= descentEnd; i++) h = kin.update(1 / rate, a[i], i <= hidden);
      return h - z[descentEnd];
    };
    expect(Math.abs(run(0.4))).toBeLessThan(0.005);
    // A look-back shorter than the hidden start loses it (and learns its acceleration as bias): centimetres off.
    expect(Math.abs(run(0.2))).toBeGreaterThan(0.02);
  });

  it('holds velocity at zero while still, so a pause at the bottom stops the drift', () => {
    const kin = new LiveVerticalKinematics();
    kin.update(0.01, 0, true);
    for (let i = 0; i < 100; i++) kin.update(0.01, -1, false); // 1 s of 1 m/s² downward
    const atPause = kin.update(0.01, 0, true);
    for (let i = 0; i < 200; i++) kin.update(0.01, 0, true);
    expect(kin.update(0.01, 0, true)).toBeCloseTo(atPause, 9);
    expect(kin.verticalVelocity).toBe(0);
  });
});

describe('LiveVerticalKinematics across a gap inside a rest', () => {
  /** 1 s of rest at 100 Hz, then a 0.2 s gap whose first sample after reads `edgeAcc`; returns the feeder. */
  function restThenGap(edgeAcc: number, held: boolean) {
    const k = new LiveVerticalKinematics();
    for (let i = 0; i < 100; i++) k.update(0.01, 0, true);
    k.update(0.2, edgeAcc, false, held);
    return k;
  }

  it('holds the velocity at zero across the gap while the samples after it are quiet, so its edge sample drifts nothing', () => {
    const held = restThenGap(0.5, true);
    const bridged = restThenGap(0.5, false);
    for (let i = 0; i < 39; i++) {
      held.update(0.01, 0, false, true);
      bridged.update(0.01, 0, false, false);
    }
    held.update(0.01, 0, true); // the rest resumes: the gap was part of it
    bridged.update(0.01, 0, true);
    expect(held.heightM).toBe(0);
    expect(held.verticalVelocity).toBe(0);
    // Integrated across the gap, the trapezoid with the noisy edge sample (0.5 m/s² × 0.1 s) moved the depth by cm.
    expect(Math.abs(bridged.heightM)).toBeGreaterThan(0.015);
  });

  it('integrates from the rest before the gap when movement shows first (it may have begun inside the gap)', () => {
    const held = restThenGap(-0.4, true);
    const plain = restThenGap(-0.4, false);
    for (let i = 0; i < 5; i++) {
      held.update(0.01, -0.4, false, true);
      plain.update(0.01, -0.4, false, false);
    }
    for (let i = 0; i < 30; i++) {
      held.update(0.01, -0.6, false, false);
      plain.update(0.01, -0.6, false, false);
    }
    expect(held.heightM).toBeLessThan(-0.02);
    expect(held.heightM).toBeCloseTo(plain.heightM, 9);
    expect(held.verticalVelocity).toBeCloseTo(plain.verticalVelocity, 9);
  });
});

describe('dropShortRests', () => {
  it('clears still runs inside the window shorter than the minimum, and keeps the long ones and both ends', () => {
    const t = Array.from({ length: 20 }, (_, i) => i * 0.1);
    //                            ends ↓                       short (0.2 s) ↓        long (0.6 s) ↓             ↓ end
    const still = Float64Array.from([1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1]);
    dropShortRests(t, still, 20, 0.5);
    expect([...still]).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1]);
  });
});

describe('heightsBetweenRests', () => {
  it('chains the movements between rests and says where the lifter ended up, without closing the height', () => {
    // A 60 cm minimum-jerk descent, 1 s still at the bottom, the ascent: back at the start.
    const path = smoothSquatPath(0.6, 3, 100);
    const half = (path.n - 1) / 2;
    const t: number[] = [];
    const a: number[] = [];
    const still: number[] = [];
    const bias = 0.03;
    for (let i = 0; i <= half; i++) [t[i], a[i], still[i]] = [i / 100, path.a[i] + bias, i === 0 ? 1 : 0];
    const t0 = t[half];
    for (let k = 1; k <= 100; k++) [t[half + k], a[half + k], still[half + k]] = [t0 + k / 100, bias, 1];
    const t1 = t[half + 100];
    for (let i = 1; i <= half; i++) [t[half + 100 + i], a[half + 100 + i], still[half + 100 + i]] = [t1 + i / 100, path.a[half + i] + bias, 0];
    const n = t.length;
    still[n - 1] = 1;
    const out = new Float64Array(n);
    const end = heightsBetweenRests(t, a, still, n, out);
    expect(Math.min(...out)).toBeCloseTo(-0.6, 2);
    expect(Math.abs(end)).toBeLessThan(0.005);
    // Stopped at the bottom instead (the window ends there): it says so.
    const downOnly = heightsBetweenRests(t.slice(0, half + 50), a.slice(0, half + 50), [...still.slice(0, half + 49), 1], half + 50, out);
    expect(downOnly).toBeCloseTo(-0.6, 2);
  });
});
