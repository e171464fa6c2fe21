import { describe, expect, it } from 'vitest';
import { computeRepMetrics } from '../../gateway/sensing/rep-metrics.ts';

/** A rep sampled at 100 Hz: depth is a raised cosine to `depth` cm; the pelvis tilts forward with depth and,
 *  below `onset` cm, tilts back by up to `wink` degrees at the bottom. */
function syntheticRep(depth: number, onset: number, wink: number, twoSensors = true) {
  const n = 301;
  const t: number[] = [];
  const d: number[] = [];
  const tilt: number[] = [];
  const flex: number[] = [];
  for (let i = 0; i < n; i++) {
    const ti = i / 100;
    const di = (depth * (1 - Math.cos((2 * Math.PI * i) / (n - 1)))) / 2;
    const anterior = 0.5 * di;
    const w = di > onset ? (wink * (di - onset)) / (depth - onset) : 0;
    t.push(ti);
    d.push(di);
    tilt.push(anterior - w);
    flex.push(0.3 * di + w);
  }
  return { t, depthCm: d, pelvicTiltDeg: tilt, lumbarFlexionDeg: twoSensors ? flex : null, start: 0, end: n };
}

describe('computeRepMetrics', () => {
  it('measures depth, the wink and its onset for a winking rep', () => {
    // Pelvis angle = 0.5·d − 20·(d−30)/10 below 30 cm: it peaks at the onset (15°) and ends at 0° at 40 cm.
    const m = computeRepMetrics(syntheticRep(40, 30, 20));
    expect(m.depth_cm).toBeCloseTo(40, 6);
    expect(m.t_bottom).toBeCloseTo(1.5, 6);
    expect(m.wink_onset_depth_cm).toBeCloseTo(30, 0);
    expect(m.wink_deg).toBeCloseTo(15, 1);
    expect(m.butt_wink).toBe(true);
    expect(m.lumbar_flexion_max_deg).toBeCloseTo(0.3 * 40 + 20, 6);
  });

  it('reports no wink when the pelvis keeps tilting forward to the bottom', () => {
    const m = computeRepMetrics(syntheticRep(45, 100, 0, false));
    // The bottom phase reaches into the start of the ascent, where depth falls to 95 %: the pelvis angle
    // (0.5°/cm) falls with it by 0.5 · 0.05 · 45 cm. Nothing else counts as a wink.
    expect(Math.abs(m.wink_deg - 0.5 * 0.05 * 45)).toBeLessThan(0.1);
    expect(m.butt_wink).toBe(false);
    expect(m.wink_onset_depth_cm).toBeNull();
    expect(m.lumbar_flexion_max_deg).toBeNull();
  });

  it('skips the samples a sensor had not sent yet (NaN) instead of giving NaN angles', () => {
    const rep = syntheticRep(40, 30, 20);
    const whole = computeRepMetrics(rep);
    // The recording began inside the rep: the first tenth of its samples lack the trunk, the first few the sacrum.
    const n = rep.t.length;
    const flex = Array.from(rep.lumbarFlexionDeg!, (v, i) => (i < n / 10 ? Number.NaN : v));
    const tilt = Array.from(rep.pelvicTiltDeg, (v, i) => (i < 3 ? Number.NaN : v));
    const late = computeRepMetrics({ ...rep, lumbarFlexionDeg: flex, pelvicTiltDeg: tilt });
    expect(late.lumbar_flexion_max_deg).toBeCloseTo(whole.lumbar_flexion_max_deg!, 6);
    expect(late.wink_deg).toBeCloseTo(whole.wink_deg, 6);
    expect(late.butt_wink).toBe(true);
    // A sensor that never reported in the rep gives null, not NaN or -Infinity.
    expect(computeRepMetrics({ ...rep, lumbarFlexionDeg: flex.map(() => Number.NaN) }).lumbar_flexion_max_deg).toBeNull();
  });

  it('applies the threshold as wink_deg ≥ threshold', () => {
    const rep = syntheticRep(40, 30, 20);
    const m = computeRepMetrics(rep);
    expect(computeRepMetrics(rep, m.wink_deg).butt_wink).toBe(true);
    expect(computeRepMetrics(rep, m.wink_deg + 0.01).butt_wink).toBe(false);
  });

  it('only looks at the tilt up to the end of the bottom phase', () => {
    const rep = syntheticRep(40, 100, 0);
    // A large posterior tilt while standing back up is not a wink.
    for (let i = 250; i < rep.t.length; i++) rep.pelvicTiltDeg[i] -= 30;
    expect(Math.abs(computeRepMetrics(rep).wink_deg - 0.5 * 0.05 * 40)).toBeLessThan(0.1);
  });
});
