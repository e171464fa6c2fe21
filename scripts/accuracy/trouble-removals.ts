/**
 * The spec fields that take one trouble out of a broadened-simulator set (the same seed, so everything else stays
 * as drawn): for probes that measure what each trouble costs (scripts/eval-trouble-removed.ts, the tempo sets).
 * `noise` leaves a research-grade sensor's noise, not none.
 */
import type { RandomizedSetSpec } from '../../firmware-sim/randomized-sets.ts';

export const TROUBLE_REMOVALS = {
  sway: { swayRateDegS: 0, extraSway: [] },
  loss: { lossRate: 0 },
  'gyro-bias': { gyroBiasMaxDegS: 0 },
  'acc-bias': { accelBiasMax: 0, scaleErrorMax: 0 },
  noise: { accelNoiseRms: 0.005, gyroNoiseRmsDegS: 0.05 },
} satisfies Record<string, Partial<RandomizedSetSpec>>;
export type Trouble = keyof typeof TROUBLE_REMOVALS;

/** Halves of a trouble, to tell which half costs what (named on eval-trouble-removed's command line only). */
export const PARTIAL_REMOVALS = {
  'acc-bias-only': { accelBiasMax: 0 },
  'acc-scale-only': { scaleErrorMax: 0 },
} satisfies Record<string, Partial<RandomizedSetSpec>>;
export type PartialTrouble = keyof typeof PARTIAL_REMOVALS;
