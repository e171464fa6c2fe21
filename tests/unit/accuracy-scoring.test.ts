import { describe, expect, it } from 'vitest';
import { ATHLETE_PROFILES, buildSquatSet } from '../../firmware-sim/model/index.ts';
import type { CueEvent, LiveFrame, RepEvent, SensingEvent } from '../../gateway/sensing/events.ts';
import type { SensingSummary } from '../../gateway/sensing/events.ts';
import {
  HELD_OUT_SEED_BASE,
  TUNING_SEED_COUNT,
  cutoffBetween,
  evaluationSetSpecs,
} from '../../scripts/accuracy/evaluation-sets.ts';
import {
  meanAbsError,
  median,
  percentile,
  scoreSet,
  summarize,
  worstCases,
} from '../../scripts/accuracy/scoring.ts';
import type { SetScoringInput, TruthForScoring, TruthRep } from '../../scripts/accuracy/scoring.ts';
import { checkSimulatorTargets } from '../../scripts/accuracy/targets.ts';
import { firstCrossing, trueCutoffCrossings, trueDepthFunction } from '../../scripts/accuracy/true-crossing.ts';

const OFFSET = 0.0075;
const CUTOFF = 30;

function truthRep(index: number, t0: number, depth: number, winkDeg: number, flexion: number): TruthRep {
  const winks = winkDeg >= 10;
  return {
    index,
    t_start: t0,
    t_bottom: t0 + 1.5,
    t_end: t0 + 3,
    depth_cm: depth,
    lumbar_flexion_max_deg: flexion,
    wink_deg: winkDeg,
    butt_wink: winks,
    wink_onset_depth_cm: winks ? depth - 8 : null,
  };
}

/** Rep 1 full and winking, rep 2 partial (short of the cutoff), rep 3 full with a wink near the threshold. */
const TRUTH: TruthForScoring = {
  reps: [truthRep(1, 10, 40, 15, 20), truthRep(2, 16, 22, 1, 8), truthRep(3, 22, 41, 11, 21)],
  movements: [
    { kind: 'walkout', detail: '3 steps', t_start: 4, t_end: 7 },
    { kind: 'fidget', detail: 'shift', t_start: 19.8, t_end: 21 },
    { kind: 'rerack', detail: '3 steps', t_start: 27, t_end: 30 },
  ],
  standing_lordosis_deg: 30,
  sacral_inclination_deg: 20,
  pelvic_tilt: 'neutral',
};
const CROSSINGS = [11.0, null, 23.0];

/** What a perfect detector would emit for TRUTH, on the recording clock. */
function detectedRep(truth: TruthRep, changes: Partial<RepEvent> = {}): RepEvent {
  return {
    type: 'rep',
    index: truth.index,
    t_start: truth.t_start + OFFSET,
    t_bottom: truth.t_bottom + OFFSET,
    t_end: truth.t_end + OFFSET,
    depth_cm: truth.depth_cm,
    lumbar_flexion_max_deg: truth.lumbar_flexion_max_deg,
    wink_deg: truth.wink_deg,
    butt_wink: truth.butt_wink,
    wink_onset_depth_cm: truth.wink_onset_depth_cm,
    pelvic_tilt_max_deg: 15,
    gap_fraction: 0,
    ...changes,
  };
}

function cue(t: number, rep: number): CueEvent {
  return { type: 'cue', kind: 'depth_cutoff', t, rep, depth_cm: CUTOFF };
}

function session(changes: Partial<SensingSummary> = {}): SensingSummary {
  return {
    type: 'session',
    reps: 3,
    sensors: [{ id: 'S1', placement: 'thoracolumbar', flexion_axis_deg: null }, { id: 'S2', placement: 'sacrum', flexion_axis_deg: null }],
    standing_lordosis_deg: TRUTH.standing_lordosis_deg,
    sacral_inclination_deg: TRUTH.sacral_inclination_deg,
    pelvic_tilt: TRUTH.pelvic_tilt,
    // Onsets 32 and 33 cm (depth − 8): the athlete's onset 32.25 cm, the suggestion 30 cm.
    suggested_cutoff_cm: 30,
    ...changes,
  };
}

function perfectEvents(): SensingEvent[] {
  return [
    cue(CROSSINGS[0]! + OFFSET, 1),
    detectedRep(TRUTH.reps[0]),
    detectedRep(TRUTH.reps[1]),
    cue(CROSSINGS[2]! + OFFSET, 3),
    detectedRep(TRUTH.reps[2]),
    session(),
  ];
}

function input(events: SensingEvent[], truth: TruthForScoring = TRUTH): SetScoringInput {
  return {
    label: { seed: 7, sensors: 'both', rateHz: 100 },
    truth,
    events,
    cutoffCm: CUTOFF,
    trueCrossings: CROSSINGS,
    clockOffsetS: OFFSET,
    winkThresholdDeg: 10,
  };
}

const score = (events: SensingEvent[], truth?: TruthForScoring) => summarize([scoreSet(input(events, truth))]);

describe('accuracy scoring', () => {
  it('gives a perfect detector full marks and zero errors', () => {
    const m = score(perfectEvents());
    expect(m.repRecall.value).toBe(1);
    expect(m.repPrecision.value).toBe(1);
    expect(m.depthMaeCm).toEqual({ value: 0, n: 3, missing: 0 });
    expect(m.lumbarFlexionMaeDeg.value).toBe(0);
    expect(m.winkF1.value).toBe(1);
    expect(m.winkOnsetMaeCm.value).toBe(0);
    expect(m.tiltAccuracy.value).toBe(1);
    expect(m.standingLordosisMaeDeg.value).toBe(0);
    expect(m.sacralInclinationMaeDeg.value).toBe(0);
    expect(m.cueRecall).toMatchObject({ value: 1, total: 2 });
    expect(m.cuePrecision).toMatchObject({ value: 1, total: 2 });
    expect(m.cueTiming.medianS).toBeCloseTo(0, 9);
    expect(m.cueTiming.withinTolerance.value).toBe(1);
    expect(m.suggestionInBand).toMatchObject({ value: 1, total: 1 });
    expect(checkSimulatorTargets(m).every((c) => c.pass)).toBe(true);
  });

  it('counts a suggestion outside [onset − 5 cm, onset] as a miss (contract v1.1)', () => {
    for (const [cutoff, inBand] of [[30, true], [27.3, true], [27, false], [33, false], [null, false]] as const) {
      const events = perfectEvents().map((e) => (e.type === 'session' ? session({ suggested_cutoff_cm: cutoff }) : e));
      expect(score(events).suggestionInBand.value).toBe(inBand ? 1 : 0);
    }
  });

  it('lowers recall, not precision, for a missed rep', () => {
    const events = perfectEvents().filter((e) => !(e.type === 'rep' && e.index === 2));
    const s = scoreSet(input(events));
    expect(s.missed.map((r) => r.index)).toEqual([2]);
    const m = summarize([s]);
    expect(m.repRecall.value).toBeCloseTo(2 / 3, 12);
    expect(m.repPrecision.value).toBe(1);
    expect(checkSimulatorTargets(m).find((c) => c.metric === 'Rep recall')!.pass).toBe(false);
  });

  it('counts a rep detected during the walk-out as a false positive and names the movement', () => {
    const walkoutRep = detectedRep(TRUTH.reps[0], { index: 1, t_start: 4.5, t_bottom: 5.5, t_end: 6.5, depth_cm: 12 });
    const s = scoreSet(input([walkoutRep, ...perfectEvents()]));
    expect(s.falseReps).toHaveLength(1);
    expect(s.falseReps[0].overlapped).toMatch(/^walkout/);
    const m = summarize([s]);
    expect(m.repPrecision.value).toBeCloseTo(3 / 4, 12);
    expect(m.repRecall.value).toBe(1);
    expect(worstCases([s], 5).falseReps.rows[0].what).toMatch(/walkout/);
  });

  it('matches by the bottom time on the recording clock, one to one', () => {
    // Bottom 5 ms after the true end on the recording clock is still 2.5 ms inside the rep in true time.
    const late = detectedRep(TRUTH.reps[1], { t_bottom: TRUTH.reps[1].t_end + 0.005 });
    const events = perfectEvents().map((e) => (e.type === 'rep' && e.index === 2 ? late : e));
    expect(scoreSet(input(events)).matches).toHaveLength(3);
    // A rep split in two: the half whose bottom is nearer the true bottom matches, the other is false.
    const half = detectedRep(TRUTH.reps[2], { index: 4, t_bottom: TRUTH.reps[2].t_end - 0.2 });
    const split = scoreSet(input([...perfectEvents().slice(0, -1), half, session()]));
    expect(split.matches.find((m) => m.truth.index === 3)!.detected.index).toBe(3);
    expect(split.falseReps.map((f) => f.overlapped)).toEqual(['rep 3 (split or doubled)']);
  });

  it('scores depth and flexion errors as mean absolute errors', () => {
    const events = perfectEvents().map((e) =>
      e.type === 'rep' && e.index === 1 ? { ...e, depth_cm: e.depth_cm + 3, lumbar_flexion_max_deg: 26 } : e,
    );
    const m = score(events);
    expect(m.depthMaeCm.value).toBeCloseTo(1, 12);
    expect(m.lumbarFlexionMaeDeg.value).toBeCloseTo(2, 12);
  });

  it('leaves reps whose true wink lies within 2.5° of the threshold out of the F1', () => {
    // Rep 3 (true 11°, inside the band) called no wink: not counted, F1 stays 1.
    const nearMiss = perfectEvents().map((e) => (e.type === 'rep' && e.index === 3 ? { ...e, butt_wink: false } : e));
    const near = score(nearMiss).winkF1;
    expect(near).toMatchObject({ value: 1, excluded: 1, tp: 1 });
    // The same miss on a rep whose true wink is 12.6° (outside the band) is a false negative.
    const farTruth = { ...TRUTH, reps: TRUTH.reps.map((r) => (r.index === 3 ? { ...r, wink_deg: 12.6 } : r)) };
    const far = score(nearMiss, farTruth).winkF1;
    expect(far).toMatchObject({ tp: 1, fn: 1, excluded: 0 });
    expect(far.value).toBeCloseTo(2 / 3, 12);
    // Onset MAE over the reps winking in both truth and detection (1 and 3): rep 1 off by 2 cm, rep 3 exact.
    const onset = perfectEvents().map((e) => (e.type === 'rep' && e.index === 1 ? { ...e, wink_onset_depth_cm: 34 } : e));
    expect(score(onset).winkOnsetMaeCm).toMatchObject({ value: 1, n: 2 });
    // A rep winking only in the detection adds nothing to it.
    const extra = onset.map((e) => (e.type === 'rep' && e.index === 2 ? { ...e, butt_wink: true, wink_onset_depth_cm: 5 } : e));
    expect(score(extra).winkOnsetMaeCm).toMatchObject({ value: 1, n: 2 });
  });

  it('times cues against the true crossing, shifted to the recording clock', () => {
    const events = perfectEvents().map((e) => {
      if (e.type !== 'cue') return e;
      return e.rep === 1 ? cue(CROSSINGS[0]! + OFFSET + 0.05, 1) : cue(CROSSINGS[2]! + OFFSET + 0.12, 3);
    });
    const s = scoreSet(input(events));
    expect(s.cues.map((c) => c.timingErrorS)).toEqual([expect.closeTo(0.05, 9), expect.closeTo(0.12, 9)]);
    const m = summarize([s]);
    expect(m.cueTiming.withinTolerance).toMatchObject({ hits: 1, total: 2 });
    expect(m.cueTiming.p90AbsS).toBeCloseTo(0.12, 9);
    expect(m.cueTiming.medianS).toBeCloseTo(0.085, 9);
    // Hits and recall do not depend on timing.
    expect(m.cueRecall.value).toBe(1);
    expect(m.cuePrecision.value).toBe(1);
  });

  it('marks cues in shallow reps, outside reps and repeated in a rep as false, and skips the ±2 cm band', () => {
    const nearTruth = { ...TRUTH, reps: [...TRUTH.reps, truthRep(4, 31, CUTOFF + 1.5, 0, 10)] };
    const events: SensingEvent[] = [
      ...perfectEvents().slice(0, -1),
      cue(17 + OFFSET, 2), // partial rep, 8 cm short of the cutoff
      cue(20 + OFFSET, 3), // during the fidget
      cue(23.2 + OFFSET, 3), // second cue in rep 3
      cue(32 + OFFSET, 4), // rep within ±2 cm: not scored
      session(),
    ];
    const s = scoreSet({ ...input(events, nearTruth), trueCrossings: [...CROSSINGS, 32] });
    expect(s.cues.map((c) => c.verdict)).toEqual(['hit', 'hit', 'false', 'false', 'false', 'unscored']);
    expect(s.cues[3].note).toMatch(/fidget/);
    expect(s.cues[4].note).toMatch(/second cue/);
    const m = summarize([s]);
    expect(m.cuePrecision).toMatchObject({ hits: 2, total: 5 });
    // Rep 4 is within the band: not a recall target either.
    expect(m.cueRecall.total).toBe(2);
  });

  it('lowers cue recall when a rep past the cutoff gets no cue', () => {
    const events = perfectEvents().filter((e) => !(e.type === 'cue' && e.rep === 1));
    const s = scoreSet(input(events));
    expect(summarize([s]).cueRecall).toMatchObject({ hits: 1, total: 2 });
    expect(worstCases([s], 5).falseOrMissedCues.rows.map((w) => w.rep)).toEqual([1]);
  });

  it('reports, from live frames, how deep the causal depth got in a rep and while in descent', () => {
    const frame = (t: number, depth: number, phase: LiveFrame['phase']): LiveFrame => ({
      type: 'live', t: t + OFFSET, depth_cm: depth, lumbar_flexion_deg: 0, pelvic_tilt_deg: 0, phase, cutoff_cm: CUTOFF,
    });
    const live = [frame(9, 50, 'moving'), frame(10.5, 25, 'descent'), frame(11.4, 28, 'descent'), frame(11.5, 33, 'bottom'), frame(14, 60, 'standing')];
    const events = perfectEvents().filter((e) => !(e.type === 'cue' && e.rep === 1));
    const s = scoreSet(input([...live, ...events]));
    expect(s.cueTargets[0]).toMatchObject({ cued: false, causalPeakCm: 33, causalDescentPeakCm: 28 });
    expect(s.cueTargets[1]).toMatchObject({ causalPeakCm: null });
    expect(summarize([s]).causalPeakMaeCm).toMatchObject({ value: 7, n: 1 });
    expect(worstCases([s], 5).falseOrMissedCues.rows[0].what).toMatch(/peaked at 33\.0 cm, 28\.0 cm in 'descent'/);
  });

  it('scores the session: tilt class, and nulls where the truth has a value as missing', () => {
    const events = [...perfectEvents().slice(0, -1), session({ pelvic_tilt: 'anterior', standing_lordosis_deg: null })];
    const m = score(events);
    expect(m.tiltAccuracy.value).toBe(0);
    expect(m.standingLordosisMaeDeg).toEqual({ value: null, n: 0, missing: 1 });
    const check = checkSimulatorTargets(m).find((c) => c.metric.startsWith('Standing lordosis'))!;
    expect(check.pass).toBe(false);
  });

  it('refuses events without exactly one session summary', () => {
    expect(() => scoreSet(input(perfectEvents().slice(0, -1)))).toThrow(/session/);
  });

  it('has plain statistics helpers', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([5], 90)).toBe(5);
    expect(meanAbsError([[1, 2], [null, 5], [3, null], [2, 0]])).toEqual({ value: 1.5, n: 2, missing: 1 });
  });
});

describe('true cutoff crossing', () => {
  it('interpolates inside the grid step and is null when the depth stays short', () => {
    const ramp = (t: number): number => 10 * (t - 1);
    expect(firstCrossing(ramp, 1, 3, 5.05, 0.01)).toBeCloseTo(1.505, 9);
    expect(firstCrossing(ramp, 1, 2, 25)).toBeNull();
  });

  it('reproduces the truth depth and finds the crossing in each descent of a noise-free set', () => {
    const set = buildSquatSet({ profile: ATHLETE_PROFILES.neutral, seed: 3, reps: 2, sensors: 'sacrum', walkout: false, repDepthsCm: [NaN, 20] });
    const [full, partial] = set.truth.reps;
    const cutoff = 30;
    const crossings = trueCutoffCrossings(set, cutoff);
    expect(crossings[1]).toBeNull();
    const depth = trueDepthFunction(set, full.t_start);
    expect(depth(full.t_bottom)).toBeCloseTo(full.depth_cm, 6);
    const t = crossings[0]!;
    expect(t).toBeGreaterThan(full.t_start);
    expect(t).toBeLessThan(full.t_bottom);
    expect(depth(t)).toBeCloseTo(cutoff, 1);
    expect(depth(t - 0.01)).toBeLessThan(cutoff);
    expect(partial.depth_cm).toBeLessThan(cutoff);
  });
});

describe('evaluation sets', () => {
  it('draws held-out seeds apart from the tuning range and varies sensors, rate and partial reps', () => {
    const specs = evaluationSetSpecs('held-out', 8);
    expect(specs[0].seed).toBe(HELD_OUT_SEED_BASE);
    expect(HELD_OUT_SEED_BASE).toBeGreaterThan(TUNING_SEED_COUNT);
    expect(new Set(specs.map((s) => `${s.sensors}@${s.rateHz}`)).size).toBe(4);
    for (const spec of specs) {
      const partial = spec.repDepthsCm.filter(Number.isFinite);
      expect(spec.repDepthsCm).toHaveLength(spec.reps);
      expect(partial).toHaveLength(2);
      for (const d of partial) expect(d).toBeLessThan(0.7 * spec.profile.depthCm);
    }
    expect(evaluationSetSpecs('tuning', 2).map((s) => s.seed)).toEqual([1, 2]);
  });

  it('puts the cutoff halfway between the deepest partial and the shallowest full rep', () => {
    expect(cutoffBetween([40, 20, 38, 24], [false, true, false, true])).toBe(31);
  });
});

describe('cue targets of a recording that starts mid-set', () => {
  it('leave out a rep begun before the samples (its standing height was never seen), which still counts for recall', async () => {
    const { randomizedSetSpec } = await import('../../firmware-sim/randomized-sets.ts');
    const { scoreRandomizedSet } = await import('../../scripts/accuracy/randomized-evaluation.ts');
    // A tuning set that starts 0.36 s into rep 1's descent; the rep crosses the cutoff 0.7 s after the start.
    const result = scoreRandomizedSet(randomizedSetSpec(2_050_063, 'mid-set-start'));
    const score = result.score!;
    const begunBefore = score.matches.map((m) => m.truth).filter((t) => t.t_start < 0);
    expect(begunBefore.length).toBeGreaterThan(0);
    for (const truth of begunBefore) expect(score.cueTargets.some((c) => c.truth.index === truth.index)).toBe(false);
    // The later reps are targets as before.
    expect(score.cueTargets.length).toBeGreaterThan(0);
    expect(score.cueTargets.every((c) => c.truth.t_start >= 0)).toBe(true);
  });
});
