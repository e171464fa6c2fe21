/**
 * Per-rep and per-set ground truth by the operational definitions of INTERFACES.md §2, evaluated from the
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
  readonly kind: 'walkout' | 'rerack' | 'fidget';
  readonly detail: string;
  readonly t_start: number;
  readonly t_end: number;
}

export interface SetTruth {
  readonly profile: string;
  readonly seed: number;
  readonly duration: number;
  readonly sensors: readonly SensorInfo[];
  readonly reps: readonly RepTruth[];
  /** Everything that moves but is not a rep, for scoring rep detectors. */
  readonly movements: readonly MovementTruth[];
  /** Mean over the first quiet standing [0, quiet_standing_end]. Null with one sensor. */
  readonly standing_lordosis_deg: number | null;
  readonly sacral_inclination_deg: number;
  readonly pelvic_tilt: PelvicTilt;
  readonly suggested_cutoff_cm: number | null;
  readonly quiet_standing_end: number;
  readonly wink_threshold_deg: number;
}

/** Evaluates every sensor at true time t: height z (m) and skin inclination θ (deg). */
export type TruthSampler = (t: number, heightM: Float64Array, inclinationDeg: Float64Array) => void;

export interface TruthInputs {
  readonly profile: string;
  readonly seed: number;
  readonly sensors: readonly SensorInfo[];
  readonly script: SetScript;
  readonly sample: TruthSampler;
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

  const meanOver = (t0: number, t1: number, zMean: Float64Array, thMean: Float64Array): void => {
    zMean.fill(0);
    thMean.fill(0);
    const steps = Math.max(1, Math.round((t1 - t0) / TRUTH_STEP_S));
    for (let k = 0; k <= steps; k++) {
      sample(t0 + k * TRUTH_STEP_S, height, theta);
      for (let i = 0; i < n; i++) {
        zMean[i] += height[i] / (steps + 1);
        thMean[i] += theta[i] / (steps + 1);
      }
    }
  };

  const refZ = new Float64Array(n);
  const refTheta = new Float64Array(n);
  const reps: RepTruth[] = script.reps.map((scripted, r) => {
    const tStart = scripted.movement.t0;
    const tEnd = scripted.movement.t1;
    meanOver(Math.max(0, tStart - STANDING_REFERENCE_WINDOW_S), tStart, refZ, refTheta);
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
      index: r + 1,
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

  meanOver(0, script.quietStandingEnd, refZ, refTheta);
  const sacralDeg = refTheta[depthSensor];
  const lordosisDeg = sacrum >= 0 && thoracolumbar >= 0 ? refTheta[sacrum] - refTheta[thoracolumbar] : null;
  return {
    profile: input.profile,
    seed: input.seed,
    duration: script.duration,
    sensors: sensors.map((s) => ({ id: s.id, placement: s.placement })),
    reps,
    movements: script.nonRep.map((m) => ({ kind: m.kind, detail: m.detail, t_start: m.tStart, t_end: m.tEnd })),
    standing_lordosis_deg: lordosisDeg,
    sacral_inclination_deg: sacralDeg,
    pelvic_tilt: classifyPelvicTilt(lordosisDeg, sacralDeg, input.tiltThresholds)!,
    suggested_cutoff_cm: suggestedCutoffCm(reps.filter((r) => r.butt_wink).map((r) => r.wink_onset_depth_cm!)),
    quiet_standing_end: script.quietStandingEnd,
    wink_threshold_deg: input.winkThresholdDeg,
  };
}
