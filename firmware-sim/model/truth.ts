/**
 * Per-rep and per-set ground truth by the operational definitions of docs/INTERFACES.md §2, evaluated from the
 * model's noise-free sensor poses on a 1 kHz grid of true time. Field names follow the contract (snake_case).
 */
import type { RepFields } from '../../shared/rep.ts';
import type { SensorInfo } from '../../shared/imu.ts';
import { classifyPelvicTilt, suggestedCutoffCm } from '../../shared/posture.ts';
import type { PelvicTilt, TiltThresholds } from '../../shared/posture.ts';
import type { SetScript } from './script.ts';

/** Grid step of the truth evaluation, s. */
export const TRUTH_STEP_S = 0.001;
/** The standing reference of a rep (height and θ of each sensor) is their mean over this long before t_start, s. */
export const STANDING_REFERENCE_WINDOW_S = 0.5;

/** A rep's truth: the contract's fields (t_start is the scripted start of the hip drop, t_end the end of the ascent) and more. */
export interface RepTruth extends RepFields {
  /** Time of the largest Δθ_sacrum up to the end of the bottom phase, s. */
  readonly t_peak: number;
  /** First and last samples with depth ≥ 95 % of depth_cm, s. */
  readonly bottom_phase_start: number;
  readonly bottom_phase_end: number;
  /** Depth the script aimed for, cm (the measured depth_cm differs by sway and the rep's dynamics). */
  readonly target_depth_cm: number;
}

export interface MovementTruth {
  /** `cut_rep`: a rep whose bottom lies before the recording starts (mid-set start): not a rep of the set. */
  readonly kind: 'walkout' | 'rerack' | 'fidget' | 'cut_rep';
  readonly detail: string;
  readonly t_start: number;
  readonly t_end: number;
}

export interface SetTruth {
  readonly profile: string;
  readonly seed: number;
  readonly duration: number;
  readonly sensors: readonly TruthSensor[];
  /** Reps whose bottom lies inside the recording (t_bottom ≥ 0), re-indexed from 1. */
  readonly reps: readonly RepTruth[];
  /** Everything that moves but is not a rep, for scoring rep detectors. */
  readonly movements: readonly MovementTruth[];
  /**
   * Mean over the first quiet standing [0, quiet_standing_end]; for a set that starts mid-movement
   * (quiet_standing_end 0), mean of the model's standing posture (reps left out) over the first
   * MODEL_STANDING_WINDOW_S. Null with one sensor.
   */
  readonly standing_lordosis_deg: number | null;
  readonly sacral_inclination_deg: number;
  readonly pelvic_tilt: PelvicTilt;
  readonly suggested_cutoff_cm: number | null;
  readonly quiet_standing_end: number;
  readonly wink_threshold_deg: number;
}

/** A sensor of the truth: as in the recording, plus which way round it was clipped on. */
export interface TruthSensor extends SensorInfo {
  readonly face: 'out' | 'in';
}

/** Evaluates every sensor at true time t: height z (m) and skin inclination θ (deg, of the outward normal). */
export type TruthSampler = (t: number, heightM: Float64Array, inclinationDeg: Float64Array) => void;

/** Standing posture window of a set with no quiet standing (mid-set start), s. */
export const MODEL_STANDING_WINDOW_S = 3;

/**
 * Whether the standing reference of a rep starting at tStart comes from the model's standing posture (the body
 * with every rep left out: sway, fidgets and steps stay) instead of the actual pose: when its window starts
 * before the recording, or another rep is still moving in it (touch-and-go): the standing the lifter would have
 * there — the quiet standing seen earlier, refreshed (docs/INTERFACES.md §2, v1.1). Never the case for sets with
 * a quiet start and ≥ 0.5 s rests. A touch-and-go rep with no quiet standing before it is measured from the
 * actual upright top instead (uprightTopTime, checked first).
 */
export function referenceFromModel(script: SetScript, tStart: number): boolean {
  const t0 = tStart - STANDING_REFERENCE_WINDOW_S;
  if (t0 < 0) return script.quietStandingEnd <= 0;
  return script.reps.some(({ movement: m }) => m.t0 < tStart && m.t1 > t0);
}

/**
 * A movement-free stretch between reps at least this long is quiet standing, s: the gateway compares
 * touch-and-go tops with a standing of 1 s (athlete-pipeline.ts, MIN_STANDING_REFERENCE_S).
 */
export const QUIET_STANDING_MIN_S = 1;
/** The upright top is searched this far on either side of the overlap of two touch-and-go reps, s. */
const UPRIGHT_TOP_SEARCH_S = 0.5;

/**
 * Contract v1.1 §2: a lifter who never stood still before a touch-and-go rep (no quiet start and no rest of
 * QUIET_STANDING_MIN_S between earlier reps) has only the upright top between reps as the standing reference —
 * and a touch-and-go lifter rarely stands all the way up, so that top may lie a few centimetres below the
 * standing height the body would have (referenceFromModel), which nothing in the samples can tell. Returns the
 * true time of that top (where the depth sensor was highest between the two reps), or null when the rep has
 * no predecessor, began before the recording, its reference window overlaps no other rep, or a quiet standing
 * came before it (referenceFromModel then decides). `heightAt(t)`: the depth sensor's height at true time t.
 */
export function uprightTopTime(script: SetScript, tStart: number, heightAt: (t: number) => number): number | null {
  const i = script.reps.findIndex((r) => r.movement.t0 === tStart);
  if (i <= 0 || tStart < 0 || script.quietStandingEnd > 0) return null;
  const previous = script.reps[i - 1].movement;
  if (previous.t1 <= tStart - STANDING_REFERENCE_WINDOW_S) return null;
  for (let j = 1; j <= i; j++) {
    if (script.reps[j].movement.t0 - script.reps[j - 1].movement.t1 >= QUIET_STANDING_MIN_S) return null;
  }
  const from = Math.max(0, Math.min(tStart, previous.t1) - UPRIGHT_TOP_SEARCH_S);
  const to = Math.max(tStart, previous.t1) + UPRIGHT_TOP_SEARCH_S;
  let top = from;
  let topZ = -Infinity;
  for (let t = from; t <= to; t += TRUTH_STEP_S) {
    const z = heightAt(t);
    if (z > topZ) {
      topZ = z;
      top = t;
    }
  }
  return top;
}

export interface TruthInputs {
  readonly profile: string;
  readonly seed: number;
  readonly sensors: readonly (SensorInfo & { readonly face?: 'out' | 'in' })[];
  readonly script: SetScript;
  readonly sample: TruthSampler;
  /** The same, for the model's standing posture (reps left out); used by referenceFromModel's cases. */
  readonly sampleStanding: TruthSampler;
  readonly winkThresholdDeg: number;
  readonly tiltThresholds: TiltThresholds;
}

export function computeTruth(input: TruthInputs): SetTruth {
  const { sensors, script, sample } = input;
  const n = sensors.length;
  const sacrum = sensors.findIndex((s) => s.placement === 'sacrum');
  const thoracolumbar = sensors.findIndex((s) => s.placement === 'thoracolumbar');
  const depthSensor = sacrum >= 0 ? sacrum : thoracolumbar;
  const height = new Float64Array(n);
  const theta = new Float64Array(n);

  const meanOver = (t0: number, t1: number, zMean: Float64Array, thMean: Float64Array, sampler = sample): void => {
    zMean.fill(0);
    thMean.fill(0);
    const steps = Math.max(1, Math.round((t1 - t0) / TRUTH_STEP_S));
    for (let k = 0; k <= steps; k++) {
      sampler(t0 + k * TRUTH_STEP_S, height, theta);
      for (let i = 0; i < n; i++) {
        zMean[i] += height[i] / (steps + 1);
        thMean[i] += theta[i] / (steps + 1);
      }
    }
  };

  const refZ = new Float64Array(n);
  const refTheta = new Float64Array(n);
  const cutReps: MovementTruth[] = [];
  const allReps = script.reps.map((scripted) => {
    const tStart = scripted.movement.t0;
    const tEnd = scripted.movement.t1;
    const top = uprightTopTime(script, tStart, (t) => {
      sample(t, height, theta);
      return height[depthSensor];
    });
    if (top !== null) {
      sample(top, refZ, refTheta);
    } else if (referenceFromModel(script, tStart)) {
      meanOver(tStart - STANDING_REFERENCE_WINDOW_S, tStart, refZ, refTheta, input.sampleStanding);
    } else {
      meanOver(Math.max(0, tStart - STANDING_REFERENCE_WINDOW_S), tStart, refZ, refTheta);
    }
    const count = Math.round((tEnd - tStart) / TRUTH_STEP_S) + 1;
    const depth = new Float64Array(count);
    const pelvis = new Float64Array(count);
    let flexionMax = -Infinity;
    let deepest = 0;
    for (let k = 0; k < count; k++) {
      sample(tStart + k * TRUTH_STEP_S, height, theta);
      depth[k] = (refZ[depthSensor] - height[depthSensor]) * 100;
      if (depth[k] > depth[deepest]) deepest = k;
      if (sacrum >= 0) pelvis[k] = theta[sacrum] - refTheta[sacrum];
      if (sacrum >= 0 && thoracolumbar >= 0) {
        flexionMax = Math.max(flexionMax, theta[thoracolumbar] - refTheta[thoracolumbar] - pelvis[k]);
      }
    }
    const depthCm = depth[deepest];
    let first = -1;
    let last = -1;
    for (let k = 0; k < count; k++) {
      if (depth[k] >= 0.95 * depthCm) {
        if (first < 0) first = k;
        last = k;
      }
    }
    let peak = 0;
    for (let k = 1; k <= last; k++) if (pelvis[k] > pelvis[peak]) peak = k;
    let lowest = pelvis[peak];
    for (let k = peak; k <= last; k++) lowest = Math.min(lowest, pelvis[k]);
    const winkDeg = pelvis[peak] - lowest;
    const buttWink = winkDeg >= input.winkThresholdDeg;
    return {
      index: 0,
      t_start: tStart,
      t_bottom: tStart + deepest * TRUTH_STEP_S,
      t_end: tEnd,
      depth_cm: depthCm,
      lumbar_flexion_max_deg: Number.isFinite(flexionMax) ? flexionMax : null,
      wink_deg: winkDeg,
      butt_wink: buttWink,
      wink_onset_depth_cm: buttWink ? depth[peak] : null,
      t_peak: tStart + peak * TRUTH_STEP_S,
      bottom_phase_start: tStart + first * TRUTH_STEP_S,
      bottom_phase_end: tStart + last * TRUTH_STEP_S,
      target_depth_cm: scripted.targetDepthCm,
    };
  });
  // Mid-set start: a rep whose bottom came before the recording is not a rep of it (only its ascent is seen).
  const reps: RepTruth[] = [];
  for (const rep of allReps) {
    if (rep.t_bottom >= 0) reps.push({ ...rep, index: reps.length + 1 });
    else cutReps.push({ kind: 'cut_rep', detail: 'bottom before the recording', t_start: rep.t_start, t_end: rep.t_end });
  }

  if (script.quietStandingEnd > 0) meanOver(0, script.quietStandingEnd, refZ, refTheta);
  else meanOver(0, Math.min(MODEL_STANDING_WINDOW_S, script.duration), refZ, refTheta, input.sampleStanding);
  const sacralDeg = refTheta[depthSensor];
  const lordosisDeg = sacrum >= 0 && thoracolumbar >= 0 ? refTheta[sacrum] - refTheta[thoracolumbar] : null;
  return {
    profile: input.profile,
    seed: input.seed,
    duration: script.duration,
    sensors: sensors.map((s) => ({ id: s.id, placement: s.placement, face: s.face ?? 'out' })),
    reps,
    movements: [
      ...cutReps,
      ...script.nonRep.map((m) => ({ kind: m.kind, detail: m.detail, t_start: m.tStart, t_end: m.tEnd })),
    ],
    standing_lordosis_deg: lordosisDeg,
    sacral_inclination_deg: sacralDeg,
    pelvic_tilt: classifyPelvicTilt(lordosisDeg, sacralDeg, input.tiltThresholds)!,
    suggested_cutoff_cm: suggestedCutoffCm(reps.filter((r) => r.butt_wink).map((r) => r.wink_onset_depth_cm!)),
    quiet_standing_end: script.quietStandingEnd,
    wink_threshold_deg: input.winkThresholdDeg,
  };
}
