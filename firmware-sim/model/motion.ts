/**
 * The athlete's body motion as a sum of smooth, time-bounded movements (reps, steps, fidgets) plus
 * quiet-standing sway, sampled as a small vector of "channels" relative to the standing pose.
 */
import { bump, minJerk, softSaturate } from './smooth.ts';

/** Channel layout: metres for the hip, radians for the angles. */
export const CH = {
  /** Hip joint centre displacement, earth frame (x forward, y left, z up). */
  hipX: 0,
  hipY: 1,
  hipZ: 2,
  /** Change of the pelvis (sacral skin) inclination, + = anterior tilt. */
  pelvisPitch: 3,
  /** Side bend of the pelvis about the forward axis. */
  pelvisRoll: 4,
  /** Heading change of the pelvis. */
  pelvisYaw: 5,
  /** Change of the thoracolumbar skin inclination (absolute, not relative to the pelvis), + = forward. */
  trunkPitch: 6,
  /** Side bend / heading of the lower trunk on top of the pelvis'. */
  trunkRoll: 7,
  trunkYaw: 8,
} as const;
export const CHANNEL_COUNT = 9;

/** A movement active over [t0, t1]; after t1 it leaves `final` behind (e.g. the athlete now stands elsewhere). */
export interface Movement {
  readonly t0: number;
  readonly t1: number;
  /** Adds the movement's channel values at t ∈ [t0, t1) to ch. */
  add(t: number, ch: Float64Array): void;
  /** Channel offsets the movement leaves after t1 (zeros for most). */
  readonly final: Float64Array;
}

/** How the pelvis and trunk angles follow the hip drop h (m) during a rep; angles in radians. */
export interface RepPosture {
  /** Anterior pelvic tilt per metre of hip drop. */
  readonly pelvicTiltPerM: number;
  /** Thoracolumbar forward lean per metre of hip drop. */
  readonly trunkLeanPerM: number;
  /** Posterior roll-back magnitude (0 = none). */
  readonly winkRad: number;
  /** Hip drop at which the anterior tilt has levelled off and the roll-back starts. */
  readonly winkOnsetHipM: number;
  /** Hip drop over which the roll-back develops (onset → the athlete's full depth). */
  readonly winkRampM: number;
}

/** Width of the bend-over of the anterior pelvic tilt before the wink onset (m of hip drop). */
const TILT_KNEE_WIDTH_M = 0.06;

/** Δθ_sacrum (rad) at hip drop h: forward tilt levelling off at the onset, then the posterior roll-back. */
export function pelvisPitchAt(p: RepPosture, h: number): number {
  if (p.winkRad <= 0) return p.pelvicTiltPerM * h;
  const tilt = p.pelvicTiltPerM * softSaturate(h, p.winkOnsetHipM - TILT_KNEE_WIDTH_M / 2, TILT_KNEE_WIDTH_M);
  return tilt - p.winkRad * minJerk((h - p.winkOnsetHipM) / p.winkRampM);
}

export function trunkPitchAt(p: RepPosture, h: number): number {
  return p.trunkLeanPerM * h;
}

export interface RepPlan {
  readonly tStart: number;
  readonly descentS: number;
  readonly pauseS: number;
  readonly ascentS: number;
  /** Hip drop at the bottom, m. */
  readonly hipDropM: number;
  readonly sitBackRatio: number;
  readonly posture: RepPosture;
  /** Small left/right asymmetry reached at the bottom, rad. */
  readonly rollAtBottomRad: number;
  readonly yawAtBottomRad: number;
}

export class RepMovement implements Movement {
  readonly t0: number;
  readonly t1: number;
  readonly final = new Float64Array(CHANNEL_COUNT);
  private readonly bottomStart: number;
  private readonly ascentStart: number;

  constructor(readonly plan: RepPlan) {
    this.t0 = plan.tStart;
    this.bottomStart = plan.tStart + plan.descentS;
    this.ascentStart = this.bottomStart + plan.pauseS;
    this.t1 = this.ascentStart + plan.ascentS;
  }

  hipDropAt(t: number): number {
    const p = this.plan;
    if (t <= this.t0 || t >= this.t1) return 0;
    if (t < this.bottomStart) return p.hipDropM * minJerk((t - this.t0) / p.descentS);
    if (t < this.ascentStart) return p.hipDropM;
    return p.hipDropM * (1 - minJerk((t - this.ascentStart) / p.ascentS));
  }

  add(t: number, ch: Float64Array): void {
    const p = this.plan;
    const h = this.hipDropAt(t);
    const f = h / p.hipDropM;
    ch[CH.hipZ] -= h;
    ch[CH.hipX] -= p.sitBackRatio * h;
    ch[CH.pelvisPitch] += pelvisPitchAt(p.posture, h);
    ch[CH.trunkPitch] += trunkPitchAt(p.posture, h);
    ch[CH.pelvisRoll] += p.rollAtBottomRad * f;
    ch[CH.trunkYaw] += p.yawAtBottomRad * f;
  }
}

export interface StepsPlan {
  readonly tStart: number;
  readonly steps: number;
  readonly stepS: number;
  /** Signed travel of the hip over all the steps along x, m (negative = walking backwards). */
  readonly travelM: number;
  /** Vertical dip of the pelvis in each step, m. */
  readonly bobM: number;
  /** Lateral weight shift towards the stance leg, m. */
  readonly lateralM: number;
  readonly yawRad: number;
  readonly rollRad: number;
  readonly pitchRad: number;
  /** +1: the first step shifts the weight to the left. */
  readonly firstSide: 1 | -1;
}

/** Walk-out or re-rack: a few short steps with the bar on the back. */
export class StepsMovement implements Movement {
  readonly t0: number;
  readonly t1: number;
  readonly final = new Float64Array(CHANNEL_COUNT);

  constructor(readonly plan: StepsPlan) {
    this.t0 = plan.tStart;
    this.t1 = plan.tStart + plan.steps * plan.stepS;
    this.final[CH.hipX] = plan.travelM;
  }

  add(t: number, ch: Float64Array): void {
    const p = this.plan;
    const s = (t - this.t0) / p.stepS;
    const k = Math.min(p.steps - 1, Math.floor(s));
    const u = s - k;
    const b = bump(u);
    const side = (k % 2 === 0 ? 1 : -1) * p.firstSide;
    // Travel is one smooth displacement with a surge in each step (the body pushes off, then is caught).
    const stepLen = Math.abs(p.travelM) / p.steps;
    ch[CH.hipX] += p.travelM * minJerk((t - this.t0) / (this.t1 - this.t0)) + 0.15 * stepLen * Math.sin(2 * Math.PI * u) * b;
    ch[CH.hipZ] -= p.bobM * b;
    ch[CH.hipY] += side * p.lateralM * b;
    ch[CH.pelvisYaw] += side * p.yawRad * b;
    ch[CH.pelvisRoll] += side * p.rollRad * b;
    ch[CH.pelvisPitch] += p.pitchRad * b;
    ch[CH.trunkPitch] += 0.7 * p.pitchRad * b;
  }
}

export type FidgetKind = 'shift' | 'look' | 'shrug';

export interface FidgetPlan {
  readonly kind: FidgetKind;
  readonly tStart: number;
  readonly durationS: number;
  /** shift: hip dx, dy (m) and roll (rad), kept afterwards; look: trunk yaw (rad); shrug: lift (m), extension (rad). */
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/** Small between-rep movements: a weight shift, looking around, a shrug or re-brace. */
export class FidgetMovement implements Movement {
  readonly t0: number;
  readonly t1: number;
  readonly final = new Float64Array(CHANNEL_COUNT);

  constructor(readonly plan: FidgetPlan) {
    this.t0 = plan.tStart;
    this.t1 = plan.tStart + plan.durationS;
    if (plan.kind === 'shift') {
      this.final[CH.hipX] = plan.a;
      this.final[CH.hipY] = plan.b;
      this.final[CH.pelvisRoll] = plan.c;
    }
  }

  add(t: number, ch: Float64Array): void {
    const p = this.plan;
    const u = (t - this.t0) / p.durationS;
    if (p.kind === 'shift') {
      const m = minJerk(u);
      ch[CH.hipX] += p.a * m;
      ch[CH.hipY] += p.b * m;
      ch[CH.pelvisRoll] += p.c * m;
    } else if (p.kind === 'look') {
      const b = bump(u);
      ch[CH.trunkYaw] += p.a * b;
      ch[CH.pelvisYaw] += 0.3 * p.a * b;
    } else {
      const b = bump(u);
      ch[CH.hipZ] += p.a * b;
      ch[CH.trunkPitch] -= p.b * b;
      ch[CH.pelvisPitch] -= 0.2 * p.b * b;
    }
  }
}

/** Quiet-standing sway and breathing: a few sinusoids per channel (amplitude, angular frequency, phase). */
export interface SwayTerm {
  readonly channel: number;
  readonly amplitude: number;
  readonly omega: number;
  readonly phase: number;
}

const BUCKET_S = 1;

/**
 * The whole body motion of a set. Evaluation sums the sway and the movements active at t, using a per-second
 * index of movements and of the offsets left behind by finished ones, so its cost does not grow with the set.
 */
export class BodyMotion {
  private readonly buckets: Movement[][] = [];
  private readonly baselines: Float64Array[] = [];
  private readonly swayChannel: Int32Array;
  private readonly swayAmplitude: Float64Array;
  private readonly swayOmega: Float64Array;
  private readonly swayPhase: Float64Array;
  /** cos and sin of ω·step per sway term, to shift a sinusoid by ±step without more trigonometry. */
  private readonly swayStepCos: Float64Array;
  private readonly swayStepSin: Float64Array;

  constructor(
    readonly movements: readonly Movement[],
    sway: readonly SwayTerm[],
    readonly duration: number,
    /** Offset used by evaluateAround, s. */
    readonly step: number,
  ) {
    const n = Math.max(1, Math.ceil(duration / BUCKET_S) + 1);
    for (let i = 0; i < n; i++) {
      const start = i * BUCKET_S;
      const end = start + BUCKET_S;
      const base = new Float64Array(CHANNEL_COUNT);
      const active: Movement[] = [];
      for (const m of movements) {
        if (m.t1 <= start) for (let c = 0; c < CHANNEL_COUNT; c++) base[c] += m.final[c];
        else if (m.t0 < end) active.push(m);
      }
      this.buckets.push(active);
      this.baselines.push(base);
    }
    this.swayChannel = Int32Array.from(sway, (s) => s.channel);
    this.swayAmplitude = Float64Array.from(sway, (s) => s.amplitude);
    this.swayOmega = Float64Array.from(sway, (s) => s.omega);
    this.swayPhase = Float64Array.from(sway, (s) => s.phase);
    this.swayStepCos = Float64Array.from(sway, (s) => Math.cos(s.omega * step));
    this.swayStepSin = Float64Array.from(sway, (s) => Math.sin(s.omega * step));
  }

  /** Writes the channel values at true time t into ch (length CHANNEL_COUNT). */
  evaluate(t: number, ch: Float64Array): Float64Array {
    this.addMovements(t, ch);
    const n = this.swayChannel.length;
    for (let k = 0; k < n; k++) {
      ch[this.swayChannel[k]] += this.swayAmplitude[k] * Math.sin(this.swayOmega[k] * t + this.swayPhase[k]);
    }
    return ch;
  }

  /** Channel values at t − step, t and t + step (for central differences). */
  evaluateAround(t: number, before: Float64Array, at: Float64Array, after: Float64Array): void {
    this.addMovements(t - this.step, before);
    this.addMovements(t, at);
    this.addMovements(t + this.step, after);
    const n = this.swayChannel.length;
    for (let k = 0; k < n; k++) {
      const a = this.swayOmega[k] * t + this.swayPhase[k];
      const amp = this.swayAmplitude[k];
      const s = amp * Math.sin(a);
      const c = amp * Math.cos(a);
      const sc = s * this.swayStepCos[k];
      const cs = c * this.swayStepSin[k];
      const channel = this.swayChannel[k];
      before[channel] += sc - cs;
      at[channel] += s;
      after[channel] += sc + cs;
    }
  }

  private addMovements(t: number, ch: Float64Array): void {
    const last = this.buckets.length - 1;
    const i = t <= 0 ? 0 : Math.min(last, Math.floor(t / BUCKET_S));
    ch.set(this.baselines[i]);
    const active = this.buckets[i];
    for (let k = 0; k < active.length; k++) {
      const m = active[k];
      if (t < m.t0) continue;
      if (t >= m.t1) {
        for (let c = 0; c < CHANNEL_COUNT; c++) ch[c] += m.final[c];
      } else {
        m.add(t, ch);
      }
    }
  }
}
