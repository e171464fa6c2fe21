/**
 * Constructed IMU signals with a known true orientation, for the orientation filter tests.
 *
 * The sensor turns about one fixed earth axis n by an angle θ(t) from a start orientation q0:
 * q(t) = exp(n θ(t)/2) ⊗ q0. Its body rate is then along the constant sensor axis R0ᵀ n, so the gyroscope value
 * (R0ᵀ n)·(θ(t_k) − θ(t_{k−1}))/(t_k − t_{k−1}) integrates exactly to the true rotation over every interval,
 * whatever the timestamps. The accelerometer reads R(t)ᵀ (g e_z + a_lin(t)).
 */
import { STANDARD_GRAVITY } from '../../shared/imu.ts';
import type { Rng } from '../../shared/rng.ts';
import {
  quatFromRotationVector,
  quatMultiply,
  quatNormalize,
  quatRotate,
} from '../../gateway/sensing/orientation/index.ts';

export interface Signal {
  n: number;
  t: Float64Array;
  /** Per sample ax, ay, az, gx, gy, gz, flattened. */
  imu: Float64Array;
  /** True sensor-to-earth quaternion per sample, flattened. */
  q: Float64Array;
}

export interface SignalSpec {
  /** Sample timestamps, s, increasing. */
  times: ArrayLike<number>;
  /** Start orientation, sensor → earth. */
  q0: Float64Array;
  /** Earth-frame unit axis of the motion (default earth x). */
  axis?: readonly [number, number, number];
  /** Rotation angle about `axis` at time t, rad (default 0). */
  angle?: (t: number) => number;
  /** Earth-frame linear acceleration at time t, m/s² (default none). */
  linearAcc?: (t: number, out: Float64Array) => void;
  /** Constant gyroscope bias added to every sample, rad/s. */
  gyroBias?: readonly [number, number, number];
  gyroNoise?: number;
  accNoise?: number;
  rng?: Rng;
}

/** Uniform timestamps at `rate` Hz from 0 for `duration` s. */
export function sampleTimes(rate: number, duration: number): Float64Array {
  const n = Math.floor(duration * rate) + 1;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = i / rate;
  return t;
}

/** Quaternion of the rotation by `angle` about the unit axis (x, y, z). */
export function axisAngle(x: number, y: number, z: number, angle: number): Float64Array {
  const q = new Float64Array(4);
  quatFromRotationVector(x * angle, y * angle, z * angle, q);
  return q;
}

export function generateSignal(spec: SignalSpec): Signal {
  const { times, q0, rng } = spec;
  const n = times.length;
  const [nx, ny, nz] = spec.axis ?? [1, 0, 0];
  const angle = spec.angle ?? (() => 0);
  const bias = spec.gyroBias ?? [0, 0, 0];
  const gyroNoise = spec.gyroNoise ?? 0;
  const accNoise = spec.accNoise ?? 0;
  // Constant body axis of the motion: R0ᵀ n (rotate n by q0's inverse).
  const q0Inv = Float64Array.of(q0[0], -q0[1], -q0[2], -q0[3]);
  const m = new Float64Array(3);
  quatRotate(q0Inv, nx, ny, nz, m);

  const out: Signal = { n, t: Float64Array.from(times), imu: new Float64Array(6 * n), q: new Float64Array(4 * n) };
  const turn = new Float64Array(4);
  const q = new Float64Array(4);
  const qInv = new Float64Array(4);
  const lin = new Float64Array(3);
  const acc = new Float64Array(3);
  const noise = (sigma: number): number => (sigma > 0 && rng ? sigma * rng.gaussian() : 0);
  for (let i = 0; i < n; i++) {
    const t = times[i];
    const theta = angle(t);
    quatFromRotationVector(nx * theta, ny * theta, nz * theta, turn);
    quatMultiply(turn, q0, q);
    quatNormalize(q);
    out.q.set(q, 4 * i);

    lin.fill(0);
    spec.linearAcc?.(t, lin);
    qInv.set([q[0], -q[1], -q[2], -q[3]]);
    quatRotate(qInv, lin[0], lin[1], lin[2] + STANDARD_GRAVITY, acc);

    const rate = i === 0 ? 0 : (theta - angle(times[i - 1])) / (t - times[i - 1]);
    const k = 6 * i;
    out.imu[k] = acc[0] + noise(accNoise);
    out.imu[k + 1] = acc[1] + noise(accNoise);
    out.imu[k + 2] = acc[2] + noise(accNoise);
    out.imu[k + 3] = m[0] * rate + bias[0] + noise(gyroNoise);
    out.imu[k + 4] = m[1] * rate + bias[1] + noise(gyroNoise);
    out.imu[k + 5] = m[2] * rate + bias[2] + noise(gyroNoise);
  }
  return out;
}

/** The same samples with ±`jitter` s uniform noise on their timestamps: receive-time jitter of a sensor
 *  that samples on a steady clock (the truth stays at the true sampling instants). */
export function jitterTimestamps(signal: Signal, jitter: number, rng: Rng): Signal {
  const t = signal.t.map((x, i) => (i === 0 ? x : x + rng.uniform(-jitter, jitter)));
  for (let i = 1; i < t.length; i++) t[i] = Math.max(t[i], t[i - 1] + 1e-6); // stays strictly increasing
  return { ...signal, t };
}

/** Drops the samples with t in (from, to): a gap of lost packets. */
export function dropSamples(signal: Signal, from: number, to: number): Signal {
  const keep: number[] = [];
  for (let i = 0; i < signal.n; i++) if (!(signal.t[i] > from && signal.t[i] < to)) keep.push(i);
  const out: Signal = {
    n: keep.length,
    t: new Float64Array(keep.length),
    imu: new Float64Array(6 * keep.length),
    q: new Float64Array(4 * keep.length),
  };
  keep.forEach((src, dst) => {
    out.t[dst] = signal.t[src];
    out.imu.set(signal.imu.subarray(6 * src, 6 * src + 6), 6 * dst);
    out.q.set(signal.q.subarray(4 * src, 4 * src + 4), 4 * dst);
  });
  return out;
}
