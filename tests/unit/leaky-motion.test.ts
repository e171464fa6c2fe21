import { describe, expect, it } from 'vitest';
import { LeakyMotion } from '../../gateway/sensing/leaky-motion.ts';

describe('LeakyMotion', () => {
  it('follows a squat-like oscillation without drift, whatever the bias', () => {
    const rate = 100;
    const motion = new LeakyMotion();
    const w = (2 * Math.PI) / 2.5; // 2.5 s reps
    let worst = 0;
    for (let i = 1; i < 30 * rate; i++) {
      const t = i / rate;
      // z = −0.2 (1 − cos ωt): velocity −0.2 ω sin ωt; a bias of 0.3 m/s² that the running mean (given) removes.
      motion.update(1 / rate, -0.2 * w * w * Math.cos(w * t) + 0.3, 0.3);
      if (t > 10) worst = Math.max(worst, Math.abs(motion.velocity - -0.2 * w * Math.sin(w * t)));
    }
    // The leak distorts the velocity (a high-pass at 0.16 Hz against 0.4 Hz reps) but never lets it drift.
    expect(worst).toBeLessThan(0.25);
  });
});
