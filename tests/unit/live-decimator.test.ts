import { describe, expect, it } from 'vitest';
import { LiveDecimator } from '../../gateway/core/live-decimator.ts';

describe('LiveDecimator', () => {
  it('keeps one frame per interval of frame time, per athlete, and starts over when time goes back', () => {
    const d = new LiveDecimator(1 / 50);
    // 200 Hz for 1 s, times rounded as recordings round them (4 decimals).
    const kept = (athlete: string, from = 0) => {
      let n = 0;
      for (let i = 0; i < 200; i++) if (d.take(athlete, Math.round((from + i / 200) * 1e4) / 1e4)) n++;
      return n;
    };
    expect(kept('ann')).toBe(50);
    expect(kept('bob')).toBe(50); // its own timeline
    expect(d.dropped).toBe(300);
    // A replay from t = 0 again: a new timeline, thinned the same.
    expect(kept('ann')).toBe(50);
    // 50 Hz input keeps every frame, even with times a hair early.
    const e = new LiveDecimator(1 / 50);
    expect(Array.from({ length: 100 }, (_, i) => e.take('ann', i * 0.02 - (i % 2) * 1e-9)).every(Boolean)).toBe(true);
  });
});
