/**
 * The real recordings of ../shared/data/realsquat again, each time changed in one way a user's setup can differ
 * from theirs: the sensor clipped on the other way round, a lower output rate, a cheaper and biased sensor, lost
 * packets, a recording (or connection) that starts in the middle of a rep, and all of these at once. Real
 * movement with the simulator's kinds of trouble on top: where the simulator's own movement may be too kind.
 *
 * Seeded per file (the same changes every run). Nothing is written: the changed samples live in memory only.
 */
import type { ImuSample } from '../../shared/imu.ts';
import { DEG } from '../../shared/imu.ts';
import { Rng } from '../../shared/rng.ts';
import { listRealsquatFiles, loadRealsquatFile, scoreRealsquatFile, summarizeRealsquat } from './realsquat.ts';
import type { RealsquatFile, RealsquatResult } from './realsquat.ts';

type Perturb = (samples: readonly ImuSample[], rng: Rng) => ImuSample[];

/** Turned 180° about the sensor's x axis (which lies along the spine in these files): face in becomes face out. */
const flipFace: Perturb = (samples) => samples.map((s) => ({ ...s, ay: -s.ay, az: -s.az, gy: -s.gy, gz: -s.gz }));

/** Every other sample: about 55 Hz. */
const halfRate: Perturb = (samples) => samples.filter((_, i) => i % 2 === 0);

/** The worst sensor on top of the real one: noise 0.1 m/s² and 1 °/s rms, biases ±0.15 m/s² and ±2 °/s, scale ±1 %. */
const cheapSensor: Perturb = (samples, rng) => {
  const accBias = [0, 1, 2].map(() => rng.uniform(-0.15, 0.15));
  const gyroBias = [0, 1, 2].map(() => rng.uniform(-2, 2) * DEG);
  const scale = [0, 1, 2].map(() => 1 + rng.uniform(-0.01, 0.01));
  const accNoise = 0.1;
  const gyroNoise = 1 * DEG;
  return samples.map((s) => ({
    ...s,
    ax: s.ax * scale[0] + accBias[0] + accNoise * rng.gaussian(),
    ay: s.ay * scale[1] + accBias[1] + accNoise * rng.gaussian(),
    az: s.az * scale[2] + accBias[2] + accNoise * rng.gaussian(),
    gx: s.gx + gyroBias[0] + gyroNoise * rng.gaussian(),
    gy: s.gy + gyroBias[1] + gyroNoise * rng.gaussian(),
    gz: s.gz + gyroBias[2] + gyroNoise * rng.gaussian(),
  }));
};

/** About 5 % of the samples lost, in bursts of 2–14 (20–130 ms). */
const burstLoss: Perturb = (samples, rng) => {
  const kept: ImuSample[] = [];
  let dropping = 0;
  for (const s of samples) {
    if (dropping > 0) {
      dropping--;
      continue;
    }
    if (rng.next() < 0.05 / 8) {
      dropping = rng.int(2, 14);
      continue;
    }
    kept.push(s);
  }
  return kept;
};

/** The first 0.5–2 s cut off: the samples begin inside the first rep (its descent, bottom or ascent). */
const cutMidRep: Perturb = (samples, rng) => {
  const from = samples[0].t + rng.uniform(0.5, 2);
  return samples.filter((s) => s.t >= from);
};

/** The first 2–15 s cut off: a connection made while the lifter is already some reps into the set. */
const joinMidSet: Perturb = (samples, rng) => {
  const from = samples[0].t + rng.uniform(2, 15);
  return samples.filter((s) => s.t >= from);
};

export interface RealsquatPerturbation {
  readonly id: string;
  readonly description: string;
  readonly apply: Perturb;
}

export const REALSQUAT_PERTURBATIONS: readonly RealsquatPerturbation[] = [
  { id: 'none', description: 'as recorded', apply: (samples) => [...samples] },
  { id: 'face-flipped', description: 'sensor turned 180° about the spine axis (face out instead of in)', apply: flipFace },
  { id: 'half-rate', description: 'every other sample (about 55 Hz)', apply: halfRate },
  { id: 'cheap-sensor', description: 'noise 0.1 m/s² / 1 °/s rms, bias ±0.15 m/s² / ±2 °/s, scale ±1 %', apply: cheapSensor },
  { id: 'packet-loss', description: '5 % of samples lost in bursts of 20–130 ms', apply: burstLoss },
  { id: 'cut-mid-rep', description: 'the first 0.5–2 s cut off (starts inside the first rep)', apply: cutMidRep },
  { id: 'joined-mid-set', description: 'the first 2–15 s cut off (joined some reps into the set)', apply: joinMidSet },
  {
    id: 'all',
    description: 'all of the above at once',
    apply: (samples, rng) => cutMidRep(burstLoss(cheapSensor(halfRate(flipFace(samples, rng), rng), rng), rng), rng),
  },
];

/** Seeds of the per-file generators (file k of the sorted list uses PERTURBATION_SEED + k). */
const PERTURBATION_SEED = 1000;

export interface PerturbedRealsquat {
  readonly perturbation: RealsquatPerturbation;
  readonly result: RealsquatResult;
  /**
   * Windows that began before the first sample left and ended after it (a rep already under way: its depth
   * cannot be known). Windows that ended before it are left out of the scores altogether.
   */
  readonly windowsBegunBefore: number;
  /** Of those, found anyway. */
  readonly windowsBegunBeforeFound: number;
}

/** Every recording of `dir` under every perturbation; null when the folder is absent. */
export async function evaluatePerturbedRealsquat(dir: string, only: readonly string[] = []): Promise<PerturbedRealsquat[] | null> {
  const names = listRealsquatFiles(dir);
  if (names === null) return null;
  const files: RealsquatFile[] = [];
  for (const name of names) files.push(await loadRealsquatFile(dir, name));
  const chosen = REALSQUAT_PERTURBATIONS.filter((p) => only.length === 0 || only.includes(p.id));
  return chosen.map((perturbation) => {
    const started = performance.now();
    let begunBefore = 0;
    let begunBeforeFound = 0;
    const results = files.map((file, k) => {
      const samples = perturbation.apply(file.samples, new Rng(PERTURBATION_SEED + k));
      const firstT = samples[0]?.t ?? Number.POSITIVE_INFINITY;
      // Windows that ended before the first sample left are not in the samples at all.
      const repTimes = file.truth.rep_times.filter(([, end]) => end > firstT);
      const changed = { ...file, samples, truth: { ...file.truth, reps: repTimes.length, rep_times: repTimes } };
      return scoreRealsquatFile(changed, (found) => {
        repTimes.forEach(([start], w) => {
          if (start >= firstT) return;
          begunBefore++;
          if (found[w]) begunBeforeFound++;
        });
      });
    });
    return {
      perturbation,
      result: summarizeRealsquat(dir, results, (performance.now() - started) / 1000),
      windowsBegunBefore: begunBefore,
      windowsBegunBeforeFound: begunBeforeFound,
    };
  });
}
