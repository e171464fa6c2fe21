/**
 * Domain-randomised squat sets: one seed and one condition group give a whole set specification — athlete,
 * tempo, rests, sway, sensor errors, rate, faces, mid-set start, sensors, packet loss — far beyond the
 * comfortable sets of profileFromSeed (which stay as they were). Each condition group pushes its own factor to
 * the extreme and draws the others from moderate defaults; `mixed` draws everything over the full ranges.
 * Deterministic: a spec depends only on (seed, condition), through its own random stream.
 */
import { DEG } from '../shared/imu.ts';
import { OUTPUT_RATES_HZ } from '../shared/protocol/index.ts';
import type { OutputRateHz } from '../shared/protocol/index.ts';
import { Rng } from '../shared/rng.ts';
import type { LinkFaultConfig } from './link/index.ts';
import { profileFromSeed } from './model/index.ts';
import type { AthleteProfile, ImuErrorParams, RepTempo, SensorFace, SwayTerm } from './model/index.ts';
import { CH } from './model/motion.ts';

export const RANDOMIZED_CONDITIONS = [
  'touch-and-go',
  'noisy',
  'low-rate',
  'fidgety',
  'face-in',
  'mid-set-start',
  'shallow',
  'mixed',
  // Appended, not inserted: a group's seeds and random stream follow its position, so the groups above keep theirs.
  'slow-tempo',
] as const;
export type RandomizedCondition = (typeof RANDOMIZED_CONDITIONS)[number];

export function isRandomizedCondition(value: string): value is RandomizedCondition {
  return (RANDOMIZED_CONDITIONS as readonly string[]).includes(value);
}

/** The full ranges of the randomisation (what `mixed` draws from; each group's extreme lies inside them). */
export const RANDOMIZED_RANGES = {
  restS: [0, 4],
  /** Rests up to this are touch-and-go: the reps overlap so that there is no still moment at the top. */
  touchAndGoRestS: [0, 0.25],
  swayRateDegS: [0, 8],
  swayFrequencyHz: [0.3, 1.5],
  accelNoiseRms: [0.01, 0.1],
  gyroNoiseRmsDegS: [0, 1],
  gyroBiasDegS: [0, 2],
  accelBias: [0, 0.15],
  scaleError: [0, 0.01],
  depthCm: [12, 60],
  shallowDepthCm: [12, 25],
  descentS: [0.7, 4],
  pauseS: [0, 3],
  ascentS: [0.6, 3],
  lossRate: [0, 0.05],
} as const;

/**
 * Share of (ascent + next descent) by which touch-and-go reps overlap: the two min-jerk ends merge into one
 * reversal in which the body is still accelerating (≈ 0.2 of each movement, where min-jerk acceleration peaks).
 */
export const TOUCH_AND_GO_OVERLAP_SHARE = 0.2;

export interface RandomizedSetSpec {
  readonly seed: number;
  readonly condition: RandomizedCondition;
  readonly profile: AthleteProfile;
  readonly reps: number;
  readonly sensors: 'sacrum' | 'both';
  readonly rateHz: OutputRateHz;
  readonly face: { readonly sacrum: SensorFace; readonly thoracolumbar: SensorFace };
  /** Target depth of each rep, cm. */
  readonly repDepthsCm: readonly number[];
  readonly repTempos: readonly RepTempo[];
  /** Perceived rest after each rep but the last, s (0–4); those ≤ 0.25 s are touch-and-go transitions. */
  readonly restsS: readonly number[];
  /** Scripted start of rep i+1 − end of rep i, s: the rest, minus the overlap of a touch-and-go transition. */
  readonly gapsS: readonly number[];
  readonly touchAndGo: boolean;
  /** Mid-set start: rep 1 starts at this time, s (negative: the recording begins inside it); null: quiet start. */
  readonly leadInS: number | null;
  readonly walkout: boolean;
  /** Bound on the pelvis angular rate the extra sway adds (Σ amplitude · ω over its pelvis terms), °/s. */
  readonly swayRateDegS: number;
  readonly extraSway: readonly SwayTerm[];
  /** Per-sample white-noise rms (m/s², °/s) and error bounds (m/s², °/s, fraction) the errors are drawn within. */
  readonly accelNoiseRms: number;
  readonly gyroNoiseRmsDegS: number;
  readonly accelBiasMax: number;
  readonly gyroBiasMaxDegS: number;
  readonly scaleErrorMax: number;
  readonly lossRate: number;
}

/** Link of the randomised sets: burst loss at the spec's rate, the evaluation sets' latency. */
export function randomizedLink(spec: RandomizedSetSpec): LinkFaultConfig {
  return { lossRate: spec.lossRate, meanBurstLength: 3, lossInBadState: 1, latencyS: { min: 0.0075, max: 0.03 } };
}

/** Error-model parameters for the spec at its rate: densities from the per-sample rms, bounds as ±2 sd drawn uniformly. */
export function randomizedErrors(spec: RandomizedSetSpec): Partial<ImuErrorParams> {
  const root = Math.sqrt(spec.rateHz);
  return {
    accelNoiseDensity: spec.accelNoiseRms / root,
    gyroNoiseDensity: (spec.gyroNoiseRmsDegS * DEG) / root,
    accelBiasSd: spec.accelBiasMax / 2,
    gyroBiasSd: (spec.gyroBiasMaxDegS * DEG) / 2,
    scaleErrorSd: spec.scaleErrorMax / 2,
    uniformErrors: true,
  };
}

const clamp = (v: number, [lo, hi]: readonly [number, number]): number => Math.max(lo, Math.min(hi, v));

/**
 * Sway and weight shift of a restless lifter: sinusoids of 0.3–1.5 Hz on the pelvis and trunk angles (scaled so
 * that Σ amplitude·ω over the pelvis terms is the target rate: the pelvis never turns faster), with hip
 * translations of up to ~1.5 cm forward, ~2 cm sideways and ~3 mm up at the top rate (slower, ≤ 0.8 Hz).
 */
export function restlessSway(rng: Rng, rateDegS: number): SwayTerm[] {
  if (rateDegS <= 0) return [];
  const terms: SwayTerm[] = [];
  const [fLow, fHigh] = RANDOMIZED_RANGES.swayFrequencyHz;
  const pelvis: { channel: number; weight: number; omega: number; phase: number }[] = [];
  for (const [channel, count, share] of [[CH.pelvisPitch, 3, 0.5], [CH.pelvisRoll, 2, 0.3], [CH.pelvisYaw, 1, 0.2]] as const) {
    const weights = Array.from({ length: count }, () => rng.uniform(0.3, 1));
    const total = weights.reduce((a, b) => a + b, 0);
    for (const w of weights) {
      pelvis.push({ channel, weight: (share * w) / total, omega: 2 * Math.PI * rng.uniform(fLow, fHigh), phase: rng.uniform(0, 2 * Math.PI) });
    }
  }
  const rate = rateDegS * DEG;
  for (const p of pelvis) {
    const amplitude = (p.weight * rate) / p.omega;
    terms.push({ channel: p.channel, amplitude, omega: p.omega, phase: p.phase });
    // The lower trunk goes along with the pelvis (in phase, 40–100 %), so the lumbar angle changes less.
    if (p.channel === CH.pelvisPitch) terms.push({ channel: CH.trunkPitch, amplitude: amplitude * rng.uniform(0.4, 1), omega: p.omega, phase: p.phase });
    if (p.channel === CH.pelvisRoll) terms.push({ channel: CH.trunkRoll, amplitude: amplitude * rng.uniform(-0.5, 0.5), omega: p.omega, phase: p.phase });
  }
  const scale = rateDegS / RANDOMIZED_RANGES.swayRateDegS[1];
  for (const [channel, metres] of [[CH.hipX, 0.015], [CH.hipY, 0.02], [CH.hipZ, 0.003]] as const) {
    terms.push({
      channel,
      amplitude: metres * scale * rng.uniform(0.4, 1),
      omega: 2 * Math.PI * rng.uniform(fLow, 0.8),
      phase: rng.uniform(0, 2 * Math.PI),
    });
  }
  return terms;
}

/** A profile at another depth: the wink onset moves with it (same ramp) and the trunk lean stays ≤ ~60° at the bottom. */
function atDepth(profile: AthleteProfile, depthCm: number): AthleteProfile {
  const shift = depthCm - profile.depthCm;
  const lean = Math.max(profile.pelvicTiltDegPerCm + 0.1, Math.min(profile.trunkLeanDegPerCm, 60 / (1.1 * depthCm)));
  return { ...profile, depthCm, winkOnsetCm: profile.winkOnsetCm + shift, trunkLeanDegPerCm: lean };
}

interface Draws {
  reps: number;
  sensors: 'sacrum' | 'both';
  rateHz: OutputRateHz;
  faceIn: { sacrum: boolean; thoracolumbar: boolean };
  depthCm: number;
  shallowReps: number;
  descentS: readonly [number, number];
  pauseChance: number;
  pauseS: readonly [number, number];
  restS: readonly [number, number];
  touchAndGo: boolean;
  midSet: boolean;
  swayRateDegS: number;
  accelNoiseRms: number;
  gyroNoiseRmsDegS: number;
  accelBiasMax: number;
  gyroBiasMaxDegS: number;
  scaleErrorMax: number;
  lossRate: number;
}

/** Moderate defaults: what every group draws for the factors it does not push. */
function moderate(rng: Rng): Draws {
  const faceOut = { sacrum: false, thoracolumbar: false };
  return {
    reps: rng.int(6, 10),
    sensors: rng.next() < 0.5 ? 'sacrum' : 'both',
    rateHz: rng.next() < 0.5 ? 100 : 200,
    faceIn: faceOut,
    depthCm: rng.uniform(28, 55),
    shallowReps: 0,
    descentS: [1, 2.5],
    pauseChance: 0.3,
    pauseS: [0.3, 1.5],
    restS: [1, 3],
    touchAndGo: false,
    midSet: false,
    swayRateDegS: rng.uniform(0.3, 2),
    accelNoiseRms: rng.uniform(0.01, 0.03),
    gyroNoiseRmsDegS: rng.uniform(0.1, 0.3),
    accelBiasMax: 0.1,
    gyroBiasMaxDegS: 1,
    scaleErrorMax: 0.005,
    lossRate: rng.uniform(0, 0.03),
  };
}

/** Overrides of one condition group (its factor at the extreme). */
function pushFactor(condition: RandomizedCondition, d: Draws, rng: Rng): void {
  const R = RANDOMIZED_RANGES;
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)];
  switch (condition) {
    case 'touch-and-go':
      d.touchAndGo = true;
      d.restS = R.touchAndGoRestS;
      d.pauseChance = 0.15;
      d.reps = rng.int(8, 12);
      break;
    case 'noisy':
      d.accelNoiseRms = rng.uniform(0.06, R.accelNoiseRms[1]);
      d.gyroNoiseRmsDegS = rng.uniform(0.5, R.gyroNoiseRmsDegS[1]);
      d.accelBiasMax = R.accelBias[1];
      d.gyroBiasMaxDegS = R.gyroBiasDegS[1];
      d.scaleErrorMax = R.scaleError[1];
      d.lossRate = R.lossRate[1];
      break;
    case 'low-rate':
      d.rateHz = 50;
      break;
    case 'fidgety':
      d.swayRateDegS = rng.uniform(4, R.swayRateDegS[1]);
      d.restS = [0.3, 1.5];
      break;
    case 'face-in':
      // The sacrum sensor always face in; the thoracolumbar one either way, so mixed faces occur too.
      d.faceIn = { sacrum: true, thoracolumbar: rng.next() < 0.5 };
      break;
    case 'mid-set-start':
      d.midSet = true;
      d.swayRateDegS = rng.uniform(1, 4);
      break;
    case 'shallow':
      d.reps = rng.int(8, 10);
      d.shallowReps = rng.int(2, 4);
      d.depthCm = rng.uniform(32, 55);
      break;
    case 'slow-tempo':
      // Tempo squats: a 2.5–4 s descent (its first and last second accelerate under every stillness threshold
      // of a good IMU) and a long pause at the bottom half the time.
      d.descentS = [2.5, R.descentS[1]];
      d.pauseChance = 0.5;
      d.pauseS = [0.2, R.pauseS[1]];
      d.depthCm = rng.uniform(25, 55);
      break;
    case 'mixed':
      d.reps = rng.int(5, 12);
      d.rateHz = pick(OUTPUT_RATES_HZ);
      d.faceIn = { sacrum: rng.next() < 0.5, thoracolumbar: rng.next() < 0.5 };
      d.depthCm = rng.uniform(25, R.depthCm[1]);
      d.shallowReps = rng.next() < 0.4 ? rng.int(1, 3) : 0;
      d.descentS = R.descentS;
      d.pauseChance = 0.5;
      d.pauseS = [0.2, R.pauseS[1]];
      d.touchAndGo = rng.next() < 0.25;
      d.restS = d.touchAndGo ? R.touchAndGoRestS : R.restS;
      d.midSet = rng.next() < 0.3;
      d.swayRateDegS = rng.uniform(...R.swayRateDegS);
      d.accelNoiseRms = rng.uniform(...R.accelNoiseRms);
      d.gyroNoiseRmsDegS = rng.uniform(...R.gyroNoiseRmsDegS);
      d.accelBiasMax = rng.uniform(...R.accelBias);
      d.gyroBiasMaxDegS = rng.uniform(...R.gyroBiasDegS);
      d.scaleErrorMax = rng.uniform(...R.scaleError);
      d.lossRate = rng.uniform(...R.lossRate);
      break;
  }
}

/** The randomised set of `seed` in condition group `condition`. */
export function randomizedSetSpec(seed: number, condition: RandomizedCondition): RandomizedSetSpec {
  if (!isRandomizedCondition(condition)) throw new RangeError(`unknown condition "${condition}" (known: ${RANDOMIZED_CONDITIONS.join(', ')})`);
  const R = RANDOMIZED_RANGES;
  // A stream of its own per (seed, condition): the athlete comes from profileFromSeed(seed) unchanged.
  const rng = new Rng((seed ^ 0xd0a1a5e7 ^ Math.imul(RANDOMIZED_CONDITIONS.indexOf(condition) + 1, 0x2545f491)) >>> 0);
  const d = moderate(rng);
  pushFactor(condition, d, rng.fork(1));
  const tempoRng = rng.fork(2);
  const athlete = atDepth(profileFromSeed(seed), d.depthCm);

  // Per-rep depth: the athlete's ± jitter; shallow reps (12–25 cm) at random positions, never all of them.
  const shallow = new Set<number>();
  while (shallow.size < Math.min(d.shallowReps, d.reps - 2)) shallow.add(tempoRng.int(0, d.reps - 1));
  const repDepthsCm = Array.from({ length: d.reps }, (_, i) =>
    shallow.has(i)
      ? tempoRng.uniform(...R.shallowDepthCm)
      : clamp(athlete.depthCm + athlete.depthJitterCm * Math.max(-2, Math.min(2, tempoRng.gaussian())), [25, R.depthCm[1]]),
  );
  // Tempo: a set tempo, each rep within ±15 % of it, inside the ranges.
  const descent = tempoRng.uniform(...d.descentS);
  const ascentShare = tempoRng.uniform(0.6, 1);
  const pauses = tempoRng.next() < d.pauseChance;
  const pause = pauses ? tempoRng.uniform(...d.pauseS) : 0;
  const repTempos = repDepthsCm.map((): RepTempo => {
    const descentS = clamp(descent * tempoRng.uniform(0.85, 1.15), R.descentS);
    return {
      descentS,
      pauseS: pauses ? clamp(pause * tempoRng.uniform(0.85, 1.15), R.pauseS) : 0,
      ascentS: clamp(descentS * ascentShare * tempoRng.uniform(0.9, 1.1), R.ascentS),
    };
  });
  const restsS = Array.from({ length: d.reps - 1 }, () => tempoRng.uniform(...d.restS));
  const gapsS = restsS.map((rest, i) =>
    rest <= R.touchAndGoRestS[1]
      ? rest - TOUCH_AND_GO_OVERLAP_SHARE * (repTempos[i].ascentS + repTempos[i + 1].descentS)
      : rest,
  );

  // Mid-set start: half the time inside rep 1 (kept ≥ 0.3 s from its bottom phase, so rep 1 is clearly in or
  // out), half the time just before it in the middle of the sway, with no quiet standing either way.
  let leadInS: number | null = null;
  if (d.midSet) {
    const t = repTempos[0];
    const bottomStart = t.descentS - 0.3;
    const bottomEnd = t.descentS + t.pauseS + 0.3;
    const end = t.descentS + t.pauseS + t.ascentS - 0.2;
    if (tempoRng.next() < 0.5) {
      const before = Math.max(0, bottomStart - 0.2);
      const after = Math.max(0, end - bottomEnd);
      const u = tempoRng.uniform(0, before + after);
      leadInS = -(u < before ? 0.2 + u : bottomEnd + (u - before));
    } else {
      leadInS = tempoRng.uniform(0.2, 1);
    }
  }
  const swayRng = rng.fork(3);
  const sensors = d.sensors;
  return {
    seed,
    condition,
    profile: { ...athlete, name: `${condition}-${seed}`, descentS: descent, pauseS: pause, ascentS: descent * ascentShare },
    reps: d.reps,
    sensors,
    rateHz: d.rateHz,
    face: { sacrum: d.faceIn.sacrum ? 'in' : 'out', thoracolumbar: d.faceIn.thoracolumbar ? 'in' : 'out' },
    repDepthsCm,
    repTempos,
    restsS,
    gapsS,
    touchAndGo: d.touchAndGo,
    leadInS,
    walkout: !d.midSet && rng.next() < 0.5,
    swayRateDegS: d.swayRateDegS,
    extraSway: restlessSway(swayRng, d.swayRateDegS),
    accelNoiseRms: d.accelNoiseRms,
    gyroNoiseRmsDegS: d.gyroNoiseRmsDegS,
    accelBiasMax: d.accelBiasMax,
    gyroBiasMaxDegS: d.gyroBiasMaxDegS,
    scaleErrorMax: d.scaleErrorMax,
    lossRate: d.lossRate,
  };
}

/** Model options of a spec (shared by the recording and by noise-free re-evaluation, e.g. true cue crossings). */
export function randomizedModelOptions(spec: RandomizedSetSpec) {
  return {
    walkout: spec.walkout,
    repDepthsCm: spec.repDepthsCm,
    repTempos: spec.repTempos,
    restsS: spec.gapsS,
    leadInS: spec.leadInS ?? undefined,
    extraSway: spec.extraSway,
    face: spec.face,
  };
}

/** The spec's drawn parameters as JSON-friendly numbers (for the truth file and reports; sway terms left out). */
export function describeRandomizedSet(spec: RandomizedSetSpec) {
  const round = (v: number, digits = 3): number => Number(v.toFixed(digits));
  return {
    condition: spec.condition,
    seed: spec.seed,
    reps: spec.reps,
    sensors: spec.sensors,
    rate_hz: spec.rateHz,
    face: spec.face,
    rep_depths_cm: spec.repDepthsCm.map((v) => round(v, 1)),
    rep_tempos_s: spec.repTempos.map((t) => [round(t.descentS, 2), round(t.pauseS, 2), round(t.ascentS, 2)]),
    rests_s: spec.restsS.map((v) => round(v, 2)),
    touch_and_go: spec.touchAndGo,
    lead_in_s: spec.leadInS === null ? null : round(spec.leadInS, 2),
    walkout: spec.walkout,
    sway_rate_deg_s: round(spec.swayRateDegS, 2),
    accel_noise_rms: round(spec.accelNoiseRms, 4),
    gyro_noise_rms_deg_s: round(spec.gyroNoiseRmsDegS, 3),
    accel_bias_max: round(spec.accelBiasMax, 3),
    gyro_bias_max_deg_s: round(spec.gyroBiasMaxDegS, 3),
    scale_error_max: round(spec.scaleErrorMax, 4),
    loss_rate: round(spec.lossRate, 4),
  };
}
