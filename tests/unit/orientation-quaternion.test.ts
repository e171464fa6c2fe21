import { describe, expect, it } from 'vitest';
import {
  angleBetween,
  earthUpInSensor,
  quatFromRotationVector,
  quatMultiply,
  quatNormalize,
  quatRotate,
  quatToRotationMatrix,
} from '../../gateway/sensing/orientation/index.ts';
import { Rng } from '../../shared/rng.ts';

function randomQuat(rng: Rng): Float64Array {
  const q = Float64Array.of(rng.gaussian(), rng.gaussian(), rng.gaussian(), rng.gaussian());
  quatNormalize(q);
  return q;
}

describe('quaternion helpers', () => {
  it('rotates by the right-hand rule: 90° about z takes x to y', () => {
    const q = new Float64Array(4);
    quatFromRotationVector(0, 0, Math.PI / 2, q);
    const v = new Float64Array(3);
    quatRotate(q, 1, 0, 0, v);
    expect(v[0]).toBeCloseTo(0, 12);
    expect(v[1]).toBeCloseTo(1, 12);
    expect(v[2]).toBeCloseTo(0, 12);
  });

  it('composes: rotating by a ⊗ b is rotating by b then by a, also when out aliases an input', () => {
    const rng = new Rng(11);
    for (let k = 0; k < 50; k++) {
      const a = randomQuat(rng);
      const b = randomQuat(rng);
      const [vx, vy, vz] = [rng.gaussian(), rng.gaussian(), rng.gaussian()];
      const step = new Float64Array(3);
      const twoSteps = new Float64Array(3);
      quatRotate(b, vx, vy, vz, step);
      quatRotate(a, step[0], step[1], step[2], twoSteps);
      quatMultiply(a, b, a); // out aliases the first input
      const once = new Float64Array(3);
      quatRotate(a, vx, vy, vz, once);
      for (let i = 0; i < 3; i++) expect(once[i]).toBeCloseTo(twoSteps[i], 12);
    }
  });

  it('builds the rotation matrix that quatRotate applies, and earth up in the sensor frame as its third row', () => {
    const rng = new Rng(12);
    const r = new Float64Array(9);
    const v = new Float64Array(3);
    const up = new Float64Array(3);
    for (let k = 0; k < 20; k++) {
      const q = randomQuat(rng);
      quatToRotationMatrix(q, r);
      const [x, y, z] = [rng.gaussian(), rng.gaussian(), rng.gaussian()];
      quatRotate(q, x, y, z, v);
      for (let i = 0; i < 3; i++) expect(v[i]).toBeCloseTo(r[3 * i] * x + r[3 * i + 1] * y + r[3 * i + 2] * z, 12);
      // Earth up in the sensor frame is the inverse rotation of (0, 0, 1).
      earthUpInSensor(q, up);
      quatRotate(Float64Array.of(q[0], -q[1], -q[2], -q[3]), 0, 0, 1, v);
      for (let i = 0; i < 3; i++) expect(up[i]).toBeCloseTo(v[i], 12);
    }
  });

  it('makes a rotation vector into its exact quaternion, including tiny angles', () => {
    const q = new Float64Array(4);
    quatFromRotationVector(0.3, -0.4, 1.2, q); // |r| = 1.3
    const s = Math.sin(0.65) / 1.3;
    expect(Array.from(q)).toEqual([Math.cos(0.65), 0.3 * s, -0.4 * s, 1.2 * s].map((x) => expect.closeTo(x, 14)));
    quatFromRotationVector(1e-14, 0, 0, q);
    expect(q[1]).toBeCloseTo(5e-15, 20);
    expect(Math.hypot(...q)).toBeCloseTo(1, 14);
  });

  it('gives the same quaternion from its series for a sample-sized rotation as sin and cos do', () => {
    // Below 0.05 rad the function uses Taylor series; on both sides of that edge it must agree with the exact
    // formula to double precision (a wrong coefficient would show at 1e-9 and above).
    const q = new Float64Array(4);
    for (const angle of [1e-6, 1e-3, 0.01, 0.03, 0.0499999, 0.05, 0.0500001, 0.2]) {
      const axis = [0.36, -0.48, 0.8]; // unit length
      quatFromRotationVector(axis[0] * angle, axis[1] * angle, axis[2] * angle, q);
      const s = Math.sin(angle / 2);
      const exact = [Math.cos(angle / 2), axis[0] * s, axis[1] * s, axis[2] * s];
      for (let i = 0; i < 4; i++) expect(Math.abs(q[i] - exact[i])).toBeLessThan(4e-16);
    }
  });

  it('normalises, turning a zero quaternion into the identity instead of NaN', () => {
    const q = Float64Array.of(2, 0, 0, 0);
    quatNormalize(q);
    expect(Array.from(q)).toEqual([1, 0, 0, 0]);
    q.fill(0);
    quatNormalize(q);
    expect(Array.from(q)).toEqual([1, 0, 0, 0]);
  });

  it('measures angles between vectors accurately near 0 and π', () => {
    expect(angleBetween(Float64Array.of(1, 0, 0), Float64Array.of(0, 2, 0))).toBeCloseTo(Math.PI / 2, 14);
    expect(angleBetween(Float64Array.of(1, 0, 0), Float64Array.of(1, 1e-9, 0))).toBeCloseTo(1e-9, 20);
    expect(angleBetween(Float64Array.of(1, 0, 0), Float64Array.of(-1, 1e-9, 0))).toBeCloseTo(Math.PI - 1e-9, 14);
  });
});
