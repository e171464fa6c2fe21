/**
 * Angles and vertical acceleration from a sensor-to-earth quaternion [w, x, y, z] (earth z up; docs/INTERFACES.md
 * §1–2). Allocation-free: they read the quaternion's four numbers.
 */
import { RAD } from '../../shared/imu.ts';

/**
 * Skin inclination θ, degrees: the elevation of the sensor's z axis (the outward skin normal) above the
 * horizontal, asin(n_z) with n = R·[0,0,1]. Positive when the top of the patch tilts forward. It needs no
 * knowledge of how the sensor was clipped on (rotation about z), which is why squatmon uses it: the same
 * angle as asin(a_z/|a|) at rest, but valid during motion.
 */
export function skinInclinationDeg(q: ArrayLike<number>): number {
  const nz = 1 - 2 * (q[1] * q[1] + q[2] * q[2]);
  return Math.asin(nz > 1 ? 1 : nz < -1 ? -1 : nz) * RAD;
}

/** Earth-vertical component of a sensor-frame vector (e.g. the specific force): the third row of R. */
export function earthVertical(q: ArrayLike<number>, vx: number, vy: number, vz: number): number {
  const w = q[0], x = q[1], y = q[2], z = q[3];
  return 2 * (x * z - w * y) * vx + 2 * (y * z + w * x) * vy + (1 - 2 * (x * x + y * y)) * vz;
}
