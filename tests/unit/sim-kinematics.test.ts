import { describe, expect, it } from 'vitest';
import { STANDARD_GRAVITY } from '../../shared/imu.ts';
import { ATHLETE_PROFILES, buildSquatSet } from '../../firmware-sim/model/index.ts';

type Quat = [number, number, number, number];

function multiply(a: Quat, b: Quat): Quat {
  return [
    a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3],
    a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2],
    a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1],
    a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0],
  ];
}

function fromRotationVector(x: number, y: number, z: number): Quat {
  const angle = Math.hypot(x, y, z);
  if (angle < 1e-15) return [1, 0, 0, 0];
  const s = Math.sin(angle / 2) / angle;
  return [Math.cos(angle / 2), x * s, y * s, z * s];
}

function angleBetweenDeg(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const dot = Math.abs(a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3]);
  return ((2 * Math.acos(Math.min(1, dot))) * 180) / Math.PI;
}

/** v rotated by q (sensor → earth). */
function rotate(q: ArrayLike<number>, v: [number, number, number]): [number, number, number] {
  const [w, x, y, z] = [q[0], q[1], q[2], q[3]];
  const r: Quat = multiply(multiply([w, x, y, z], [0, v[0], v[1], v[2]]), [w, -x, -y, -z]);
  return [r[1], r[2], r[3]];
}

describe('simulated IMU kinematics', () => {
  const set = buildSquatSet({ profile: ATHLETE_PROFILES['posterior'], seed: 5, reps: 3, sensors: 'both' });

  for (const rateHz of [200, 100]) {
    it(`integrating the ideal gyroscope at ${rateHz} Hz tracks the true orientation over the whole set`, () => {
      const dt = 1 / rateHz;
      const imu = new Float64Array(6);
      const truth = new Float64Array(4);
      for (let i = 0; i < set.sensors.length; i++) {
        set.pose(i, 0, truth);
        let q: Quat = [truth[0], truth[1], truth[2], truth[3]];
        set.idealImu(i, 0, imu);
        let w0 = [imu[3], imu[4], imu[5]];
        let worst = 0;
        let turned = 0;
        const steps = Math.floor(set.duration / dt);
        for (let k = 1; k <= steps; k++) {
          set.idealImu(i, k * dt, imu);
          const w1 = [imu[3], imu[4], imu[5]];
          // Trapezoidal rate plus the second-order coning term (body rates do not commute).
          const cx = w0[1] * w1[2] - w0[2] * w1[1];
          const cy = w0[2] * w1[0] - w0[0] * w1[2];
          const cz = w0[0] * w1[1] - w0[1] * w1[0];
          const rx = ((w0[0] + w1[0]) / 2) * dt + (dt * dt * cx) / 12;
          const ry = ((w0[1] + w1[1]) / 2) * dt + (dt * dt * cy) / 12;
          const rz = ((w0[2] + w1[2]) / 2) * dt + (dt * dt * cz) / 12;
          turned += Math.hypot(rx, ry, rz);
          q = multiply(q, fromRotationVector(rx, ry, rz));
          w0 = w1;
          if (k % rateHz === 0 || k === steps) worst = Math.max(worst, angleBetweenDeg(q, set.pose(i, k * dt, truth)));
        }
        expect(turned).toBeGreaterThan(1); // the set really rotates the sensors (rad in total)
        expect(worst).toBeLessThan(0.5);
      }
    });
  }

  it('double-integrating R·f − g over a rep reproduces the sensor’s vertical travel (ideal sensor)', () => {
    const rep = set.truth.reps[1];
    const dt = 0.005;
    const t0 = rep.t_start - 0.3;
    const steps = Math.round((rep.t_end + 0.3 - t0) / dt);
    const imu = new Float64Array(6);
    const q = new Float64Array(4);
    const p = new Float64Array(3);
    for (let i = 0; i < set.sensors.length; i++) {
      const z0 = set.position(i, t0, p)[2];
      // True initial vertical velocity from the model's position (quiet standing is not perfectly still).
      const vz0 = (set.position(i, t0 + 1e-4, p)[2] - set.position(i, t0 - 1e-4, p)[2]) / 2e-4;
      const verticalAcc = (t: number): number => {
        set.idealImu(i, t, imu);
        return rotate(set.pose(i, t, q), [imu[0], imu[1], imu[2]])[2] - STANDARD_GRAVITY;
      };
      let v = vz0;
      let z = 0;
      let a0 = verticalAcc(t0);
      let worst = 0;
      let lowest = 0;
      for (let k = 1; k <= steps; k++) {
        const t = t0 + k * dt;
        const a1 = verticalAcc(t);
        const v1 = v + ((a0 + a1) / 2) * dt;
        z += ((v + v1) / 2) * dt + ((a0 - a1) * dt * dt) / 12;
        v = v1;
        a0 = a1;
        const trueDz = set.position(i, t, p)[2] - z0;
        worst = Math.max(worst, Math.abs(z - trueDz));
        lowest = Math.min(lowest, trueDz);
      }
      expect(lowest).toBeLessThan(-0.2); // a real rep: the sensor travels tens of cm
      expect(worst).toBeLessThan(0.002);
    }
  });

  it('walk-out steps bob the pelvis by centimetres, not by a rep', () => {
    const walkout = set.truth.movements.find((m) => m.kind === 'walkout');
    expect(walkout).toBeDefined();
    const p = new Float64Array(3);
    const zs: number[] = [];
    const xs: number[] = [];
    for (let t = walkout!.t_start; t <= walkout!.t_end; t += 0.005) {
      set.position(1, t, p);
      zs.push(p[2]);
      xs.push(p[0]);
    }
    const zRange = Math.max(...zs) - Math.min(...zs);
    expect(zRange).toBeGreaterThan(0.005);
    expect(zRange).toBeLessThan(0.05);
    expect(xs[0] - xs[xs.length - 1]).toBeGreaterThan(0.2); // walked backwards
  });
});
