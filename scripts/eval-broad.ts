/**
 * Inclination accuracy of the orientation filter on the BROAD trials (../shared/data/broad, see its README):
 * per trial, the RMSE of the angle between the earth's up direction seen in the sensor frame by the estimate and
 * by the optical truth, over the samples with movement = 1 and valid truth; then the mean over trials. A
 * Madgwick (β = 0.1) filter runs alongside as a baseline. Then the same trials degraded the way BLE degrades
 * them (every 3rd sample ≈ 95 Hz, ±3 ms timestamp jitter, 10 % of the packets lost), scored on the kept
 * samples. Also measures the filter's own throughput.
 *
 * Run from the repository root: `npx tsx scripts/eval-broad.ts [data directory]`.
 */
import { resolve } from 'node:path';
import { OrientationFilter } from '../gateway/sensing/orientation/index.ts';
import { BROAD_DIR, BROAD_VQF_REFERENCE, estimateWithSensingFilter, inclinationRmse, listBroadTrials, loadBroadTrial } from './broad-data.ts';
import type { BroadTrial } from './broad-data.ts';
import { Rng } from '../shared/rng.ts';

const dataDir = resolve(process.argv[2] ?? BROAD_DIR);

/** One quaternion per sample ([w,x,y,z] flattened) from a filter driven over the trial. */
type Estimator = (trial: BroadTrial, out: Float64Array) => void;

const runOrientationFilter: Estimator = (trial, out) => {
  out.set(estimateWithSensingFilter(trial));
};

/**
 * Madgwick's IMU filter (S. Madgwick, 2010): gyroscope rate plus β times the normalised gradient-descent step
 * toward aligning the predicted and measured gravity directions. Started from the first accelerometer sample
 * like the filter under test, so the comparison does not include a start-up transient.
 */
function runMadgwick(beta: number): Estimator {
  return (trial, out) => {
    const d = trial.imu;
    let w = 1, x = 0, y = 0, z = 0;
    {
      // Shortest rotation taking the first normalised acceleration to earth z.
      const n = Math.hypot(d[1], d[2], d[3]);
      const qw = Math.sqrt(0.5 * (1 + d[3] / n));
      [w, x, y, z] = [qw, (0.5 * d[2]) / n / qw, (-0.5 * d[1]) / n / qw, 0];
    }
    for (let i = 0; i < trial.n; i++) {
      const k = 7 * i;
      const dt = i === 0 ? 0 : d[k] - d[k - 7];
      const an = Math.hypot(d[k + 1], d[k + 2], d[k + 3]);
      const ax = d[k + 1] / an, ay = d[k + 2] / an, az = d[k + 3] / an;
      const gx = d[k + 4], gy = d[k + 5], gz = d[k + 6];
      // f = (earth up seen in the sensor frame) − measured direction; ∇ = Jᵀ f (Madgwick's Jacobian).
      const f0 = 2 * (x * z - w * y) - ax;
      const f1 = 2 * (w * x + y * z) - ay;
      const f2 = 1 - 2 * (x * x + y * y) - az;
      let sw = -2 * y * f0 + 2 * x * f1;
      let sx = 2 * z * f0 + 2 * w * f1 - 4 * x * f2;
      let sy = -2 * w * f0 + 2 * z * f1 - 4 * y * f2;
      let sz = 2 * x * f0 + 2 * y * f1;
      const sn = Math.hypot(sw, sx, sy, sz) || 1;
      sw /= sn; sx /= sn; sy /= sn; sz /= sn;
      const dw = 0.5 * (-x * gx - y * gy - z * gz) - beta * sw;
      const dx = 0.5 * (w * gx + y * gz - z * gy) - beta * sx;
      const dy = 0.5 * (w * gy - x * gz + z * gx) - beta * sy;
      const dz = 0.5 * (w * gz + x * gy - y * gx) - beta * sz;
      w += dw * dt; x += dx * dt; y += dy * dt; z += dz * dt;
      const qn = Math.hypot(w, x, y, z);
      w /= qn; x /= qn; y /= qn; z /= qn;
      out.set([w, x, y, z], 4 * i);
    }
  };
}

/**
 * The trial as a BLE sensor would deliver it: every `decimation`-th sample, timestamps with ±`jitter` s of
 * uniform noise, each packet lost with probability `loss`. The estimate is scored at the delivered samples.
 */
function degrade(trial: BroadTrial, decimation: number, jitter: number, loss: number, rng: Rng): BroadTrial {
  const keep: number[] = [];
  for (let i = 0; i < trial.n; i += decimation) if (i === 0 || rng.next() >= loss) keep.push(i);
  const out: BroadTrial = {
    name: trial.name,
    n: keep.length,
    imu: new Float64Array(7 * keep.length),
    truth: new Float64Array(5 * keep.length),
  };
  let previous = -Infinity;
  keep.forEach((src, dst) => {
    out.imu.set(trial.imu.subarray(7 * src, 7 * src + 7), 7 * dst);
    out.truth.set(trial.truth.subarray(5 * src, 5 * src + 5), 5 * dst);
    const t = Math.max(previous + 1e-6, out.imu[7 * dst] + (dst === 0 ? 0 : rng.uniform(-jitter, jitter)));
    out.imu[7 * dst] = t;
    previous = t;
  });
  return out;
}

/** Samples per second of the filter alone (update + quaternion read-out, no metric), best of a few runs. */
function throughput(trials: BroadTrial[]): number {
  const q = new Float64Array(4);
  let best = 0;
  for (let run = 0; run < 3; run++) {
    let samples = 0;
    const start = performance.now();
    for (const trial of trials) {
      const filter = new OrientationFilter();
      const d = trial.imu;
      for (let i = 0; i < trial.n; i++) {
        const k = 7 * i;
        filter.update(d[k], d[k + 1], d[k + 2], d[k + 3], d[k + 4], d[k + 5], d[k + 6]);
        filter.quaternion(q);
      }
      samples += trial.n;
    }
    best = Math.max(best, samples / ((performance.now() - start) / 1000));
  }
  return best;
}

const names = listBroadTrials(dataDir);
if (names.length === 0) throw new Error(`no trials in ${dataDir}`);
const trials = await Promise.all(names.map((name) => loadBroadTrial(dataDir, name)));

const fmt = (v: number): string => v.toFixed(3).padStart(8);
console.log(`BROAD inclination RMSE (°), movement samples with valid truth — ${dataDir}`);
console.log(`${'trial'.padEnd(44)}${'filter'.padStart(8)}${'VQF ref'.padStart(8)}${'Madgwick'.padStart(9)}`);
const results = trials.map((trial) => {
  const estimate = new Float64Array(4 * trial.n);
  runOrientationFilter(trial, estimate);
  const ours = inclinationRmse(trial, estimate);
  runMadgwick(0.1)(trial, estimate);
  const madgwick = inclinationRmse(trial, estimate);
  const ref = BROAD_VQF_REFERENCE[trial.name.slice(0, 2)] ?? NaN;
  console.log(`${trial.name.padEnd(44)}${fmt(ours)}${fmt(ref)} ${fmt(madgwick)}`);
  return { ours, ref, madgwick };
});
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(
  `${'mean'.padEnd(44)}${fmt(mean(results.map((r) => r.ours)))}${fmt(mean(results.map((r) => r.ref)))} ` +
    `${fmt(mean(results.map((r) => r.madgwick)))}`,
);
console.log('\ndegraded input, mean over trials (filter):');
const conditions: [string, number, number, number][] = [
  ['95 Hz', 3, 0, 0],
  ['95 Hz, ±3 ms jitter', 3, 0.003, 0],
  ['95 Hz, ±3 ms jitter, 10 % loss', 3, 0.003, 0.1],
];
for (const [label, decimation, jitter, loss] of conditions) {
  const rng = new Rng(2026);
  const rmse = trials.map((trial) => {
    const degraded = degrade(trial, decimation, jitter, loss, rng);
    const estimate = new Float64Array(4 * degraded.n);
    runOrientationFilter(degraded, estimate);
    return inclinationRmse(degraded, estimate);
  });
  console.log(`${label.padEnd(44)}${fmt(mean(rmse))}`);
}

const rate = throughput(trials);
console.log(`filter throughput: ${(rate / 1e6).toFixed(2)} M samples/s (${(1e9 / rate).toFixed(0)} ns/sample)`);
