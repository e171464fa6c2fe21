/**
 * Clean tempo sets, for probing slow squats one trouble at a time: a broadened `mixed` set's athlete, rep count
 * and depths (at least 25 cm), every rep 3.8 s down and 3.04 s up with no pause, 2 s rests, a quiet start, face
 * out, 100 Hz, and an ideal sensor without extra sway — unless `keep` names what to keep of the drawn set:
 * `sway` (its extra sway), `noise` (its noise, biases and scale errors), `loss` (its packet loss).
 */
import { randomizedSetSpec } from '../../firmware-sim/randomized-sets.ts';
import type { RandomizedSetSpec } from '../../firmware-sim/randomized-sets.ts';
import { randomizedSeed } from './randomized-evaluation.ts';
import { TROUBLE_REMOVALS } from './trouble-removals.ts';

export const TEMPO_DESCENT_S = 3.8;
export type TempoTrouble = 'sway' | 'noise' | 'loss';

export function cleanTempoSet(k: number, keep: readonly TempoTrouble[] = []): RandomizedSetSpec {
  const drawn = randomizedSetSpec(randomizedSeed('tuning', 'mixed', k), 'mixed');
  const spec: RandomizedSetSpec = {
    ...drawn,
    rateHz: 100,
    leadInS: null,
    walkout: false,
    touchAndGo: false,
    face: { sacrum: 'out', thoracolumbar: 'out' },
    repTempos: drawn.repTempos.map(() => ({ descentS: TEMPO_DESCENT_S, pauseS: 0, ascentS: 0.8 * TEMPO_DESCENT_S })),
    restsS: drawn.restsS.map(() => 2),
    gapsS: drawn.gapsS.map(() => 2),
    repDepthsCm: drawn.repDepthsCm.map((d) => Math.max(d, 25)),
  };
  return {
    ...spec,
    ...(keep.includes('sway') ? {} : TROUBLE_REMOVALS.sway),
    ...(keep.includes('noise') ? {} : { accelNoiseRms: 0, gyroNoiseRmsDegS: 0, accelBiasMax: 0, gyroBiasMaxDegS: 0, scaleErrorMax: 0 }),
    ...(keep.includes('loss') ? {} : TROUBLE_REMOVALS.loss),
  };
}
