/**
 * The simulated sets the sensing core is scored on. Two disjoint seed ranges: TUNING (developers may look at
 * these while tuning) and HELD_OUT (only the report uses them), so the report measures accuracy on athletes the
 * tuning never saw. Every set is a random athlete (profileFromSeed: all three standing postures, winkers and
 * non-winkers), one or two sensors, 100 or 200 Hz, 3 % burst packet loss, walk-out and re-rack, fidgets,
 * 6–8 reps of which two are partial (so that the depth cue can be scored on both sides of the cutoff).
 */
import type { ImuSample, SensorInfo } from '../../shared/imu.ts';
import type { OutputRateHz } from '../../shared/protocol/index.ts';
import { Rng } from '../../shared/rng.ts';
import { simulateRecording } from '../../gateway/sources/simulated-recording.ts';
import type { LinkFaultConfig } from '../../firmware-sim/link/index.ts';
import { buildSquatSet, profileFromSeed } from '../../firmware-sim/model/index.ts';
import type { AthleteProfile, SetTruth } from '../../firmware-sim/model/index.ts';
import { trueCutoffCrossings } from './true-crossing.ts';

export type SeedRange = 'tuning' | 'held-out';

/** Tuning seeds are 1…TUNING_SEED_COUNT; held-out seeds are HELD_OUT_SEED_BASE + k. */
export const TUNING_SEED_COUNT = 999;
export const HELD_OUT_SEED_BASE = 1_000_000;
export const DEFAULT_SET_COUNT = 48;

/** 3 % of notifications lost in bursts of 3 on average; latency one to a few 7.5 ms connection intervals. */
export const EVALUATION_LINK: LinkFaultConfig = {
  lossRate: 0.03,
  meanBurstLength: 3,
  lossInBadState: 1,
  latencyS: { min: 0.0075, max: 0.03 },
};
/**
 * Recording clock − true time, s: the simulated gateway stamps a sample when it arrives, at least the link's
 * minimum latency after it was taken (simulate-recording.ts). Truth times are shifted by this before comparing.
 */
export const RECORDING_CLOCK_OFFSET_S = EVALUATION_LINK.latencyS!.min;

/** Partial reps go to this share of the athlete's depth: well short of a cutoff placed below them. */
const PARTIAL_DEPTH_SHARE: readonly [number, number] = [0.55, 0.68];
const PARTIAL_REPS_PER_SET = 2;

export interface EvaluationSetSpec {
  readonly seed: number;
  readonly profile: AthleteProfile;
  readonly sensors: 'sacrum' | 'both';
  readonly rateHz: OutputRateHz;
  readonly reps: number;
  /** Target depth of each rep, cm; NaN keeps the profile's (full rep). */
  readonly repDepthsCm: readonly number[];
}

/**
 * The k-th set of a range (k = 0, 1, …). Sensors alternate every set and the rate every two sets, so any four
 * consecutive sets cover one/two sensors × 100/200 Hz; the rep count cycles 6, 7, 8.
 */
export function evaluationSetSpec(range: SeedRange, k: number): EvaluationSetSpec {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`set index must be a whole number ≥ 0, got ${k}`);
  if (range === 'tuning' && k >= TUNING_SEED_COUNT) throw new RangeError(`the tuning range has ${TUNING_SEED_COUNT} seeds`);
  const seed = range === 'tuning' ? 1 + k : HELD_OUT_SEED_BASE + k;
  const profile = profileFromSeed(seed);
  const reps = 6 + (k % 3);
  // A stream of its own, so the evaluation design does not shift any of the simulator's draws.
  const rng = new Rng((seed ^ 0xacc0e7a1) >>> 0);
  const partial = new Set<number>();
  while (partial.size < PARTIAL_REPS_PER_SET) partial.add(rng.int(0, reps - 1));
  const repDepthsCm = Array.from({ length: reps }, (_, i) =>
    partial.has(i) ? profile.depthCm * rng.uniform(PARTIAL_DEPTH_SHARE[0], PARTIAL_DEPTH_SHARE[1]) : Number.NaN,
  );
  return {
    seed,
    profile,
    sensors: k % 2 === 0 ? 'sacrum' : 'both',
    rateHz: Math.floor(k / 2) % 2 === 0 ? 100 : 200,
    reps,
    repDepthsCm,
  };
}

export function evaluationSetSpecs(range: SeedRange, count: number): EvaluationSetSpec[] {
  return Array.from({ length: count }, (_, k) => evaluationSetSpec(range, k));
}

export interface EvaluationSet {
  readonly spec: EvaluationSetSpec;
  readonly sensors: SensorInfo[];
  readonly samples: ImuSample[];
  readonly truth: SetTruth;
  /** Depth cutoff given to the pipeline, cm. */
  readonly cutoffCm: number;
  /** Per truth rep, the true time its depth first reaches the cutoff (null: it stays shallower). */
  readonly trueCrossings: readonly (number | null)[];
  readonly winkThresholdDeg: number;
  /** BLE frames lost and received over all sensors of the set (after the link and ingest). */
  readonly framesLost: number;
  readonly framesReceived: number;
}

/**
 * The cue cutoff of a set: halfway between its deepest partial rep and its shallowest full rep (true depths),
 * to 0.1 cm — as far from both groups as the set allows, so that few reps fall in the unscored ±2 cm band.
 */
export function cutoffBetween(truthDepthsCm: readonly number[], partial: readonly boolean[]): number {
  const deepestPartial = Math.max(...truthDepthsCm.filter((_, i) => partial[i]));
  const shallowestFull = Math.min(...truthDepthsCm.filter((_, i) => !partial[i]));
  return Math.round(((deepestPartial + shallowestFull) / 2) * 10) / 10;
}

/** Simulates a set end to end (model → firmware → lossy link → ingest) and derives its cue reference. */
export function simulateEvaluationSet(spec: EvaluationSetSpec): EvaluationSet {
  const modelOptions = { repDepthsCm: spec.repDepthsCm };
  const recording = simulateRecording({
    profile: spec.profile,
    seed: spec.seed,
    reps: spec.reps,
    sensors: spec.sensors,
    rateHz: spec.rateHz,
    link: EVALUATION_LINK,
    model: modelOptions,
  });
  const partial = spec.repDepthsCm.map((d) => Number.isFinite(d));
  const cutoffCm = cutoffBetween(recording.truth.reps.map((r) => r.depth_cm), partial);
  // The same model again, noise-free access only: simulateRecording has consumed its set's sensor streams.
  const model = buildSquatSet({ ...modelOptions, profile: spec.profile, seed: spec.seed, reps: spec.reps, sensors: spec.sensors });
  return {
    spec,
    sensors: recording.sensors,
    samples: recording.samples,
    truth: recording.truth,
    cutoffCm,
    trueCrossings: trueCutoffCrossings(model, cutoffCm),
    winkThresholdDeg: recording.truth.wink_threshold_deg,
    framesLost: recording.report.reduce((n, r) => n + r.frames_lost, 0),
    framesReceived: recording.report.reduce((n, r) => n + r.frames_received, 0),
  };
}

/** What the sets contain, for the report's design section (class counts show all postures are present). */
export interface DesignSummary {
  readonly sets: number;
  readonly seeds: readonly [first: number, last: number];
  readonly postures: Readonly<Record<string, number>>;
  readonly sensors: Readonly<Record<string, number>>;
  readonly ratesHz: Readonly<Record<string, number>>;
  readonly reps: number;
  readonly partialReps: number;
  readonly winkingReps: number;
  readonly movements: Readonly<Record<string, number>>;
  readonly cutoffCm: readonly [min: number, max: number];
  /** Reps by true depth against their set's cutoff: past it by ≥ margin, short of it by ≥ margin, in between. */
  readonly repsVersusCutoff: { readonly past: number; readonly short: number; readonly near: number };
  readonly frameLossShare: number;
  readonly durationS: number;
}

export function summarizeDesign(sets: readonly EvaluationSet[], cueMarginCm: number): DesignSummary {
  const count = (keys: string[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const k of keys) out[k] = (out[k] ?? 0) + 1;
    return out;
  };
  const offsets = sets.flatMap((s) => s.truth.reps.map((r) => r.depth_cm - s.cutoffCm));
  const lost = sets.reduce((n, s) => n + s.framesLost, 0);
  const received = sets.reduce((n, s) => n + s.framesReceived, 0);
  return {
    sets: sets.length,
    seeds: [sets[0].spec.seed, sets[sets.length - 1].spec.seed],
    postures: count(sets.map((s) => s.truth.pelvic_tilt)),
    sensors: count(sets.map((s) => (s.spec.sensors === 'both' ? 'two (sacrum + thoracolumbar)' : 'one (sacrum)'))),
    ratesHz: count(sets.map((s) => `${s.spec.rateHz} Hz`)),
    reps: sets.reduce((n, s) => n + s.truth.reps.length, 0),
    partialReps: sets.reduce((n, s) => n + s.spec.repDepthsCm.filter(Number.isFinite).length, 0),
    winkingReps: sets.reduce((n, s) => n + s.truth.reps.filter((r) => r.butt_wink).length, 0),
    movements: count(sets.flatMap((s) => s.truth.movements.map((m) => m.kind))),
    cutoffCm: [Math.min(...sets.map((s) => s.cutoffCm)), Math.max(...sets.map((s) => s.cutoffCm))],
    repsVersusCutoff: {
      past: offsets.filter((d) => d >= cueMarginCm).length,
      short: offsets.filter((d) => d <= -cueMarginCm).length,
      near: offsets.filter((d) => Math.abs(d) < cueMarginCm).length,
    },
    frameLossShare: lost / (lost + received),
    durationS: sets.reduce((n, s) => n + s.truth.duration, 0),
  };
}
