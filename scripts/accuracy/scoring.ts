/**
 * Scores the sensing core's events of one simulated set against the simulator's ground truth, and pools the
 * scores of many sets into the accuracy metrics. Pure: truth, events and the set's cue reference in, numbers
 * out. Truth times are true time; event times are on the recording clock, `clockOffsetS` later.
 */
import type { MovementTruth, RepTruth, SetTruth } from '../../firmware-sim/model/index.ts';
import type { CueEvent, LiveFrame, RepEvent, SensingEvent } from '../../gateway/sensing/events.ts';
import type { SensingSummary } from '../../gateway/sensing/events.ts';
import type { PelvicTilt } from '../../shared/posture.ts';
import { winkOnsetCm } from '../../shared/posture.ts';

/** Reps whose TRUE wink is this close to the threshold are left out of the butt-wink F1, deg. */
export const WINK_EXCLUSION_BAND_DEG = 2.5;
/** Cues are scored on reps at least this far past or short of the cutoff, cm. */
export const CUE_DEPTH_MARGIN_CM = 2;
/** A cue is on time within this of the true crossing, s. */
export const CUE_TIME_TOLERANCE_S = 0.08;
/** The suggested cutoff may lie this far above (shallower than) the wink onset (contract v1.1), cm. */
export const SUGGESTION_BAND_CM = 5;

export type TruthRep = Pick<
  RepTruth,
  'index' | 't_start' | 't_bottom' | 't_end' | 'depth_cm' | 'lumbar_flexion_max_deg' | 'wink_deg' | 'butt_wink' | 'wink_onset_depth_cm'
>;
export type TruthMovement = Pick<MovementTruth, 'kind' | 'detail' | 't_start' | 't_end'>;
export interface TruthForScoring extends Pick<SetTruth, 'standing_lordosis_deg' | 'sacral_inclination_deg' | 'pelvic_tilt'> {
  readonly reps: readonly TruthRep[];
  readonly movements: readonly TruthMovement[];
}

export interface SetLabel {
  readonly seed: number;
  readonly sensors: 'sacrum' | 'both';
  readonly rateHz: number;
}

export interface SetScoringInput {
  readonly label: SetLabel;
  readonly truth: TruthForScoring;
  /** The pipeline's events; live frames are optional and only add diagnostics of missed cues. */
  readonly events: readonly SensingEvent[];
  readonly cutoffCm: number;
  /** Per truth rep (same order), the true time its depth first reaches the cutoff; null if it never does. */
  readonly trueCrossings: readonly (number | null)[];
  /** Recording clock − true time, s. */
  readonly clockOffsetS: number;
  readonly winkThresholdDeg: number;
}

export interface RepMatch {
  readonly truth: TruthRep;
  readonly detected: RepEvent;
}

export interface FalseRep {
  readonly detected: RepEvent;
  /** What the athlete was doing: the truth movement or rep it overlapped most, or `standing`. */
  readonly overlapped: string;
}

export type CueVerdict =
  | 'hit' // first cue in a rep ≥ cutoff + margin
  | 'false' // in a rep ≤ cutoff − margin, or outside every rep, or a second cue in one rep
  | 'unscored'; // in a rep within ±margin of the cutoff

export interface CueOutcome {
  readonly cue: CueEvent;
  readonly verdict: CueVerdict;
  /** Index of the truth rep it fell in, or null. */
  readonly truthRep: number | null;
  /** Why it is false, for the worst-case lists. */
  readonly note: string;
  /** Cue t − true crossing (on the recording clock), s; hits only. */
  readonly timingErrorS: number | null;
}

export interface CueTarget {
  readonly truth: TruthRep;
  readonly cued: boolean;
  /**
   * Diagnostics from the live frames, when the events include them (null otherwise): the largest causal depth
   * inside the rep, and the largest while the pipeline called the phase `descent` (a cue needs both).
   */
  readonly causalPeakCm: number | null;
  readonly causalDescentPeakCm: number | null;
}

export interface SetScore {
  readonly label: SetLabel;
  readonly truthRepCount: number;
  readonly detectedRepCount: number;
  readonly matches: readonly RepMatch[];
  readonly missed: readonly TruthRep[];
  readonly falseReps: readonly FalseRep[];
  readonly cutoffCm: number;
  /** Truth reps at least the margin past the cutoff, and whether one of them got a cue. */
  readonly cueTargets: readonly CueTarget[];
  readonly cues: readonly CueOutcome[];
  readonly truthTilt: PelvicTilt;
  readonly detectedTilt: PelvicTilt | null;
  readonly truthLordosisDeg: number | null;
  readonly detectedLordosisDeg: number | null;
  readonly truthSacralDeg: number;
  readonly detectedSacralDeg: number | null;
  readonly winkThresholdDeg: number;
  /** The athlete's true wink onset (contract v1.1: 25th percentile of the true onsets), null when no rep winked. */
  readonly truthOnsetCm: number | null;
  readonly detectedCutoffCm: number | null;
}

const within = (t: number, start: number, end: number): boolean => t >= start && t <= end;
const overlap = (a0: number, a1: number, b0: number, b1: number): number => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/**
 * One-to-one matching: a detected rep matches the truth rep whose [t_start, t_end] contains its t_bottom. When
 * several detected reps claim one truth rep, the one whose bottom is nearest the true bottom wins; the others
 * are false reps (a rep split in two).
 */
export function matchReps(
  truthReps: readonly TruthRep[],
  detected: readonly RepEvent[],
  clockOffsetS: number,
): { matches: RepMatch[]; missed: TruthRep[]; unmatched: RepEvent[] } {
  const claims = new Map<TruthRep, RepEvent[]>();
  const unmatched: RepEvent[] = [];
  for (const rep of detected) {
    const t = rep.t_bottom - clockOffsetS;
    const truth = truthReps.find((r) => within(t, r.t_start, r.t_end));
    if (truth === undefined) unmatched.push(rep);
    else claims.set(truth, [...(claims.get(truth) ?? []), rep]);
  }
  const matches: RepMatch[] = [];
  const missed: TruthRep[] = [];
  for (const truth of truthReps) {
    const claimants = claims.get(truth);
    if (claimants === undefined) {
      missed.push(truth);
      continue;
    }
    const distance = (rep: RepEvent): number => Math.abs(rep.t_bottom - clockOffsetS - truth.t_bottom);
    const best = claimants.reduce((a, b) => (distance(b) < distance(a) ? b : a));
    matches.push({ truth, detected: best });
    for (const other of claimants) if (other !== best) unmatched.push(other);
  }
  unmatched.sort((a, b) => a.t_bottom - b.t_bottom);
  return { matches, missed, unmatched };
}

/** The truth movement or rep a false rep overlapped most (true-time intervals), or `standing`. */
export function describeOverlap(rep: RepEvent, truth: TruthForScoring, clockOffsetS: number): string {
  const t0 = rep.t_start - clockOffsetS;
  const t1 = rep.t_end - clockOffsetS;
  let best = 'standing';
  let bestOverlap = 0;
  for (const m of truth.movements) {
    const o = overlap(t0, t1, m.t_start, m.t_end);
    if (o > bestOverlap) [best, bestOverlap] = [`${m.kind} (${m.detail})`, o];
  }
  for (const r of truth.reps) {
    const o = overlap(t0, t1, r.t_start, r.t_end);
    if (o > bestOverlap) [best, bestOverlap] = [`rep ${r.index} (split or doubled)`, o];
  }
  return best;
}

/**
 * Cues against the truth reps: a cue belongs to the truth rep containing its time. The first cue in a rep
 * ≥ cutoff + margin is a hit, timed against that rep's true crossing; a cue in a rep ≤ cutoff − margin, a
 * second cue in one rep, or a cue outside every rep is false; cues in reps within ±margin are not scored.
 */
export function scoreCues(
  input: SetScoringInput,
  cues: readonly CueEvent[],
  live: readonly LiveFrame[] = [],
): Pick<SetScore, 'cues' | 'cueTargets'> {
  const { truth, cutoffCm, clockOffsetS } = input;
  const cuedReps = new Set<number>();
  const outcomes: CueOutcome[] = [];
  for (const cue of cues) {
    const t = cue.t - clockOffsetS;
    const r = truth.reps.findIndex((rep) => within(t, rep.t_start, rep.t_end));
    if (r < 0) {
      const movement = truth.movements.find((m) => within(t, m.t_start, m.t_end));
      const where = movement === undefined ? 'while standing' : `during ${movement.kind} (${movement.detail})`;
      outcomes.push({ cue, verdict: 'false', truthRep: null, note: `outside every rep, ${where}`, timingErrorS: null });
      continue;
    }
    const rep = truth.reps[r];
    const firstInRep = !cuedReps.has(r);
    cuedReps.add(r);
    if (!firstInRep) {
      outcomes.push({ cue, verdict: 'false', truthRep: rep.index, note: 'second cue in one rep', timingErrorS: null });
    } else if (rep.depth_cm >= cutoffCm + CUE_DEPTH_MARGIN_CM) {
      const crossing = input.trueCrossings[r];
      const timingErrorS = crossing === null ? null : cue.t - (crossing + clockOffsetS);
      outcomes.push({ cue, verdict: 'hit', truthRep: rep.index, note: '', timingErrorS });
    } else if (rep.depth_cm <= cutoffCm - CUE_DEPTH_MARGIN_CM) {
      const note = `rep only ${rep.depth_cm.toFixed(1)} cm deep, cutoff ${cutoffCm.toFixed(1)} cm`;
      outcomes.push({ cue, verdict: 'false', truthRep: rep.index, note, timingErrorS: null });
    } else {
      outcomes.push({ cue, verdict: 'unscored', truthRep: rep.index, note: 'rep within ±2 cm of the cutoff', timingErrorS: null });
    }
  }
  const cueTargets = truth.reps
    .map((rep, r) => ({ truth: rep, cued: cuedReps.has(r), ...causalPeaks(live, rep, clockOffsetS) }))
    .filter(({ truth: rep }) => rep.depth_cm >= cutoffCm + CUE_DEPTH_MARGIN_CM);
  return { cues: outcomes, cueTargets };
}

function causalPeaks(
  live: readonly LiveFrame[],
  rep: TruthRep,
  clockOffsetS: number,
): Pick<CueTarget, 'causalPeakCm' | 'causalDescentPeakCm'> {
  if (live.length === 0) return { causalPeakCm: null, causalDescentPeakCm: null };
  let peak = -Infinity;
  let descentPeak = -Infinity;
  for (const frame of live) {
    if (!within(frame.t - clockOffsetS, rep.t_start, rep.t_end)) continue;
    peak = Math.max(peak, frame.depth_cm);
    if (frame.phase === 'descent') descentPeak = Math.max(descentPeak, frame.depth_cm);
  }
  const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return { causalPeakCm: orNull(peak), causalDescentPeakCm: orNull(descentPeak) };
}

export function scoreSet(input: SetScoringInput): SetScore {
  const reps = input.events.filter((e): e is RepEvent => e.type === 'rep');
  const cues = input.events.filter((e): e is CueEvent => e.type === 'cue');
  const live = input.events.filter((e): e is LiveFrame => e.type === 'live');
  const sessions = input.events.filter((e): e is SensingSummary => e.type === 'session');
  if (sessions.length !== 1) throw new Error(`seed ${input.label.seed}: expected one session summary, got ${sessions.length}`);
  const session = sessions[0];
  const { matches, missed, unmatched } = matchReps(input.truth.reps, reps, input.clockOffsetS);
  return {
    label: input.label,
    truthRepCount: input.truth.reps.length,
    detectedRepCount: reps.length,
    matches,
    missed,
    falseReps: unmatched.map((detected) => ({ detected, overlapped: describeOverlap(detected, input.truth, input.clockOffsetS) })),
    cutoffCm: input.cutoffCm,
    ...scoreCues(input, cues, live),
    truthTilt: input.truth.pelvic_tilt,
    detectedTilt: session.pelvic_tilt,
    truthLordosisDeg: input.truth.standing_lordosis_deg,
    detectedLordosisDeg: session.standing_lordosis_deg,
    truthSacralDeg: input.truth.sacral_inclination_deg,
    detectedSacralDeg: session.sacral_inclination_deg,
    winkThresholdDeg: input.winkThresholdDeg,
    truthOnsetCm: winkOnsetCm(input.truth.reps.flatMap((r) => (r.butt_wink && r.wink_onset_depth_cm !== null ? [r.wink_onset_depth_cm] : []))),
    detectedCutoffCm: session.suggested_cutoff_cm,
  };
}

// ---- Pooling ---------------------------------------------------------------------------------------------

/** A share: value = hits / total (null when total is 0). */
export interface Ratio {
  readonly value: number | null;
  readonly hits: number;
  readonly total: number;
}
/** A mean absolute error over `n` pairs; `missing` counts truth values the pipeline reported as null. */
export interface MeanAbsError {
  readonly value: number | null;
  readonly n: number;
  readonly missing: number;
}
export interface WinkF1 {
  readonly value: number | null;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  /** Matched reps left out because their true wink is within the band around the threshold. */
  readonly excluded: number;
}
export interface CueTiming {
  readonly n: number;
  /** Median of the signed error (cue − true crossing), s. */
  readonly medianS: number | null;
  /** 90th percentile of |error|, s. */
  readonly p90AbsS: number | null;
  /** Share of hits within CUE_TIME_TOLERANCE_S. */
  readonly withinTolerance: Ratio;
}

export interface AccuracyMetrics {
  readonly sets: number;
  readonly repRecall: Ratio;
  readonly repPrecision: Ratio;
  readonly depthMaeCm: MeanAbsError;
  readonly lumbarFlexionMaeDeg: MeanAbsError;
  readonly winkF1: WinkF1;
  readonly winkOnsetMaeCm: MeanAbsError;
  readonly tiltAccuracy: Ratio;
  readonly standingLordosisMaeDeg: MeanAbsError;
  readonly sacralInclinationMaeDeg: MeanAbsError;
  readonly cueRecall: Ratio;
  readonly cuePrecision: Ratio;
  readonly cueTiming: CueTiming;
  /** Winking sets whose suggested cutoff lies in [true onset − 5 cm, true onset] (contract v1.1). */
  readonly suggestionInBand: Ratio;
  /** Diagnostic (needs live frames): causal peak depth − true depth over the cue targets, cm. */
  readonly causalPeakBiasCm: number | null;
  readonly causalPeakMaeCm: MeanAbsError;
}

export function ratio(hits: number, total: number): Ratio {
  return { value: total === 0 ? null : hits / total, hits, total };
}

/** MAE over pairs whose truth is known; a null estimate of a known truth counts as missing. */
export function meanAbsError(pairs: readonly (readonly [truth: number | null, estimate: number | null])[]): MeanAbsError {
  let sum = 0;
  let n = 0;
  let missing = 0;
  for (const [truth, estimate] of pairs) {
    if (truth === null) continue;
    if (estimate === null || !Number.isFinite(estimate)) {
      missing++;
      continue;
    }
    sum += Math.abs(estimate - truth);
    n++;
  }
  return { value: n === 0 ? null : sum / n, n, missing };
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (p in (0, 100]): the smallest value with at least p % of the values ≤ it. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}

export function winkF1(scores: readonly SetScore[]): WinkF1 {
  let tp = 0, fp = 0, fn = 0, tn = 0, excluded = 0;
  for (const score of scores) {
    for (const { truth, detected } of score.matches) {
      if (Math.abs(truth.wink_deg - score.winkThresholdDeg) <= WINK_EXCLUSION_BAND_DEG) {
        excluded++;
        continue;
      }
      if (truth.butt_wink && detected.butt_wink) tp++;
      else if (detected.butt_wink) fp++;
      else if (truth.butt_wink) fn++;
      else tn++;
    }
  }
  const positives = 2 * tp + fp + fn;
  return { value: positives === 0 ? null : (2 * tp) / positives, tp, fp, fn, tn, excluded };
}

export function summarize(scores: readonly SetScore[]): AccuracyMetrics {
  const matches = scores.flatMap((s) => s.matches);
  const twoSensor = scores.filter((s) => s.label.sensors === 'both');
  const cueOutcomes = scores.flatMap((s) => s.cues);
  const cueTargets = scores.flatMap((s) => s.cueTargets);
  const scoredCues = cueOutcomes.filter((c) => c.verdict !== 'unscored');
  const errors = cueOutcomes.flatMap((c) => (c.timingErrorS === null ? [] : [c.timingErrorS]));
  const sum = (f: (s: SetScore) => number): number => scores.reduce((a, s) => a + f(s), 0);
  return {
    sets: scores.length,
    repRecall: ratio(matches.length, sum((s) => s.truthRepCount)),
    repPrecision: ratio(matches.length, sum((s) => s.detectedRepCount)),
    depthMaeCm: meanAbsError(matches.map((m) => [m.truth.depth_cm, m.detected.depth_cm])),
    lumbarFlexionMaeDeg: meanAbsError(
      twoSensor.flatMap((s) => s.matches.map((m) => [m.truth.lumbar_flexion_max_deg, m.detected.lumbar_flexion_max_deg] as const)),
    ),
    winkF1: winkF1(scores),
    winkOnsetMaeCm: meanAbsError(
      matches
        .filter((m) => m.truth.butt_wink && m.detected.butt_wink)
        .map((m) => [m.truth.wink_onset_depth_cm, m.detected.wink_onset_depth_cm]),
    ),
    tiltAccuracy: ratio(scores.filter((s) => s.detectedTilt === s.truthTilt).length, scores.length),
    standingLordosisMaeDeg: meanAbsError(twoSensor.map((s) => [s.truthLordosisDeg, s.detectedLordosisDeg])),
    sacralInclinationMaeDeg: meanAbsError(scores.map((s) => [s.truthSacralDeg, s.detectedSacralDeg])),
    cueRecall: ratio(cueTargets.filter((c) => c.cued).length, cueTargets.length),
    cuePrecision: ratio(scoredCues.filter((c) => c.verdict === 'hit').length, scoredCues.length),
    cueTiming: {
      n: errors.length,
      medianS: median(errors),
      p90AbsS: percentile(errors.map(Math.abs), 90),
      withinTolerance: ratio(errors.filter((e) => Math.abs(e) <= CUE_TIME_TOLERANCE_S).length, errors.length),
    },
    suggestionInBand: ratio(
      scores.filter((s) => s.truthOnsetCm !== null && s.detectedCutoffCm !== null && s.detectedCutoffCm <= s.truthOnsetCm && s.detectedCutoffCm >= s.truthOnsetCm - SUGGESTION_BAND_CM).length,
      scores.filter((s) => s.truthOnsetCm !== null).length,
    ),
    causalPeakBiasCm: mean(cueTargets.flatMap((c) => (c.causalPeakCm === null ? [] : [c.causalPeakCm - c.truth.depth_cm]))),
    causalPeakMaeCm: meanAbsError(cueTargets.flatMap((c) => (c.causalPeakCm === null ? [] : [[c.truth.depth_cm, c.causalPeakCm] as const]))),
  };
}

// ---- Worst cases, for tuning -----------------------------------------------------------------------------

export interface WorstRep {
  readonly seed: number;
  readonly sensors: 'sacrum' | 'both';
  readonly rateHz: number;
  /** Truth rep index, or null for a detection outside every truth rep. */
  readonly rep: number | null;
  /** What went wrong, truth vs detected, in words. */
  readonly what: string;
  /** Size of the error, for ranking (units of the list). */
  readonly error: number;
}

/** The worst `rows` of a kind, largest error first, out of `total` cases. */
export interface WorstList {
  readonly total: number;
  readonly rows: readonly WorstRep[];
}

export interface WorstCases {
  readonly depth: WorstList;
  readonly lumbarFlexion: WorstList;
  readonly wink: WorstList;
  readonly cueTiming: WorstList;
  readonly missedReps: WorstList;
  readonly falseReps: WorstList;
  readonly falseOrMissedCues: WorstList;
}

const f1 = (v: number | null): string => (v === null ? 'null' : v.toFixed(1));

export function worstCases(scores: readonly SetScore[], count: number): WorstCases {
  const rows = (
    f: (s: SetScore) => { rep: number | null; what: string; error: number }[],
  ): WorstList => {
    const all = scores
      .flatMap((s) => f(s).map((r) => ({ seed: s.label.seed, sensors: s.label.sensors, rateHz: s.label.rateHz, ...r })))
      .sort((a, b) => b.error - a.error);
    return { total: all.length, rows: all.slice(0, count) };
  };
  return {
    depth: rows((s) =>
      s.matches.map(({ truth, detected }) => ({
        rep: truth.index,
        what: `depth ${f1(truth.depth_cm)} → ${f1(detected.depth_cm)} cm`,
        error: Math.abs(detected.depth_cm - truth.depth_cm),
      })),
    ),
    lumbarFlexion: rows((s) =>
      s.matches.flatMap(({ truth, detected }) =>
        truth.lumbar_flexion_max_deg === null
          ? []
          : [{
              rep: truth.index,
              what: `flexion max ${f1(truth.lumbar_flexion_max_deg)} → ${f1(detected.lumbar_flexion_max_deg)}°`,
              error: detected.lumbar_flexion_max_deg === null ? Infinity : Math.abs(detected.lumbar_flexion_max_deg - truth.lumbar_flexion_max_deg),
            }],
      ),
    ),
    wink: rows((s) =>
      s.matches.flatMap(({ truth, detected }) =>
        truth.butt_wink === detected.butt_wink || Math.abs(truth.wink_deg - s.winkThresholdDeg) <= WINK_EXCLUSION_BAND_DEG
          ? []
          : [{
              rep: truth.index,
              what: `wink ${f1(truth.wink_deg)}° (${truth.butt_wink ? 'wink' : 'none'}) → ${f1(detected.wink_deg)}° (${detected.butt_wink ? 'wink' : 'none'})`,
              error: Math.abs(detected.wink_deg - truth.wink_deg),
            }],
      ),
    ),
    cueTiming: rows((s) =>
      s.cues.flatMap((c) =>
        c.timingErrorS === null
          ? []
          : [{ rep: c.truthRep, what: `cue ${Math.abs(c.timingErrorS * 1000).toFixed(0)} ms ${c.timingErrorS < 0 ? 'before' : 'after'} the true crossing (cutoff ${s.cutoffCm.toFixed(1)} cm, cue depth ${c.cue.depth_cm.toFixed(1)} cm)`, error: Math.abs(c.timingErrorS) }],
      ),
    ),
    missedReps: rows((s) =>
      s.missed.map((truth) => ({ rep: truth.index, what: `missed rep, true depth ${f1(truth.depth_cm)} cm`, error: truth.depth_cm })),
    ),
    falseReps: rows((s) =>
      s.falseReps.map(({ detected, overlapped }) => ({
        rep: null,
        what: `false rep #${detected.index} at t_bottom ${detected.t_bottom.toFixed(2)} s, depth ${f1(detected.depth_cm)} cm, during ${overlapped}`,
        error: detected.depth_cm,
      })),
    ),
    falseOrMissedCues: rows((s) => [
      ...s.cues
        .filter((c) => c.verdict === 'false')
        .map((c) => ({ rep: c.truthRep, what: `false cue at ${c.cue.t.toFixed(2)} s: ${c.note}`, error: 1 })),
      ...s.cueTargets
        .filter((c) => !c.cued)
        .map((c) => ({
          rep: c.truth.index,
          what:
            `no cue, true depth ${f1(c.truth.depth_cm)} cm, cutoff ${s.cutoffCm.toFixed(1)} cm` +
            (c.causalPeakCm === null ? '' : `; causal depth peaked at ${f1(c.causalPeakCm)} cm, ${f1(c.causalDescentPeakCm)} cm in 'descent'`),
          error: 1,
        })),
    ]),
  };
}
