/**
 * Orientation accuracy of the sensing core's filter on the real BROAD trials (../shared/data/broad): per trial,
 * the README's inclination RMSE (scripts/broad-data.ts), and the mean over trials beside VQF's published
 * figures. scripts/eval-broad.ts prints the same numbers with baselines for people.
 */
import { BROAD_VQF_REFERENCE, estimateWithSensingFilter, inclinationRmse, listBroadTrials, loadBroadTrial } from '../broad-data.ts';

export interface BroadTrialResult {
  readonly name: string;
  readonly rmseDeg: number;
  /** VQF's RMSE on the trial (data README), deg. */
  readonly vqfDeg: number;
}

export interface BroadOrientationResult {
  readonly dataDir: string;
  readonly trials: readonly BroadTrialResult[];
  readonly meanDeg: number;
  readonly vqfMeanDeg: number;
}

export async function evaluateBroadOrientation(dataDir: string): Promise<BroadOrientationResult> {
  const names = listBroadTrials(dataDir);
  if (names.length === 0) throw new Error(`no BROAD trials in ${dataDir}`);
  const trials: BroadTrialResult[] = [];
  for (const name of names) {
    const trial = await loadBroadTrial(dataDir, name);
    trials.push({
      name,
      rmseDeg: inclinationRmse(trial, estimateWithSensingFilter(trial)),
      vqfDeg: BROAD_VQF_REFERENCE[name.slice(0, 2)] ?? Number.NaN,
    });
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    dataDir,
    trials,
    meanDeg: mean(trials.map((t) => t.rmseDeg)),
    vqfMeanDeg: mean(trials.map((t) => t.vqfDeg)),
  };
}
