/**
 * Athlete profiles: the posture, squat pattern and anthropometry the simulator turns into sensor signals.
 * Angles are degrees, lengths centimetres, times seconds. "Hip drop" is the vertical drop of the hip joint;
 * "depth" is the vertical drop of the sacrum sensor (docs/INTERFACES.md §2), which the simulator solves for.
 */
import type { PelvicTilt } from '../../shared/posture.ts';
import { Rng } from '../../shared/rng.ts';

export interface AthleteProfile {
  readonly name: string;
  /** Standing inclination of the skin over S1–S2 (anatomical, before mounting misalignment). Neutral ~15–30. */
  readonly sacralInclinationDeg: number;
  /** Standing θ_sacrum − θ_thoracolumbar. Neutral 20–40, anterior > 40, posterior < 20. */
  readonly standingLordosisDeg: number;
  /** Target depth of the sacrum sensor at the bottom of a full rep, cm. */
  readonly depthCm: number;
  /** Standard deviation of a rep's depth around depthCm (clamped at ±2 sd), cm. */
  readonly depthJitterCm: number;
  /** Posterior pelvic roll-back from the wink onset to the profile's full depth, deg; 0 = none. */
  readonly winkDeg: number;
  /** Sacrum-sensor depth at which the pelvis stops tilting forward and starts to roll back, cm. */
  readonly winkOnsetCm: number;
  /** Anterior pelvic tilt per cm of hip drop (before any wink), deg/cm. ~0.25–0.75 (10–30° at parallel). */
  readonly pelvicTiltDegPerCm: number;
  /**
   * Forward lean of the thoracolumbar skin per cm of hip drop, deg/cm. Must exceed pelvicTiltDegPerCm: the
   * difference is the lumbar flexion rate (φ ≈ (lean − tilt)·hipDrop, plus the wink once the pelvis rolls back).
   */
  readonly trunkLeanDegPerCm: number;
  /** Backward travel of the hip per unit of hip drop (sitting back). ~0.2–0.5. */
  readonly sitBackRatio: number;
  readonly descentS: number;
  readonly pauseS: number;
  readonly ascentS: number;
  /** Range of the standing time between reps, s (within 1–4). */
  readonly restS: readonly [number, number];
  /** Quiet-standing sway multiplier: 1 ≈ 3 mm / 0.2° body sway and 0.3° breathing motion of the lower trunk. */
  readonly swayScale: number;
  /** Probability of a fidget (weight shift, look around, shrug) in each rest between reps. */
  readonly fidgetProbability: number;
  /** Distance along the back from the sacrum sensor to the thoracolumbar (T12–L1) sensor, cm. */
  readonly sensorSpacingCm: number;
  /** Sacrum skin point behind the hip joint centre when standing, cm. */
  readonly sacrumBehindHipCm: number;
  /** Sacrum skin point above the hip joint centre when standing, cm. */
  readonly sacrumAboveHipCm: number;
  /** Fixed clip angles (rotation about the skin normal), deg; drawn from the seed when absent. */
  readonly clipAngleDeg?: { readonly sacrum?: number; readonly thoracolumbar?: number };
}

const BASE = {
  depthJitterCm: 1.5,
  sitBackRatio: 0.3,
  descentS: 1.6,
  pauseS: 0,
  ascentS: 1.2,
  restS: [1.5, 3.5] as const,
  swayScale: 1,
  fidgetProbability: 0.3,
  sensorSpacingCm: 27,
  sacrumBehindHipCm: 10,
  sacrumAboveHipCm: 6,
};

/**
 * The named athletes.
 * - `neutral`: neutral standing tilt (sacrum 22°, lordosis 30°), 40 cm, no wink.
 * - `neutral-wink`: neutral tilt, 45 cm, 16° wink from 33 cm.
 * - `anterior`: anterior tilt (sacrum 37°, lordosis 52°), 40 cm, no wink.
 * - `anterior-wink`: anterior tilt, 46 cm, 14° wink from 35 cm.
 * - `posterior`: posterior tilt (sacrum 5°, lordosis 10°), 40 cm, 18° wink from 28 cm (posterior tilters tend to wink).
 * - `deep-no-wink`: neutral tilt, deep 55 cm squat whose pelvis keeps tilting forward to the bottom.
 * - `shallow`: neutral tilt, partial 25 cm squats, no wink.
 * - `paused`: neutral tilt, 42 cm, 1.5 s pause at the bottom, no wink.
 */
export const ATHLETE_PROFILES: Readonly<Record<string, AthleteProfile>> = {
  neutral: {
    ...BASE,
    name: 'neutral',
    sacralInclinationDeg: 22,
    standingLordosisDeg: 30,
    depthCm: 40,
    winkDeg: 0,
    winkOnsetCm: 60,
    pelvicTiltDegPerCm: 0.45,
    trunkLeanDegPerCm: 0.75,
  },
  'neutral-wink': {
    ...BASE,
    name: 'neutral-wink',
    sacralInclinationDeg: 20,
    standingLordosisDeg: 30,
    depthCm: 45,
    winkDeg: 16,
    winkOnsetCm: 33,
    pelvicTiltDegPerCm: 0.5,
    trunkLeanDegPerCm: 0.8,
  },
  anterior: {
    ...BASE,
    name: 'anterior',
    sacralInclinationDeg: 37,
    standingLordosisDeg: 52,
    depthCm: 40,
    winkDeg: 0,
    winkOnsetCm: 60,
    pelvicTiltDegPerCm: 0.55,
    trunkLeanDegPerCm: 0.8,
    sitBackRatio: 0.4,
  },
  'anterior-wink': {
    ...BASE,
    name: 'anterior-wink',
    sacralInclinationDeg: 36,
    standingLordosisDeg: 50,
    depthCm: 46,
    winkDeg: 14,
    winkOnsetCm: 35,
    pelvicTiltDegPerCm: 0.55,
    trunkLeanDegPerCm: 0.85,
    sitBackRatio: 0.4,
  },
  posterior: {
    ...BASE,
    name: 'posterior',
    sacralInclinationDeg: 5,
    standingLordosisDeg: 10,
    depthCm: 40,
    winkDeg: 18,
    winkOnsetCm: 28,
    pelvicTiltDegPerCm: 0.3,
    trunkLeanDegPerCm: 0.7,
    sitBackRatio: 0.25,
  },
  'deep-no-wink': {
    ...BASE,
    name: 'deep-no-wink',
    sacralInclinationDeg: 24,
    standingLordosisDeg: 32,
    depthCm: 55,
    winkDeg: 0,
    winkOnsetCm: 80,
    pelvicTiltDegPerCm: 0.5,
    trunkLeanDegPerCm: 0.75,
    descentS: 1.9,
    ascentS: 1.4,
  },
  shallow: {
    ...BASE,
    name: 'shallow',
    sacralInclinationDeg: 21,
    standingLordosisDeg: 28,
    depthCm: 25,
    winkDeg: 0,
    winkOnsetCm: 60,
    pelvicTiltDegPerCm: 0.4,
    trunkLeanDegPerCm: 0.7,
    descentS: 1.1,
    ascentS: 0.9,
  },
  paused: {
    ...BASE,
    name: 'paused',
    sacralInclinationDeg: 23,
    standingLordosisDeg: 33,
    depthCm: 42,
    winkDeg: 0,
    winkOnsetCm: 60,
    pelvicTiltDegPerCm: 0.45,
    trunkLeanDegPerCm: 0.75,
    pauseS: 1.5,
  },
};



/** Standing posture bands used to draw random athletes, kept ≥ 1–2° inside the INTERFACES class thresholds. */
const POSTURE_BANDS: Record<PelvicTilt, { sacral: [number, number]; lordosis: [number, number]; winkChance: number }> = {
  posterior: { sacral: [0, 8.5], lordosis: [6, 18], winkChance: 0.8 },
  neutral: { sacral: [12, 28], lordosis: [22, 38], winkChance: 0.5 },
  anterior: { sacral: [31.5, 42], lordosis: [42, 60], winkChance: 0.35 },
};

/**
 * A random but physiological athlete, fully determined by `seed`: each posture class a third of the time,
 * winkers (6–25°, at most 1.5° per cm, from 8–18 cm above their depth) and non-winkers (0–4° of harmless roll-back, or an onset
 * below their depth), depths 25–55 cm, tempos 1–2.5 s down / 0.8–2 s up, bottom pauses in 40 % of athletes.
 */
export function profileFromSeed(seed: number): AthleteProfile {
  const rng = new Rng((seed ^ 0x5eed5a7) >>> 0);
  const posture = (['posterior', 'neutral', 'anterior'] as const)[rng.int(0, 2)];
  const band = POSTURE_BANDS[posture];
  const depthCm = rng.uniform(25, 55);
  const winks = rng.next() < band.winkChance;
  let winkDeg: number;
  let winkOnsetCm: number;
  if (winks) {
    // The roll-back is driven by the hip drop, so its rate is wink/ramp × hip speed: keep it ≤ 1.5°/cm of
    // depth, or a brisk ascent out of the hole would spin the pelvis at an unphysiological rate.
    const rampCm = Math.min(depthCm - 15, rng.uniform(8, 18));
    winkOnsetCm = depthCm - rampCm;
    winkDeg = Math.min(rng.uniform(6, 25), 1.5 * rampCm);
  } else if (rng.next() < 0.3) {
    // A would-be winker whose limit lies below the depth they squat to.
    winkDeg = rng.uniform(8, 20);
    winkOnsetCm = depthCm + rng.uniform(5, 12);
  } else {
    winkDeg = rng.uniform(0, 4);
    winkOnsetCm = Math.max(15, depthCm - rng.uniform(3, 10));
  }
  const pelvicTiltDegPerCm = rng.uniform(0.25, 0.75);
  // Keep the total lean change at the bottom ≤ ~60° (an athlete deeper than that would fall backwards).
  const hipDropCm = depthCm * 1.1;
  const trunkLeanDegPerCm = Math.min(pelvicTiltDegPerCm + rng.uniform(0.1, 0.4), Math.max(60 / hipDropCm, pelvicTiltDegPerCm + 0.1));
  const restLow = rng.uniform(1, 2.5);
  return {
    name: `seed-${seed}`,
    sacralInclinationDeg: rng.uniform(band.sacral[0], band.sacral[1]),
    standingLordosisDeg: rng.uniform(band.lordosis[0], band.lordosis[1]),
    depthCm,
    depthJitterCm: rng.uniform(0.5, 2),
    winkDeg,
    winkOnsetCm,
    pelvicTiltDegPerCm,
    trunkLeanDegPerCm,
    sitBackRatio: rng.uniform(0.2, 0.5),
    descentS: rng.uniform(1, 2.5),
    pauseS: rng.next() < 0.4 ? rng.uniform(0.3, 2) : 0,
    ascentS: rng.uniform(0.8, 2),
    restS: [restLow, Math.min(4, restLow + rng.uniform(0.5, 2))],
    swayScale: rng.uniform(0.5, 1.6),
    fidgetProbability: rng.uniform(0, 0.6),
    sensorSpacingCm: rng.uniform(25, 30),
    sacrumBehindHipCm: rng.uniform(8, 12),
    sacrumAboveHipCm: rng.uniform(3, 8),
  };
}

/** A named profile, or a seeded random athlete for `seed-<n>`; throws listing the valid names otherwise. */
export function profileByName(name: string): AthleteProfile {
  const named = ATHLETE_PROFILES[name];
  if (named !== undefined) return named;
  const seeded = /^seed-(\d+)$/.exec(name);
  if (seeded) return profileFromSeed(Number(seeded[1]));
  throw new RangeError(`unknown athlete profile "${name}" (known: ${Object.keys(ATHLETE_PROFILES).join(', ')}, seed-<n>)`);
}
