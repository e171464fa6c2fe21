/**
 * Turns a profile and the set options into the set's timeline: quiet standing, walk-out, reps with rests and
 * fidgets, re-rack, quiet standing — as body movements plus the facts the ground truth needs.
 */
import { DEG } from '../../shared/imu.ts';
import type { Rng } from '../../shared/rng.ts';
import type { AthleteProfile } from './profiles.ts';
import {
  CH,
  CHANNEL_COUNT,
  FidgetMovement,
  RepMovement,
  StepsMovement,
  pelvisPitchAt,
  trunkPitchAt,
} from './motion.ts';
import type { FidgetKind, Movement, RepPosture, SwayTerm } from './motion.ts';
import { RigState } from './rig.ts';
import type { SensorRig } from './rig.ts';

export interface ScriptOptions {
  readonly reps: number;
  readonly walkout: boolean;
  readonly sway: boolean;
  readonly fidgets: boolean;
  readonly quietStandingS: number | undefined;
  readonly repDepthsCm: readonly number[] | undefined;
  /** Per-rep tempo overriding the profile's jittered one (randomised sets); missing entries keep the profile's. */
  readonly repTempos?: readonly (RepTempo | undefined)[];
  /**
   * Time from the end of rep i's ascent to the start of rep i+1, s, overriding the profile's rest; negative
   * values overlap the reps (touch-and-go: the next descent starts while the ascent is still finishing).
   */
  readonly restsS?: readonly number[];
  /**
   * Mid-set start: no quiet standing and no walk-out; rep 1 starts at this time, s (negative: the recording
   * begins during rep 1). Undefined: the usual quiet standing and walk-out.
   */
  readonly leadInS?: number;
  /** Sway terms added to the profile's quiet-standing sway (a lifter who never stands still). */
  readonly extraSway?: readonly SwayTerm[];
}

export interface RepTempo {
  readonly descentS: number;
  readonly pauseS: number;
  readonly ascentS: number;
}

export interface NonRepMovement {
  readonly kind: 'walkout' | 'rerack' | 'fidget';
  /** Steps count for walk-out/re-rack; fidget kind for fidgets. */
  readonly detail: string;
  readonly tStart: number;
  readonly tEnd: number;
}

export interface ScriptedRep {
  readonly movement: RepMovement;
  readonly targetDepthCm: number;
}

export interface SetScript {
  readonly duration: number;
  readonly movements: readonly Movement[];
  readonly sway: readonly SwayTerm[];
  readonly reps: readonly ScriptedRep[];
  readonly nonRep: readonly NonRepMovement[];
  /** The first quiet standing, [0, end] s. */
  readonly quietStandingEnd: number;
}

/** Vertical drop (m) of the depth sensor for a static pose at hip drop h during a rep. */
function makeDropFunction(rig: SensorRig, depthSensor: number, sitBackRatio: number) {
  const ch = new Float64Array(CHANNEL_COUNT);
  const pos = new Float64Array(3);
  const rot = new Float64Array(9);
  const state = new RigState();
  rig.sensorPose(rig.solve(ch.fill(0), state), depthSensor, pos, rot);
  const standingZ = pos[2];
  return (posture: RepPosture, h: number): number => {
    ch.fill(0);
    ch[CH.hipZ] = -h;
    ch[CH.hipX] = -sitBackRatio * h;
    ch[CH.pelvisPitch] = pelvisPitchAt(posture, h);
    ch[CH.trunkPitch] = trunkPitchAt(posture, h);
    rig.sensorPose(rig.solve(ch, state), depthSensor, pos, rot);
    return standingZ - pos[2];
  };
}

/** Hip drop at which drop(h) = target (drop is increasing in h: the sensor rides on the hip). */
function solveHipDrop(drop: (h: number) => number, target: number): number {
  let lo = 0;
  let hi = 1.2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (drop(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The athlete's rep posture in hip-drop terms, solved so that the wink onset and the full depth land at the
 * profile's sacrum-sensor depths (the sensor rises with anterior tilt and sinks with the roll-back).
 */
function solvePosture(profile: AthleteProfile, drop: (p: RepPosture, h: number) => number): RepPosture {
  const onset = profile.winkOnsetCm / 100;
  const depth = profile.depthCm / 100;
  let onsetHip = onset;
  let fullHip = depth;
  let posture: RepPosture = {
    pelvicTiltPerM: (profile.pelvicTiltDegPerCm * DEG) / 0.01,
    trunkLeanPerM: (profile.trunkLeanDegPerCm * DEG) / 0.01,
    winkRad: profile.winkDeg * DEG,
    winkOnsetHipM: onsetHip,
    winkRampM: 0.03,
  };
  for (let i = 0; i < 8; i++) {
    posture = { ...posture, winkOnsetHipM: onsetHip, winkRampM: Math.max(0.03, fullHip - onsetHip) };
    onsetHip += onset - drop(posture, onsetHip);
    fullHip += depth - drop(posture, fullHip);
  }
  return posture;
}

function clampedGaussian(rng: Rng, sd: number, limit: number): number {
  return Math.max(-limit, Math.min(limit, sd * rng.gaussian()));
}

function jitter(rng: Rng, value: number): number {
  return value * (1 + clampedGaussian(rng, 0.08, 0.2));
}

function swayTerms(rng: Rng, scale: number): SwayTerm[] {
  const terms: SwayTerm[] = [];
  const add = (channel: number, amplitude: number, fLow: number, fHigh: number, phase?: number): number => {
    const p = phase ?? rng.uniform(0, 2 * Math.PI);
    terms.push({ channel, amplitude: amplitude * scale, omega: 2 * Math.PI * rng.uniform(fLow, fHigh), phase: p });
    return p;
  };
  // Ankle-strategy body sway: slow, mm-sized hip drift with small pelvis rotations.
  add(CH.hipX, 0.002, 0.05, 0.15);
  add(CH.hipX, 0.001, 0.2, 0.4);
  add(CH.hipX, 0.0004, 0.5, 0.9);
  add(CH.hipY, 0.0012, 0.05, 0.2);
  add(CH.hipY, 0.0006, 0.3, 0.6);
  add(CH.pelvisPitch, 0.15 * DEG, 0.1, 0.3);
  add(CH.pelvisRoll, 0.12 * DEG, 0.1, 0.4);
  add(CH.pelvisYaw, 0.15 * DEG, 0.05, 0.3);
  add(CH.trunkPitch, 0.1 * DEG, 0.1, 0.3);
  add(CH.trunkRoll, 0.08 * DEG, 0.1, 0.4);
  // Breathing (~0.25 Hz): the lower trunk extends and the hip lifts a little on each breath.
  const breath = 2 * Math.PI * rng.uniform(0.2, 0.3);
  const phase = rng.uniform(0, 2 * Math.PI);
  terms.push({ channel: CH.trunkPitch, amplitude: -0.3 * DEG * scale, omega: breath, phase });
  terms.push({ channel: CH.pelvisPitch, amplitude: -0.08 * DEG * scale, omega: breath, phase });
  terms.push({ channel: CH.hipZ, amplitude: 0.0008 * scale, omega: breath, phase });
  return terms;
}

function stepsPlan(rng: Rng, tStart: number, steps: number, travelM: number) {
  return new StepsMovement({
    tStart,
    steps,
    stepS: rng.uniform(0.65, 0.95),
    travelM,
    bobM: rng.uniform(0.01, 0.03),
    lateralM: rng.uniform(0.01, 0.03),
    yawRad: rng.uniform(2, 5) * DEG,
    rollRad: rng.uniform(1.5, 4) * DEG,
    pitchRad: rng.uniform(-2, 2) * DEG,
    firstSide: rng.next() < 0.5 ? 1 : -1,
  });
}

function fidget(rng: Rng, tStart: number, durationS: number): FidgetMovement {
  const kind: FidgetKind = (['shift', 'look', 'shrug'] as const)[rng.int(0, 2)];
  const sign = rng.next() < 0.5 ? -1 : 1;
  if (kind === 'shift') {
    return new FidgetMovement({
      kind, tStart, durationS,
      a: rng.uniform(-0.02, 0.02),
      b: rng.uniform(-0.02, 0.02),
      c: rng.uniform(-1.5, 1.5) * DEG,
    });
  }
  if (kind === 'look') {
    return new FidgetMovement({ kind, tStart, durationS, a: sign * rng.uniform(3, 10) * DEG, b: 0, c: 0 });
  }
  return new FidgetMovement({ kind, tStart, durationS, a: rng.uniform(0.003, 0.01), b: rng.uniform(1, 3) * DEG, c: 0 });
}

/** Time kept free of fidgets before a rep: the standing reference is taken there. */
const CLEAR_BEFORE_REP_S = 0.8;

export function buildScript(
  profile: AthleteProfile,
  options: ScriptOptions,
  rig: SensorRig,
  depthSensor: number,
  rng: Rng,
): SetScript {
  const movements: Movement[] = [];
  const reps: ScriptedRep[] = [];
  const nonRep: NonRepMovement[] = [];
  const dropFor = makeDropFunction(rig, depthSensor, profile.sitBackRatio);
  const posture = solvePosture(profile, dropFor);

  const midSet = options.leadInS !== undefined;
  const quietStandingEnd = midSet ? 0 : Math.max(3, options.quietStandingS ?? rng.uniform(3, 5));
  let t = options.leadInS ?? quietStandingEnd;
  let walkoutSteps = 0;
  let walkoutTravel = 0;
  // A set that starts mid-movement has no walk-out (and so no re-rack): the lifter is already squatting.
  const walkout = options.walkout && !midSet;
  if (walkout) {
    walkoutSteps = rng.int(2, 4);
    walkoutTravel = -walkoutSteps * rng.uniform(0.12, 0.25);
    const steps = stepsPlan(rng, t, walkoutSteps, walkoutTravel);
    movements.push(steps);
    nonRep.push({ kind: 'walkout', detail: `${walkoutSteps} steps`, tStart: steps.t0, tEnd: steps.t1 });
    t = steps.t1 + rng.uniform(2, 4);
  }

  for (let i = 0; i < options.reps; i++) {
    const requested = options.repDepthsCm?.[i];
    const targetDepthCm =
      requested !== undefined && Number.isFinite(requested)
        ? requested
        : profile.depthCm + clampedGaussian(rng, profile.depthJitterCm, 2 * profile.depthJitterCm);
    const hipDropM = solveHipDrop((h) => dropFor(posture, h), targetDepthCm / 100);
    const tempo = options.repTempos?.[i];
    const rep = new RepMovement({
      tStart: t,
      descentS: tempo?.descentS ?? jitter(rng, profile.descentS),
      pauseS: tempo !== undefined ? tempo.pauseS : profile.pauseS > 0 ? jitter(rng, profile.pauseS) : 0,
      ascentS: tempo?.ascentS ?? jitter(rng, profile.ascentS),
      hipDropM,
      sitBackRatio: profile.sitBackRatio,
      posture,
      rollAtBottomRad: clampedGaussian(rng, 1, 2.5) * DEG,
      yawAtBottomRad: clampedGaussian(rng, 1, 2.5) * DEG,
    });
    movements.push(rep);
    reps.push({ movement: rep, targetDepthCm });
    t = rep.t1;
    if (i === options.reps - 1) break;
    const drawnRest = rng.uniform(profile.restS[0], profile.restS[1]);
    const rest = options.restsS?.[i] ?? drawnRest;
    const fidgetS = rng.uniform(0.8, 1.3);
    const fidgetChance = rng.next();
    const lead = 0.3;
    if (options.fidgets && fidgetChance < profile.fidgetProbability && rest >= lead + fidgetS + CLEAR_BEFORE_REP_S) {
      const start = t + rng.uniform(lead, rest - fidgetS - CLEAR_BEFORE_REP_S);
      const f = fidget(rng, start, fidgetS);
      movements.push(f);
      nonRep.push({ kind: 'fidget', detail: f.plan.kind, tStart: f.t0, tEnd: f.t1 });
    }
    t += rest;
  }

  t += rng.uniform(1, 2);
  if (walkout) {
    const steps = stepsPlan(rng, t, walkoutSteps, -walkoutTravel);
    movements.push(steps);
    nonRep.push({ kind: 'rerack', detail: `${walkoutSteps} steps`, tStart: steps.t0, tEnd: steps.t1 });
    t = steps.t1;
  }
  const duration = t + rng.uniform(2, 3);
  const sway = [...(options.sway ? swayTerms(rng, profile.swayScale) : []), ...(options.extraSway ?? [])];
  return { duration, movements, sway, reps, nonRep, quietStandingEnd };
}
