/**
 * The broadened evaluation: domain-randomised sets (firmware-sim/randomized-sets.ts), one group of sets per
 * condition, scored by the same functions as the comfortable sets (scoring.ts), with the broadened targets.
 * Seeds: a held-out and a tuning range per condition, disjoint from each other and from the comfortable sets'.
 */
import { buildSquatSet } from '../../firmware-sim/model/index.ts';
import { RANDOMIZED_CONDITIONS, randomizedModelOptions, randomizedSetSpec } from '../../firmware-sim/randomized-sets.ts';
import { simulateRandomizedSet } from '../../gateway/sources/simulated-recording.ts';
import type { RandomizedCondition, RandomizedSetSpec } from '../../firmware-sim/randomized-sets.ts';
import { analyzeSamples } from '../../gateway/sensing/analyze-samples.ts';
import type { SeedRange } from './evaluation-sets.ts';
import { RECORDING_CLOCK_OFFSET_S } from './evaluation-sets.ts';
import { scoreSet, summarize } from './scoring.ts';
import type { AccuracyMetrics, CueOutcome, SetScore } from './scoring.ts';
import type { TargetCheck } from './targets.ts';
import { trueCutoffCrossings } from './true-crossing.ts';

/** Seeds of condition c, set k: base + 10 000 · c + k (10 000 sets per condition and range at most). */
export const RANDOMIZED_TUNING_SEED_BASE = 2_000_000;
export const RANDOMIZED_HELD_OUT_SEED_BASE = 3_000_000;
export const RANDOMIZED_SEEDS_PER_CONDITION = 10_000;
/**
 * Default sets per condition. 60 sets gave a group's cue p90 to within about ±10 ms only (`fidgety`: 96 ms on the
 * held-out seeds, 85 on 120 tuning sets, 92 on 240 further ones), too coarse against an 80 ms target; 120 keeps
 * the whole `npm run accuracy` under 2 minutes on two cores.
 */
export const DEFAULT_SETS_PER_GROUP = 120;
/** The cue cutoff of a randomised set: this share of the median true depth of its reps ≥ 25 cm. */
export const RANDOMIZED_CUTOFF_SHARE = 0.75;
/** Cues are not scored on reps whose true crossing comes this soon after the recording starts (mid-set), s. */
const CUE_OBSERVABLE_AFTER_S = 0.3;

export function randomizedSeed(range: SeedRange, condition: RandomizedCondition, k: number): number {
  if (!Number.isInteger(k) || k < 0 || k >= RANDOMIZED_SEEDS_PER_CONDITION) throw new RangeError(`set index must be 0…${RANDOMIZED_SEEDS_PER_CONDITION - 1}`);
  const base = range === 'tuning' ? RANDOMIZED_TUNING_SEED_BASE : RANDOMIZED_HELD_OUT_SEED_BASE;
  return base + RANDOMIZED_SEEDS_PER_CONDITION * RANDOMIZED_CONDITIONS.indexOf(condition) + k;
}

export interface RandomizedSetResult {
  readonly spec: RandomizedSetSpec;
  readonly score: SetScore | null;
  /** The pipeline threw: its message. */
  readonly error: string | null;
  readonly cutoffCm: number;
}

/** Cutoff between shallow and full reps: a share of the median depth of the reps ≥ 25 cm (or of all reps). */
export function randomizedCutoff(depthsCm: readonly number[]): number {
  const full = depthsCm.filter((d) => d >= 25);
  const pool = [...(full.length > 0 ? full : depthsCm)].sort((a, b) => a - b);
  const median = pool.length === 0 ? 30 : pool[pool.length >> 1];
  return Math.round(RANDOMIZED_CUTOFF_SHARE * median * 10) / 10;
}

/**
 * A cue cannot be given for a rep that crossed the cutoff before the recording, nor for one whose descent began
 * before it (a mid-set start): the depth is measured from the standing before the rep, which the samples never
 * saw, so no live estimate can know when the lifter is at the stopping depth (the rep's depth is known once it
 * has ended, and it counts for recall). Such reps are left out of the cue targets and cues in them are not
 * scored. Until 2026-12-07 only the first kind was left out: on 120 tuning sets of `mid-set-start`, 14 cue
 * targets were reps begun before the recording, none of them cued.
 */
function withoutUnobservableCues(score: SetScore, crossings: readonly (number | null)[], reps: readonly { index: number; t_start: number }[]): SetScore {
  const hidden = new Set(
    reps.filter((rep, r) => rep.t_start < 0 || (crossings[r] !== null && crossings[r]! < CUE_OBSERVABLE_AFTER_S)).map((rep) => rep.index),
  );
  if (hidden.size === 0) return score;
  return {
    ...score,
    cueTargets: score.cueTargets.filter((c) => !hidden.has(c.truth.index)),
    cues: score.cues.map((c): CueOutcome =>
      c.truthRep !== null && hidden.has(c.truthRep) ? { ...c, verdict: 'unscored', note: 'rep began or crossed the cutoff before the recording', timingErrorS: null } : c,
    ),
  };
}

/** Simulates, analyses and scores one randomised set. */
export function scoreRandomizedSet(spec: RandomizedSetSpec): RandomizedSetResult {
  const recording = simulateRandomizedSet(spec);
  const truth = recording.truth;
  const cutoffCm = randomizedCutoff(truth.reps.map((r) => r.depth_cm));
  try {
    const events = analyzeSamples(recording.sensors, recording.samples, {
      cutoffCm,
      winkThresholdDeg: truth.wink_threshold_deg,
      live: true,
    });
    // The same model again for the noise-free true crossings (simulateRecording consumed its sensor streams).
    const model = buildSquatSet({ ...randomizedModelOptions(spec), profile: spec.profile, seed: spec.seed, reps: spec.reps, sensors: spec.sensors });
    const trueCrossings = trueCutoffCrossings(model, cutoffCm);
    const score = scoreSet({
      label: { seed: spec.seed, sensors: spec.sensors, rateHz: spec.rateHz },
      truth,
      events,
      cutoffCm,
      trueCrossings,
      clockOffsetS: RECORDING_CLOCK_OFFSET_S,
      winkThresholdDeg: truth.wink_threshold_deg,
    });
    return { spec, score: withoutUnobservableCues(score, trueCrossings, truth.reps), error: null, cutoffCm };
  } catch (e) {
    return { spec, score: null, error: e instanceof Error ? e.message : String(e), cutoffCm };
  }
}

export interface RandomizedGroupResult {
  readonly condition: RandomizedCondition | 'all';
  readonly seeds: readonly [first: number, last: number] | null;
  readonly sets: readonly RandomizedSetResult[];
  readonly metrics: AccuracyMetrics;
  readonly checks: readonly TargetCheck[];
}

export interface RandomizedEvaluation {
  readonly range: SeedRange;
  readonly setsPerGroup: number;
  readonly groups: readonly RandomizedGroupResult[];
  readonly runTimeS: number;
}

// ---- Broadened targets -----------------------------------------------------------------------------------

export const BROAD_TARGETS = {
  repRecall: 0.99,
  repPrecision: 0.99,
  depthMaeCm: 2,
  flexionMaeDeg: 2,
  tiltAccuracy: 0.95,
  standingMaeDeg: 3,
  winkF1: 0.95,
  cueRecall: 0.97,
  cuePrecision: 0.97,
  cueP90AbsMs: 80,
  cueMedianAbsMs: 20,
  suggestionInBand: 0.95,
} as const;

/**
 * The broadened targets for one group. A metric with no data in the group (e.g. flexion in a group of
 * one-sensor sets, or no winking rep) is `n/a` and does not fail; a null where the truth has a value does.
 */
export function checkBroadenedTargets(m: AccuracyMetrics): TargetCheck[] {
  const T = BROAD_TARGETS;
  const na = (metric: string, target: string): TargetCheck => ({ metric, measured: 'n/a', target, pass: true });
  const atLeast = (metric: string, v: number | null, min: number, detail: string): TargetCheck =>
    v === null ? na(metric, `≥ ${min}`) : { metric, measured: `${v.toFixed(3)}${detail}`, target: `≥ ${min}`, pass: v >= min };
  const atMost = (metric: string, e: { value: number | null; n: number; missing: number }, max: number, unit: string): TargetCheck =>
    e.value === null && e.missing === 0
      ? na(metric, `≤ ${max} ${unit}`)
      : {
          metric,
          measured: `${e.value === null ? '–' : e.value.toFixed(2)} ${unit} (n = ${e.n}${e.missing > 0 ? `, ${e.missing} missing` : ''})`,
          target: `≤ ${max} ${unit}`,
          pass: e.value !== null && e.missing === 0 && e.value <= max,
        };
  const ratioDetail = (r: { hits: number; total: number }): string => ` (${r.hits}/${r.total})`;
  const t = m.cueTiming;
  return [
    atLeast('Rep recall', m.repRecall.value, T.repRecall, ratioDetail(m.repRecall)),
    atLeast('Rep precision', m.repPrecision.value, T.repPrecision, ratioDetail(m.repPrecision)),
    atMost('Depth MAE', m.depthMaeCm, T.depthMaeCm, 'cm'),
    atMost('Lumbar flexion MAE', m.lumbarFlexionMaeDeg, T.flexionMaeDeg, '°'),
    atLeast('Tilt class accuracy', m.tiltAccuracy.value, T.tiltAccuracy, ratioDetail(m.tiltAccuracy)),
    atMost('Standing lordosis MAE', m.standingLordosisMaeDeg, T.standingMaeDeg, '°'),
    atMost('Sacral inclination MAE', m.sacralInclinationMaeDeg, T.standingMaeDeg, '°'),
    atLeast('Wink F1', m.winkF1.value, T.winkF1, ` (TP ${m.winkF1.tp}, FP ${m.winkF1.fp}, FN ${m.winkF1.fn})`),
    atLeast('Suggestion in band', m.suggestionInBand.value, T.suggestionInBand, ratioDetail(m.suggestionInBand)),
    atLeast('Cue recall', m.cueRecall.value, T.cueRecall, ratioDetail(m.cueRecall)),
    atLeast('Cue precision', m.cuePrecision.value, T.cuePrecision, ratioDetail(m.cuePrecision)),
    t.p90AbsS === null
      ? na('Cue |dt| p90', `≤ ${T.cueP90AbsMs} ms`)
      : { metric: 'Cue |dt| p90', measured: `${(t.p90AbsS * 1000).toFixed(0)} ms (n = ${t.n})`, target: `≤ ${T.cueP90AbsMs} ms`, pass: t.p90AbsS * 1000 <= T.cueP90AbsMs },
    t.medianS === null
      ? na('Cue dt median', `within ±${T.cueMedianAbsMs} ms`)
      : { metric: 'Cue dt median', measured: `${(t.medianS * 1000).toFixed(0)} ms`, target: `within ±${T.cueMedianAbsMs} ms`, pass: Math.abs(t.medianS * 1000) <= T.cueMedianAbsMs },
  ];
}

function groupResult(condition: RandomizedCondition | 'all', sets: readonly RandomizedSetResult[]): RandomizedGroupResult {
  const scores = sets.flatMap((s) => (s.score === null ? [] : [s.score]));
  const metrics = summarize(scores);
  const crashed = sets.filter((s) => s.error !== null).length;
  const checks = checkBroadenedTargets(metrics);
  const seeds = sets.map((s) => s.spec.seed);
  return {
    condition,
    seeds: condition === 'all' || seeds.length === 0 ? null : [Math.min(...seeds), Math.max(...seeds)],
    sets,
    metrics,
    checks: crashed === 0 ? checks : [...checks, { metric: 'Pipeline errors', measured: `${crashed} sets`, target: 'none', pass: false }],
  };
}

/**
 * Scores `setsPerGroup` sets of each condition (all of them, or `only`), from set index `firstSet` on, plus an
 * `all` row pooling them. A `firstSet` past the sets used while tuning gives further sets to confirm a change on.
 */
export function evaluateRandomizedSets(
  range: SeedRange,
  setsPerGroup: number,
  only: readonly RandomizedCondition[] = RANDOMIZED_CONDITIONS,
  onSet?: (result: RandomizedSetResult) => void,
  firstSet = 0,
): RandomizedEvaluation {
  const started = performance.now();
  const groups: RandomizedGroupResult[] = [];
  for (const condition of only) {
    const sets: RandomizedSetResult[] = [];
    for (let k = firstSet; k < firstSet + setsPerGroup; k++) {
      const result = scoreRandomizedSet(randomizedSetSpec(randomizedSeed(range, condition, k), condition));
      sets.push(result);
      onSet?.(result);
    }
    groups.push(groupResult(condition, sets));
  }
  if (groups.length > 1) groups.push(groupResult('all', groups.flatMap((g) => g.sets)));
  return { range, setsPerGroup, groups, runTimeS: (performance.now() - started) / 1000 };
}
