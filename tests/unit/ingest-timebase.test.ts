import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SequenceTracker } from '../../gateway/ingest/sequence-tracker.ts';
import { TimestampUnwrapper } from '../../gateway/ingest/timestamp-unwrapper.ts';
import { ClockMapper, MIN_SPACING_RATIO } from '../../gateway/ingest/clock-mapper.ts';
import { Rng } from '../../shared/rng.ts';

describe('SequenceTracker', () => {
  it('counts gaps across the 16-bit wrap and drops repeats', () => {
    const tracker = new SequenceTracker();
    const verdicts = [65533, 65534, 1, 1, 0, 2].map((s) => tracker.classify(s).kind);
    expect(verdicts).toEqual(['first', 'next', 'gap', 'duplicate', 'duplicate', 'next']);
    expect(tracker.lost).toBe(2); // 65535 and 0 were missing; 0 arriving late is dropped as old
    expect(tracker.accepted).toBe(4);
    expect(tracker.duplicates).toBe(2);
  });

  it('accounts for every frame of a lossy, duplicating stream', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 300 }), (start, actions) => {
        // action 0: deliver the next frame; 1: deliver it twice; 2..4: lose that many frames then deliver one.
        const tracker = new SequenceTracker();
        let seq = start;
        let sent = 0;
        let lost = 0;
        let dup = 0;
        tracker.classify(seq);
        sent++;
        for (const a of actions) {
          const skipped = a >= 2 ? a : 0;
          seq = (seq + skipped + 1) % 65536;
          lost += skipped;
          sent += skipped + 1;
          tracker.classify(seq);
          if (a === 1) {
            tracker.classify(seq);
            dup++;
          }
        }
        expect(tracker.accepted + tracker.lost).toBe(sent);
        expect(tracker.lost).toBe(lost);
        expect(tracker.duplicates).toBe(dup);
      }),
    );
  });
});

describe('TimestampUnwrapper', () => {
  it('keeps time continuous across the 32-bit microsecond wrap', () => {
    const u = new TimestampUnwrapper();
    expect(u.unwrap(0xffff_ff00)).toBe(0);
    expect(u.unwrap(0x0000_0100)).toBeCloseTo(512e-6, 12);
    expect(u.unwrap(0x0000_0100 + 5000)).toBeCloseTo(5512e-6, 12);
  });

  it('reports a timestamp older than the last one as negative elapsed time, not as a wrap', () => {
    const u = new TimestampUnwrapper();
    u.unwrap(10_000_000);
    u.unwrap(10_005_000);
    expect(u.unwrap(10_000_000)).toBeCloseTo(0, 12);
    expect(u.unwrap(10_010_000)).toBeCloseTo(0.01, 12);
  });
});

describe('ClockMapper', () => {
  it('recovers the clock offset from jittered receive times and tracks ±100 ppm drift', () => {
    for (const driftPpm of [-100, 0, 100]) {
      const rng = new Rng(5 + driftPpm);
      const mapper = new ClockMapper();
      const trueOffset = 1234.5;
      let worst = 0;
      for (let k = 0; k < 60 * 50; k++) {
        const trueTime = k / 50; // a notification every 20 ms for an hour-long minute
        const sensorTime = trueTime * (1 + driftPpm * 1e-6);
        const latency = 0.0075 + Math.abs(rng.gaussian()) * 0.01; // ≥ 7.5 ms
        mapper.observe(sensorTime, trueOffset + trueTime + latency);
        if (trueTime > 5) worst = Math.max(worst, Math.abs(mapper.map(sensorTime) - (trueOffset + trueTime + 0.0075)));
      }
      // Mapped times sit on the minimum-latency envelope, within a couple of ms, without the 10 ms jitter.
      expect(worst).toBeLessThan(0.003);
    }
  });

  it('never maps a sensor backwards in time', () => {
    const mapper = new ClockMapper();
    mapper.observe(0, 0.05);
    const first = mapper.map(0.001);
    mapper.observe(0.002, 0.0095); // a much faster delivery lowers the offset by 40 ms
    const second = mapper.map(0.002);
    expect(second).toBeGreaterThan(first);
  });

  it('keeps the sensor\'s sample spacing when a busy start-up delivered the first notifications late', () => {
    // 200 Hz, 4 samples per notification; the first second of notifications arrives 300 ms late and bunched (a
    // starved gateway starting up), then on time with 2–6 ms latency. The 15.3 cm rep of a 45 cm lifter came
    // from mapped spacing halved while the offset estimate caught up.
    const rng = new Rng(7);
    const mapper = new ClockMapper();
    const period = 1 / 200;
    const mapped: number[] = [];
    for (let n = 0; n < 2_000; n++) {
      const first = n * 4 * period;
      const last = first + 3 * period;
      const late = last < 1 ? 0.3 - last * 0.2 : 0;
      mapper.observe(last, 10 + last + 0.002 + rng.next() * 0.004 + late);
      for (let i = 0; i < 4; i++) mapped.push(mapper.map(first + i * period));
    }
    const spacing = mapped.slice(1).map((t, k) => t - mapped[k]!);
    expect(Math.min(...spacing)).toBeGreaterThanOrEqual(MIN_SPACING_RATIO * period - 1e-12);
    // And the start-up error is gone after a few seconds: mapped = sensor time + offset (10 s + minimum latency).
    expect(Math.abs(mapped.at(-1)! - (1999 * 4 + 3) * period - 10.002)).toBeLessThan(0.005);
  });

  it('never takes a slowly caught-up backlog for a clock jump when the frame counter says the clock is continuous', () => {
    // A starved gateway falls 1.7 s behind and then catches up at 95 % of the sample pace: by receive times alone
    // (the fallback rule) that is a paced rise, i.e. a jump — it re-anchored and moved samples 1.7 s ahead.
    const run = (clock: 'continuous' | 'unknown') => {
      const mapper = new ClockMapper();
      const period = 0.02; // one notification every 20 ms
      let lag = 0;
      let largestStep = 0;
      let last = Number.NaN;
      for (let n = 0; n < 3_000; n++) {
        const t = n * period;
        if (t > 10 && t < 12) lag = Math.min(1.7, lag + period); // falls behind
        else if (t >= 12 && lag > 0) lag = Math.max(0, lag - 0.05 * period); // catches up slowly
        mapper.observe(t, 100 + t + 0.003 + lag, clock);
        const mapped = mapper.map(t);
        if (!Number.isNaN(last)) largestStep = Math.max(largestStep, mapped - last);
        last = mapped;
      }
      return largestStep;
    };
    expect(run('unknown')).toBeGreaterThan(1); // the fallback's failure, kept as the reason for the counter
    expect(run('continuous')).toBeLessThan(0.021);
  });
});
