/**
 * The stopping-depth cue across a hole in the samples (lost packets): it fires at the moment the live depth,
 * carried forward at its last velocity, reaches the cutoff — from the live gateway's timer, or, in `analyze`,
 * at the instants the lost samples were due — not at the first sample after the hole (docs/SENSING.md §12).
 */
import { describe, expect, it } from 'vitest';
import { simulateRecording } from '../../gateway/sources/simulated-recording.ts';
import { profileByName } from '../../firmware-sim/model/index.ts';
import { AthletePipeline } from '../../gateway/sensing/athlete-pipeline.ts';
import { analyzeSamples } from '../../gateway/sensing/analyze-samples.ts';
import type { CueEvent, SensingEvent } from '../../gateway/sensing/events.ts';
import { AthleteRuntime } from '../../gateway/service/athlete-runtime.ts';
import type { GatewayEvent } from '../../gateway/core/domain.ts';
import { memoryLogger } from '../../gateway/core/logger.ts';
import type { ImuSample } from '../../shared/imu.ts';

const CUTOFF_CM = 30;
const sim = simulateRecording({ profile: profileByName('neutral-wink'), seed: 2, reps: 3, sensors: 'sacrum', rateHz: 100 });
const cuesOf = (events: readonly SensingEvent[]): CueEvent[] => events.filter((e): e is CueEvent => e.type === 'cue');
const intact = cuesOf(analyzeSamples(sim.sensors, sim.samples, { cutoffCm: CUTOFF_CM }));

/** The samples with a hole of [before, after] s around each intact cue (the crossing lost with its packets). */
function withHoles(before: number, after: number): { samples: ImuSample[]; holes: [number, number][] } {
  const holes = intact.map((c): [number, number] => [c.t - before, c.t + after]);
  const samples = sim.samples.filter((s) => !holes.some(([from, to]) => s.t >= from && s.t <= to));
  return { samples, holes };
}

/** The first sample after the hole. */
const sampleAfter = (samples: readonly ImuSample[], t: number): number => samples.find((s) => s.t > t)!.t;

describe('stopping-depth cue across lost packets', () => {
  it('has a cue per rep on the intact samples (the reference)', () => {
    expect(intact).toHaveLength(3);
  });

  it('fires inside a 140 ms hole around the crossing, within 30 ms of the intact cue, at the cutoff (analyze)', () => {
    const { samples, holes } = withHoles(0.06, 0.08);
    const cues = cuesOf(analyzeSamples(sim.sensors, samples, { cutoffCm: CUTOFF_CM }));
    expect(cues).toHaveLength(3);
    cues.forEach((cue, i) => {
      const [from, to] = holes[i];
      // Without the ticks the cue came with the first sample after the hole: ≥ 80 ms late.
      expect(cue.t).toBeGreaterThan(from);
      expect(cue.t).toBeLessThan(sampleAfter(samples, to));
      expect(Math.abs(cue.t - intact[i].t)).toBeLessThanOrEqual(0.03);
      expect(Math.abs(cue.depth_cm - CUTOFF_CM)).toBeLessThanOrEqual(2);
    });
  });

  it('guesses no further than 0.15 s past the last sample', () => {
    // Holes from 0.3 s before the intact crossing to 0.05 s after it: carried on for the whole hole, the last
    // velocity would reach the cutoff inside it. (A cue that would come more than 10 cm past the cutoff is not
    // given at all, so not every rep has one here.)
    const { samples, holes } = withHoles(0.3, 0.05);
    const cues = cuesOf(analyzeSamples(sim.sensors, samples, { cutoffCm: CUTOFF_CM }));
    expect(cues.length).toBeGreaterThan(0);
    for (const cue of cues) {
      const i = holes.findIndex(([from]) => cue.t > from - 0.5 && cue.t < from + 1);
      const lastBefore = samples.filter((s) => s.t < holes[i][0]).at(-1)!.t;
      if (cue.t < sampleAfter(samples, holes[i][1])) expect(cue.t - lastBefore).toBeLessThanOrEqual(0.15 + 1e-9);
    }
  });

  it('with ticksFromTimer, leaves the hole to the caller\'s ticks', () => {
    const { samples, holes } = withHoles(0.06, 0.08);
    const run = (tickEveryS: number | null): CueEvent[] => {
      const events: SensingEvent[] = [];
      const pipeline = new AthletePipeline({ sensors: sim.sensors, cutoffCm: CUTOFF_CM, ticksFromTimer: true, onEvent: (e) => events.push(e) });
      let nextTick = samples[0].t;
      for (const s of samples) {
        // A timer: every tickEveryS of the clock, whether or not samples came.
        while (tickEveryS !== null && nextTick < s.t) {
          pipeline.tick(nextTick);
          nextTick += tickEveryS;
        }
        pipeline.push(s);
      }
      pipeline.finish();
      return cuesOf(events);
    };
    const untimed = run(null);
    untimed.forEach((cue, i) => expect(cue.t).toBeGreaterThanOrEqual(sampleAfter(samples, holes[i][1])));
    const timed = run(0.01);
    expect(timed).toHaveLength(3);
    timed.forEach((cue, i) => {
      expect(cue.t).toBeLessThan(sampleAfter(samples, holes[i][1]));
      expect(Math.abs(cue.t - intact[i].t)).toBeLessThanOrEqual(0.03);
    });
  });
});

describe('AthleteRuntime cue timer', () => {
  it('fires the cue from its timer while the samples of the crossing are missing', async () => {
    const { samples, holes } = withHoles(0.06, 0.08);
    const [from] = holes[0];
    // The gateway clock the samples are on: read by the runtime's timer.
    let clockS = samples[0].t;
    const events: GatewayEvent[] = [];
    const runtime = new AthleteRuntime({
      athlete: { id: 'ana', name: 'Ana', sensors: sim.sensors.map((s) => ({ ...s, driver: 'squatmon', match: null })), cutoffCm: CUTOFF_CM, winkThresholdDeg: 10 },
      simulated: true,
      recordingsDir: null,
      emit: (e) => events.push(e),
      logger: memoryLogger(),
      clock: () => clockS,
    });
    try {
      const beforeHole = samples.filter((s) => s.t < from);
      for (let i = 0; i < beforeHole.length; i += 10) runtime.push(beforeHole.slice(i, i + 10));
      clockS = beforeHole.at(-1)!.t;
      expect(events.filter((e) => e.kind === 'cue')).toHaveLength(0);
      // Time passes with no sample: the clock moves through the hole, 10 ms at a time.
      const deadline = Date.now() + 5000;
      while (!events.some((e) => e.kind === 'cue') && Date.now() < deadline) {
        clockS = Math.min(clockS + 0.01, holes[0][1]);
        await new Promise((r) => setTimeout(r, 15));
      }
      const cue = events.find((e): e is Extract<GatewayEvent, { kind: 'cue' }> => e.kind === 'cue');
      expect(cue).toBeDefined();
      // Session time counts from the first sample.
      const sessionT = cue!.cue.t + samples[0].t;
      expect(sessionT).toBeGreaterThan(from);
      expect(sessionT).toBeLessThan(holes[0][1]);
      expect(Math.abs(cue!.cue.depth_cm - CUTOFF_CM)).toBeLessThanOrEqual(2);
      // Its "sample-in" is the timer's moment (bench:gateway's latency from it).
      expect(cue!.receivedAt).toBeGreaterThan(0);
    } finally {
      await runtime.finish();
    }
  });
});
