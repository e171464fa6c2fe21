import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyPelvicTilt, DEFAULT_TILT_THRESHOLDS, suggestedCutoffCm } from '../../shared/posture.ts';

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

  it('lies at or above the shallowest wink onset, by at most 5 cm', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 5, max: 70, noNaN: true }), { minLength: 1, maxLength: 20 }), (onsets) => {
        const cutoff = suggestedCutoffCm(onsets)!;
        const shallowest = Math.min(...onsets);
        expect(cutoff).toBeLessThanOrEqual(shallowest);
        expect(cutoff).toBeGreaterThanOrEqual(shallowest - 5);
      }),
    );
  });
});
