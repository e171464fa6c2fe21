import { describe, expect, it } from 'vitest';
import {
  angleBetween,
  earthUpInSensor,
  OrientationFilter,
  quatMultiply,
} from '../../gateway/sensing/orientation/index.ts';
import type { OrientationParams } from '../../gateway/sensing/orientation/index.ts';
import { SensorChannel } from '../../gateway/sensing/sensor-channel.ts';
import { DEG, RAD } from '../../shared/imu.ts';
import { Rng } from '../../shared/rng.ts';
import { axisAngle, dropSamples, generateSignal, jitterTimestamps, sampleTimes } from './orientation-signals.ts';
import type { Signal } from './orientation-signals.ts';

interface Run {
  /** Estimated quaternion per sample, flattened. */
  q: Float64Array;
  /** Inclination error per sample, degrees. */
  errorDeg: Float64Array;
  filter: OrientationFilter;
}

function runFilter(signal: Signal, params: Partial<OrientationParams> = {}): Run {
  const filter = new OrientationFilter(params);
  const q = new Float64Array(4 * signal.n);
  const errorDeg = new Float64Array(signal.n);
  const est = new Float64Array(4);
  const upEst = new Float64Array(3);
  const upTrue = new Float64Array(3);
  for (let i = 0; i < signal.n; i++) {
    const d = signal.imu.subarray(6 * i, 6 * i + 6);
    filter.update(signal.t[i], d[0], d[1], d[2], d[3], d[4], d[5]);
    filter.quaternion(est);
    q.set(est, 4 * i);
    earthUpInSensor(est, upEst);
    earthUpInSensor(signal.q.subarray(4 * i, 4 * i + 4), upTrue);
    errorDeg[i] = angleBetween(upEst, upTrue) * RAD;
  }
  return { q, errorDeg, filter };
}

/** Largest error over samples with from ≤ t < to. */
function maxError(signal: Signal, run: Run, from: number, to = Infinity): number {
  let max = 0;
  for (let i = 0; i < signal.n; i++) {
    if (signal.t[i] >= from && signal.t[i] < to) max = Math.max(max, run.errorDeg[i]);
  }
  return max;
}

/**
 * Standing-like start orientation: the sensor's z axis (skin normal) horizontal, then tilted so that the
 * patch's skin inclination is `inclination` (a_z/|a| = sin θ), clipped on at `mount` about its own z.
 */
function skinOrientation(inclination: number, mount: number): Float64Array {
  const q = new Float64Array(4);
  quatMultiply(axisAngle(1, 0, 0, 90 * DEG - inclination), axisAngle(0, 0, 1, mount), q);
  return q;
}

describe('OrientationFilter', () => {
  it('converges to the accelerometer inclination asin(a_z/|a|) of a still sensor', () => {
    const rng = new Rng(1);
    for (const inclinationDeg of [-30, 0, 25, 60, 85]) {
      const q0 = skinOrientation(inclinationDeg * DEG, rng.uniform(-Math.PI, Math.PI));
      const signal = generateSignal({
        times: sampleTimes(100, 8),
        q0,
        gyroNoise: 0.003,
        accNoise: 0.05,
        rng: rng.fork(inclinationDeg + 100),
      });
      const run = runFilter(signal);
      const up = new Float64Array(3);
      earthUpInSensor(run.q.subarray(4 * (signal.n - 1)), up);
      expect(Math.asin(up[2]) * RAD).toBeCloseTo(inclinationDeg, 1);
      expect(maxError(signal, run, 6)).toBeLessThan(0.1);
    }
  });

  it('integrates a constant rotation exactly when it has only the gyroscope', () => {
    const axis = [1 / 3, 2 / 3, -2 / 3] as const;
    const rate = 90 * DEG;
    const filter = new OrientationFilter();
    const q = new Float64Array(4);
    for (const t of sampleTimes(100, 10)) {
      // An all-zero accelerometer reading means "no accelerometer": pure strapdown integration.
      filter.update(t, 0, 0, 0, axis[0] * rate, axis[1] * rate, axis[2] * rate);
      filter.quaternion(q);
      const expected = axisAngle(axis[0], axis[1], axis[2], rate * t);
      for (let c = 0; c < 4; c++) expect(q[c]).toBeCloseTo(expected[c], 9);
    }
  });

  it('keeps its quaternion unit over a long run although it renormalises only every few samples', () => {
    // 20 minutes at 200 Hz of a tumbling sensor (rates up to 3 rad/s on every axis) with its accelerometer.
    const filter = new OrientationFilter();
    const q = new Float64Array(4);
    let worst = 0;
    for (let k = 0; k < 240_000; k++) {
      const t = k / 200;
      filter.update(t, 0.3 * Math.sin(t), 9.81 * Math.cos(0.2 * t), 0.5, 3 * Math.sin(1.3 * t), 2 * Math.cos(0.7 * t), 3 * Math.sin(2.1 * t + 1));
      filter.quaternion(q);
      worst = Math.max(worst, Math.abs(Math.hypot(q[0], q[1], q[2], q[3]) - 1));
    }
    // Measured: 1.8e-15 renormalised every 16 samples; never renormalised, the rounding walks to 5e-14.
    expect(worst).toBeLessThan(1e-14);
  });

  it('does not turn receive-time jitter of the timestamps into orientation error', () => {
    const rng = new Rng(2);
    const axis = [0, 0.6, 0.8] as const;
    const rate = 90 * DEG;
    const truthTimes = sampleTimes(100, 10);
    const filter = new OrientationFilter();
    const q = new Float64Array(4);
    let worst = 0;
    let worstAfterWarmup = 0;
    let previous = -1;
    for (let i = 0; i < truthTimes.length; i++) {
      // ±3 ms of jitter on a steady 100 Hz clock; integrating each jittered interval would err by up to
      // 90 °/s × 6 ms = 0.54°.
      const t = Math.max(previous + 1e-6, truthTimes[i] + (i === 0 ? 0 : rng.uniform(-0.003, 0.003)));
      previous = t;
      filter.update(t, 0, 0, 0, axis[0] * rate, axis[1] * rate, axis[2] * rate);
      filter.quaternion(q);
      const expected = axisAngle(axis[0], axis[1], axis[2], rate * truthTimes[i]);
      const dot = Math.abs(q[0] * expected[0] + q[1] * expected[1] + q[2] * expected[2] + q[3] * expected[3]);
      const errorDeg = 2 * Math.acos(Math.min(1, dot)) * RAD;
      worst = Math.max(worst, errorDeg);
      if (truthTimes[i] >= 1) worstAfterWarmup = Math.max(worstAfterWarmup, errorDeg);
    }
    // The first samples give only a rough period; after a second the sampling instants are tracked closely.
    expect(worst).toBeLessThan(0.25);
    expect(worstAfterWarmup).toBeLessThan(0.1);
  });

  it('keeps the inclination exact while turning about the vertical with a consistent accelerometer', () => {
    const signal = generateSignal({
      times: sampleTimes(200, 10),
      q0: skinOrientation(30 * DEG, 0.7),
      axis: [0, 0, 1],
      angle: (t) => 60 * DEG * t,
    });
    const run = runFilter(signal);
    expect(maxError(signal, run, 0)).toBeLessThan(1e-6);
  });

  it('estimates a constant gyroscope bias within 0.05 °/s at rest and holds the inclination', () => {
    const rng = new Rng(3);
    const bias = [0.8 * DEG, -0.5 * DEG, 0.3 * DEG] as const;
    const signal = generateSignal({
      times: sampleTimes(100, 30),
      q0: skinOrientation(20 * DEG, 40 * DEG),
      gyroBias: bias,
      gyroNoise: 0.003,
      accNoise: 0.03,
      rng,
    });
    const run = runFilter(signal);
    expect(run.filter.isResting()).toBe(true);
    const estimate = new Float64Array(3);
    run.filter.gyroBias(estimate);
    for (let axis = 0; axis < 3; axis++) {
      expect(Math.abs(estimate[axis] - bias[axis]) * RAD).toBeLessThan(0.05);
    }
    // Until rest is detected (restMinT = 1.5 s) the bias tilts the almost-inertial frame, and the
    // accelerometer low-pass (tauAcc = 2 s) takes a few seconds to forget that: a bounded transient.
    // (Measured: at most 0.69° in the first 2 s, 0.56° from 2.5 s, 0.09° from 6 s, 0.06° from 15 s.)
    expect(maxError(signal, run, 0)).toBeLessThan(1);
    expect(maxError(signal, run, 2.5)).toBeLessThan(0.6);
    expect(maxError(signal, run, 6)).toBeLessThan(0.15);
    expect(maxError(signal, run, 15)).toBeLessThan(0.1);
  });

  it('estimates the bias during motion from the inclination corrections alone', () => {
    const rng = new Rng(4);
    const bias = [1.0 * DEG, -1.0 * DEG, 0.5 * DEG] as const;
    // Tilted sensor turning about the vertical: the changing attitude makes every bias axis observable.
    const signal = generateSignal({
      times: sampleTimes(100, 120),
      q0: skinOrientation(30 * DEG, 0.3),
      axis: [0, 0, 1],
      angle: (t) => 30 * DEG * t,
      gyroBias: bias,
      gyroNoise: 0.003,
      accNoise: 0.05,
      rng,
    });
    const run = runFilter(signal, { restBiasEstimation: false });
    const without = runFilter(signal, { restBiasEstimation: false, motionBiasEstimation: false });
    const estimate = new Float64Array(3);
    run.filter.gyroBias(estimate);
    // Turning about the vertical leaves the bias along the sensor's up axis unobservable (it only turns the
    // heading). The observable ~1.5 °/s must be mostly found: motion estimation is deliberately slow (its
    // steady-state std is biasSigmaMotion = 0.1 °/s), so after 2 min it is still converging.
    const up = new Float64Array(3);
    earthUpInSensor(signal.q.subarray(0, 4), up);
    const err = [estimate[0] - bias[0], estimate[1] - bias[1], estimate[2] - bias[2]];
    const along = err[0] * up[0] + err[1] * up[1] + err[2] * up[2];
    const observableResidual = Math.hypot(err[0] - along * up[0], err[1] - along * up[1], err[2] - along * up[2]);
    expect(observableResidual * RAD).toBeLessThan(0.25);
    expect(maxError(signal, run, 60)).toBeLessThan(0.5 * maxError(signal, without, 60));
  });

  it('is not tilted by more than 1° by squat-like linear accelerations', () => {
    const rng = new Rng(5);
    const repStart = (t: number): number => (t < 2 ? -1 : Math.floor((t - 2) / 5));
    const phase = (t: number): number => (t - 2) % 5; // each rep: 5 s
    // Vertical: accelerate down, brake, (bottom), drive up, brake: ±3 m/s² pulses of 0.4 s.
    const pulse = (p: number): number => {
      if (p < 0.4) return -3;
      if (p < 0.8) return 3;
      if (p >= 1.6 && p < 2.0) return 3;
      if (p >= 2.0 && p < 2.4) return -3;
      return 0;
    };
    const signal = generateSignal({
      times: sampleTimes(100, 32),
      q0: skinOrientation(20 * DEG, 1.1),
      axis: [1, 0, 0],
      // Pelvis tilts forward 25° with each descent and back on the way up.
      angle: (t) => (repStart(t) < 0 || phase(t) > 2.4 ? 0 : -25 * DEG * Math.sin((Math.PI * phase(t)) / 2.4)),
      linearAcc: (t, out) => {
        if (repStart(t) < 0) return;
        out[2] = pulse(phase(t));
        out[1] = 0.6 * pulse(phase(t)); // hips travel back and forth too
      },
      gyroBias: [0.2 * DEG, -0.1 * DEG, 0.1 * DEG],
      gyroNoise: 0.003,
      accNoise: 0.05,
      rng,
    });
    const run = runFilter(signal);
    expect(maxError(signal, run, 0)).toBeLessThan(1);
  });

  it('handles jittered sample times and bridges a 200 ms gap of lost packets with the gyroscope', () => {
    const rng = new Rng(6);
    const angle = (t: number): number => 30 * DEG * Math.sin(2 * Math.PI * 0.3 * t);
    const full = generateSignal({
      times: sampleTimes(100, 20),
      q0: skinOrientation(10 * DEG, 2.0),
      axis: [0.6, 0.8, 0],
      angle,
      gyroNoise: 0.003,
      accNoise: 0.05,
      rng,
    });
    const signal = dropSamples(jitterTimestamps(full, 0.003, rng), 8.0, 8.2);
    const run = runFilter(signal);
    expect(run.filter.samplePeriod()).toBeCloseTo(0.01, 3);

    // Holding the rate of the first sample after the gap would err by bridgeErrorDeg; the filter interpolates
    // the lost rates, which must do at least about as well. (True sampling times are the 10 ms grid.)
    const after = signal.t.findIndex((t) => t > 8.2);
    const [t0, t1] = [Math.round(signal.t[after - 1] * 100) / 100, Math.round(signal.t[after] * 100) / 100];
    const rateAfter = (angle(t1) - angle(t1 - 0.01)) / 0.01;
    const bridgeErrorDeg = Math.abs(angle(t1) - angle(t0) - rateAfter * (t1 - t0)) * RAD;
    expect(bridgeErrorDeg).toBeGreaterThan(0.5); // the gap matters
    expect(maxError(signal, run, 1, 8.0)).toBeLessThan(0.5);
    expect(maxError(signal, run, 8.0, 9.0)).toBeLessThan(bridgeErrorDeg + 0.5);
    expect(maxError(signal, run, 14)).toBeLessThan(0.5);
    for (const v of run.q) expect(Number.isFinite(v)).toBe(true);
  });

  it('re-initialises the inclination from the accelerometer after a gap longer than maxGapTime', () => {
    const rng = new Rng(7);
    // The sensor tilts 40° while no packets arrive, and arrives at rest.
    const angle = (t: number): number => (t < 5 ? 0 : t > 6.5 ? 40 * DEG : 40 * DEG * ((t - 5) / 1.5));
    const signal = dropSamples(
      generateSignal({
        times: sampleTimes(100, 10),
        q0: skinOrientation(15 * DEG, 0.4),
        angle,
        gyroNoise: 0.003,
        accNoise: 0.05,
        rng,
      }),
      4.9,
      7.0,
    );
    const run = runFilter(signal);
    // The first sample after the gap sets the inclination from one noisy accelerometer reading; the mean of
    // the following still samples refines it.
    expect(maxError(signal, run, 7.0)).toBeLessThan(1);
    expect(maxError(signal, run, 8.0)).toBeLessThan(0.3);
    // Bridging the 2 s with the gyroscope would have missed the whole 40° turn.
    const bridged = runFilter(signal, { maxGapTime: 5 });
    expect(maxError(signal, bridged, 7.0, 7.1)).toBeGreaterThan(20);
  });

  it('restarts from the accelerometer after a half-second gap across a turn and back', () => {
    const rng = new Rng(9);
    // A squat's bottom seen through a dropped link: the sensor tilts 30° forward and back within 0.8 s while no
    // packets arrive, and the samples after it still carry a linear acceleration (1.5 m/s² sideways, swinging).
    const angle = (t: number): number => (t < 5 || t > 5.8 ? 10 * DEG * Math.sin(2 * t) : 10 * DEG * Math.sin(2 * t) + 30 * DEG * Math.sin((Math.PI * (t - 5)) / 0.8));
    const signal = dropSamples(
      generateSignal({
        times: sampleTimes(100, 10),
        q0: skinOrientation(15 * DEG, 0.4),
        axis: [0, 1, 0],
        angle,
        linearAcc: (t, out) => {
          out[0] = 1.5 * Math.cos(3 * t);
          out[1] = 0;
          out[2] = 0;
        },
        gyroNoise: 0.003,
        accNoise: 0.05,
        rng,
      }),
      5.0,
      5.8,
    );
    const run = runFilter(signal);
    // Bridged with interpolated rates (a gap under 1 s used to be), the 30° excursion is lost entirely and the
    // filter takes seconds to correct it; restarted from the accelerometer, the inclination is right within
    // the tilt of the linear acceleration (≤ 9°) at once and settles as the filter averages it.
    const bridged = runFilter(signal, { maxGapTime: 1 });
    expect(maxError(signal, bridged, 5.85, 6.5)).toBeGreaterThan(10);
    expect(maxError(signal, run, 5.85, 6.5)).toBeLessThan(9);
    expect(maxError(signal, run, 6.5, 8)).toBeLessThan(maxError(signal, bridged, 6.5, 8) / 2);
  });

  it('gives identical output for identical input, also after reset()', () => {
    const rng = new Rng(8);
    const signal = generateSignal({
      times: sampleTimes(100, 5),
      q0: skinOrientation(5 * DEG, 0.2),
      axis: [0, 1, 0],
      angle: (t) => 20 * DEG * Math.sin(t),
      gyroNoise: 0.003,
      accNoise: 0.05,
      rng,
    });
    const a = runFilter(signal);
    const b = runFilter(signal);
    expect(b.q).toEqual(a.q);

    const reused = a.filter;
    reused.reset();
    const q = new Float64Array(4);
    const again = new Float64Array(4 * signal.n);
    for (let i = 0; i < signal.n; i++) {
      const d = signal.imu.subarray(6 * i, 6 * i + 6);
      reused.update(signal.t[i], d[0], d[1], d[2], d[3], d[4], d[5]);
      reused.quaternion(q);
      again.set(q, 4 * i);
    }
    expect(again).toEqual(a.q);
  });

  it('ignores samples with non-finite values or non-increasing time', () => {
    const filter = new OrientationFilter();
    const reference = new OrientationFilter();
    filter.update(0, 0, 0, 9.81, 0, 0, 0);
    reference.update(0, 0, 0, 9.81, 0, 0, 0);
    filter.update(0.01, Number.NaN, 0, 9.81, 0, 0, 0);
    filter.update(0, 5, 0, 9.81, 1, 0, 0);
    filter.update(0.02, 0, 3, 9.3, 0.1, 0, 0);
    reference.update(0.02, 0, 3, 9.3, 0.1, 0, 0);
    const [q, r] = [new Float64Array(4), new Float64Array(4)];
    filter.quaternion(q);
    reference.quaternion(r);
    expect(q).toEqual(r);
  });

  it('rejects meaningless parameters', () => {
    expect(() => new OrientationFilter({ tauAcc: 0 })).toThrow(RangeError);
    expect(() => new OrientationFilter({ restThGyr: -1 })).toThrow(RangeError);
    expect(() => new OrientationFilter({ samplePeriod: 0 })).toThrow(RangeError);
  });
});

describe('OrientationFilter on a cheap gyroscope', () => {
  /** 20 s lying still at 100 Hz; gyroscope noise `noiseDegS` rms per axis, bias `biasDegS` per axis. */
  function still(noiseDegS: number, biasDegS: readonly [number, number, number], swayDegS = 0) {
    const rng = new Rng(7);
    const f = new OrientationFilter();
    // What the sensor channel passes on from its stillness detector's noise floor.
    f.setGyroNoiseRms(noiseDegS * DEG);
    let rested = false;
    for (let k = 0; k < 2000; k++) {
      // A slow sway about the sensor's y axis (a lifter rocking at 0.2 Hz), small enough to leave gravity alone.
      const sway = [0, swayDegS * Math.sin(2 * Math.PI * 0.2 * (k / 100)), 0];
      const g = biasDegS.map((b, i) => (b + sway[i] + noiseDegS * rng.gaussian()) * DEG);
      f.update(k / 100, 0.05 * rng.gaussian(), 0.05 * rng.gaussian(), 9.81 + 0.05 * rng.gaussian(), g[0], g[1], g[2]);
      rested ||= f.isResting();
    }
    const b = new Float64Array(3);
    f.gyroBias(b);
    return { rested, biasDegS: [...b].map((x) => x * RAD) };
  }

  it('rests, and learns its bias there, although its noise crosses the paper’s 2 °/s threshold every few samples', () => {
    // 1 °/s rms per axis (MPU-6050 class): the deviation from the low-pass exceeds 2 °/s in about a quarter of
    // the samples, so a fixed threshold never saw 1.5 s of rest. The bias is within the clip per axis
    // (1.8 °/s) though its norm (2.5 °/s) is not, which the rest test used to refuse too.
    const { rested, biasDegS } = still(1, [1.8, -1.8, 0.3]);
    expect(rested).toBe(true);
    expect(Math.abs(biasDegS[0] - 1.8)).toBeLessThan(0.2);
    expect(Math.abs(biasDegS[1] + 1.8)).toBeLessThan(0.2);
  });

  it('does not take a slow sway for rest (its low-pass is no bias measurement)', () => {
    // The raised threshold lets a 2 °/s sway at 0.2 Hz through the deviation test; the low-passed rate wanders.
    expect(still(1, [0.5, -0.5, 0.2], 2).rested).toBe(false);
  });

  it('keeps the paper’s threshold for a good gyroscope', () => {
    expect(still(0.1, [0.5, -0.5, 0.2]).rested).toBe(true);
  });

  it('learns the noise in a sensor channel (the stillness detector’s floor reaches the filter)', () => {
    const channel = new SensorChannel({ id: 's', placement: 'sacrum' });
    const rng = new Rng(3);
    let rested = false;
    for (let k = 0; k < 2000; k++) {
      const g = [1.8, -1.8, 0.3].map((b) => (b + rng.gaussian()) * DEG);
      channel.update({ sensor: 's', t: k / 100, ax: 0.05 * rng.gaussian(), ay: 0.05 * rng.gaussian(), az: 9.81 + 0.05 * rng.gaussian(), gx: g[0], gy: g[1], gz: g[2] });
      rested ||= channel.filter.isResting();
    }
    expect(rested).toBe(true);
  });
});
