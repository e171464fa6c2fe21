/**
 * The BROAD benchmark trials (../shared/data/broad, see its README): loading an IMU recording with its aligned
 * optical truth, and the README's inclination metric. Used by scripts/eval-broad.ts and the orientation tests.
 */
import { OrientationFilter } from '../gateway/sensing/orientation/index.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { angleBetween, earthUpInSensor } from '../gateway/sensing/orientation/index.ts';
import { RAD } from '../shared/imu.ts';
import { readRecording } from '../shared/recording/index.ts';

/** The team's copy of the trials, relative to this repository. */
export const BROAD_DIR = join(import.meta.dirname, '../../shared/data/broad');

/** VQF's per-trial inclination RMSE (°) by trial number, from the data README. */
export const BROAD_VQF_REFERENCE: Readonly<Record<string, number>> = {
  '01': 0.6, '04': 0.79, '06': 0.8, '10': 0.3, '15': 0.47, '21': 1.72, '24': 0.61, '26': 0.56,
};

export interface BroadTrial {
  name: string;
  n: number;
  /** Per sample: t, ax, ay, az, gx, gy, gz (s, m/s², rad/s), flattened. */
  imu: Float64Array;
  /** Per sample, aligned with `imu`: qw, qx, qy, qz (sensor → earth, NaN where markers were lost), movement. */
  truth: Float64Array;
}

/** Trial names (file names without `.csv.gz`) in `dir`, sorted. */
export function listBroadTrials(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.csv.gz') && !f.endsWith('.truth.csv.gz'))
    .map((f) => f.slice(0, -'.csv.gz'.length))
    .sort();
}

/** Loads `<name>.csv.gz` and `<name>.truth.csv.gz`; throws unless their rows are the same instants. */
export async function loadBroadTrial(dir: string, name: string): Promise<BroadTrial> {
  const { samples } = await readRecording(join(dir, `${name}.csv.gz`));
  const n = samples.length;
  const imu = new Float64Array(7 * n);
  samples.forEach((s, i) => imu.set([s.t, s.ax, s.ay, s.az, s.gx, s.gy, s.gz], 7 * i));

  // The truth file is not a recording (other columns): a plain CSV read suffices.
  const text = gunzipSync(readFileSync(join(dir, `${name}.truth.csv.gz`))).toString('utf8');
  const lines = text.trim().split('\n');
  if (lines[0] !== 't,qw,qx,qy,qz,movement') throw new Error(`${name}: unexpected truth header ${lines[0]}`);
  if (lines.length - 1 !== n) throw new Error(`${name}: ${n} IMU rows but ${lines.length - 1} truth rows`);
  const truth = new Float64Array(5 * n);
  for (let i = 0; i < n; i++) {
    const f = lines[i + 1].split(',').map(Number); // 'nan' parses to NaN
    if (Math.abs(f[0] - imu[7 * i]) > 1e-6) {
      throw new Error(`${name}: truth row ${i + 1} is at t=${f[0]}, IMU row at t=${imu[7 * i]}`);
    }
    truth.set(f.slice(1), 5 * i);
  }
  return { name, n, imu, truth };
}

/**
 * Inclination RMSE in degrees: angle between the earth's up direction in the sensor frame by the estimate
 * (`estimate`: one [w,x,y,z] sensor-to-earth quaternion per sample, flattened) and by the truth, over samples
 * with movement = 1 and valid truth.
 */
export function inclinationRmse(trial: BroadTrial, estimate: Float64Array): number {
  const upEst = new Float64Array(3);
  const upTrue = new Float64Array(3);
  let sumSq = 0;
  let count = 0;
  for (let i = 0; i < trial.n; i++) {
    const t = trial.truth.subarray(5 * i, 5 * i + 5);
    if (t[4] !== 1 || !Number.isFinite(t[0] + t[1] + t[2] + t[3])) continue;
    earthUpInSensor(t, upTrue);
    earthUpInSensor(estimate.subarray(4 * i, 4 * i + 4), upEst);
    sumSq += angleBetween(upEst, upTrue) ** 2;
    count++;
  }
  return Math.sqrt(sumSq / count) * RAD;
}

/** The sensing core's filter run causally over a trial, as the live pipeline runs it: [w,x,y,z] per sample. */
export function estimateWithSensingFilter(trial: BroadTrial): Float64Array {
  const filter = new OrientationFilter();
  const estimate = new Float64Array(4 * trial.n);
  const q = new Float64Array(4);
  const d = trial.imu;
  for (let i = 0; i < trial.n; i++) {
    const k = 7 * i;
    filter.update(d[k], d[k + 1], d[k + 2], d[k + 3], d[k + 4], d[k + 5], d[k + 6]);
    filter.quaternion(q);
    estimate.set(q, 4 * i);
  }
  return estimate;
}
