import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyPelvicTilt, DEFAULT_TILT_THRESHOLDS, suggestedCutoffCm, winkOnsetCm } from '../../shared/posture.ts';

describe('classifyPelvicTilt', () => {
  it('uses standing lordosis with two sensors, whatever the sacral inclination', () => {
    expect(classifyPelvicTilt(15, 35)).toBe('posterior');
    expect(classifyPelvicTilt(30, 5)).toBe('neutral');
    expect(classifyPelvicTilt(45, 5)).toBe('anterior');
  });

  it('uses sacral inclination with one sensor', () => {
    expect(classifyPelvicTilt(null, 5)).toBe('posterior');
    expect(classifyPelvicTilt(null, 20)).toBe('neutral');
    expect(classifyPelvicTilt(null, 35)).toBe('anterior');
    expect(classifyPelvicTilt(null, null)).toBeNull();
  });

  it('keeps the boundaries neutral and honours custom thresholds', () => {
    expect(classifyPelvicTilt(20, null)).toBe('neutral');
    expect(classifyPelvicTilt(40, null)).toBe('neutral');
    expect(classifyPelvicTilt(null, 10)).toBe('neutral');
    expect(classifyPelvicTilt(null, 30)).toBe('neutral');
    expect(classifyPelvicTilt(30, null, { ...DEFAULT_TILT_THRESHOLDS, lordosisAnteriorAboveDeg: 25 })).toBe('anterior');
  });
});

describe('suggestedCutoffCm', () => {
  it('is null without a winking rep', () => {
    expect(suggestedCutoffCm([])).toBeNull();
  });

  it('lies at or above the 25th percentile of the wink onsets, by at most 5 cm (contract v1.1)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 5, max: 70, noNaN: true }), { minLength: 1, maxLength: 20 }), (onsets) => {
        const cutoff = suggestedCutoffCm(onsets)!;
        const onset = winkOnsetCm(onsets)!;
        const sorted = [...onsets].sort((a, b) => a - b);
        expect(onset).toBeGreaterThanOrEqual(sorted[0]);
        expect(onset).toBeLessThanOrEqual(sorted[sorted.length - 1]);
        expect(cutoff).toBeLessThanOrEqual(onset);
        expect(cutoff).toBeGreaterThanOrEqual(onset - 5);
      }),
    );
  });

  it('interpolates the 25th percentile linearly', () => {
    expect(winkOnsetCm([30])).toBe(30);
    expect(winkOnsetCm([40, 30])).toBeCloseTo(32.5, 9);
    expect(winkOnsetCm([34, 33, 32, 31, 30])).toBe(31);
    expect(winkOnsetCm([])).toBeNull();
  });

  it('is not dragged by one odd shallow rep among consistent ones (moves by ≤ 3 cm)', () => {
    // The dashboard case of issue 11: onsets at 32–34 cm, one 18 cm rep that rolled back at 16 cm.
    const consistent = [33.2, 32.4, 33.8, 32.9, 33.5, 34.0, 32.7, 33.1];
    const without = suggestedCutoffCm(consistent)!;
    const withOdd = suggestedCutoffCm([...consistent, 16])!;
    expect(Math.abs(withOdd - without)).toBeLessThanOrEqual(3);
    expect(withOdd).toBeGreaterThan(25);
  });
});
