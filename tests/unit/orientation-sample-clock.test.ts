import { describe, expect, it } from 'vitest';
import { SampleClock } from '../../gateway/sensing/orientation/sample-clock.ts';
import { Rng } from '../../shared/rng.ts';

/** Feeds timestamps of the samples `kept` (indices on a 100 Hz grid) with ±jitter s; calls back per sample. */
function feed(
  clock: SampleClock,
  kept: number[],
  jitter: number,
  rng: Rng,
  onSample: (index: number, instant: number) => void,
): void {
  let instant = 0;
  let previous = -Infinity;
  for (const index of kept) {
    const t = Math.max(previous + 1e-6, index / 100 + (index === 0 ? 0 : rng.uniform(-jitter, jitter)));
    previous = t;
    clock.update(t);
    instant += clock.step;
    onSample(index, instant);
  }
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('SampleClock', () => {
  it('reproduces a clean steady clock exactly', () => {
    const clock = new SampleClock(null);
    feed(clock, range(500), 0, new Rng(1), (index, instant) => {
      expect(instant).toBeCloseTo(index / 100, 10);
      expect(clock.gap).toBe(false);
    });
    expect(clock.period).toBeCloseTo(0.01, 12);
  });

  it('recovers the true sampling instants from timestamps with ±3 ms jitter', () => {
    const clock = new SampleClock(null);
    let worst = 0;
    feed(clock, range(3000), 0.003, new Rng(2), (index, instant) => {
      if (index >= 200) worst = Math.max(worst, Math.abs(instant - index / 100));
      expect(clock.gap).toBe(false);
    });
    // The jitter itself is up to 3 ms; the estimated instants stay well inside it.
    expect(worst).toBeLessThan(0.001);
    expect(clock.period).toBeCloseTo(0.01, 5);
  });

  it('counts lost packets: the sample after a loss stands for all the periods since the last one', () => {
    const lost = new Set([500, 1000, 1001, 1002, ...range(20).map((i) => 1500 + i)]);
    const kept = range(2000).filter((i) => !lost.has(i));
    const clock = new SampleClock(null);
    let last = 0;
    feed(clock, kept, 0.003, new Rng(3), (index, instant) => {
      if (index > 200) {
        expect(clock.gap).toBe(index - last > 1);
        expect(Math.abs(instant - index / 100)).toBeLessThan(0.001);
      }
      last = index;
    });
  });

  it('starts from a given period and learns the real one', () => {
    const clock = new SampleClock(0.012);
    feed(clock, range(300), 0.001, new Rng(4), () => {});
    expect(clock.period).toBeCloseTo(0.01, 5);
  });

  it('unlocks from half the period (a warm-up on bunched timestamps) instead of seeing every sample as a loss', () => {
    const clock = new SampleClock(null);
    // Warm-up on timestamps 5 ms apart (a busy gateway catching up), then the sensor's real 10 ms.
    let t = 0;
    for (let i = 0; i < 120; i++) clock.update((t += 0.005));
    expect(clock.period).toBeCloseTo(0.005, 4);
    const gaps: boolean[] = [];
    for (let i = 0; i < 300; i++) {
      clock.update((t += 0.01));
      gaps.push(clock.gap);
    }
    expect(clock.period).toBeCloseTo(0.01, 4);
    // Every interval looked like a lost packet only until the period was re-learned (50 samples).
    expect(gaps.filter(Boolean).length).toBeLessThanOrEqual(50);
    expect(gaps.slice(60).some(Boolean)).toBe(false);
  });

  it('still counts real every-other-packet loss of a short stretch as loss', () => {
    const clock = new SampleClock(null);
    const kept = [...range(300), ...range(30).map((i) => 300 + 2 * (i + 1)), ...range(200).map((i) => 361 + i)];
    const gaps: boolean[] = [];
    feed(clock, kept, 0, new Rng(2), () => gaps.push(clock.gap));
    expect(clock.period).toBeCloseTo(0.01, 5);
    expect(gaps.filter(Boolean).length).toBeGreaterThanOrEqual(30);
  });
});
