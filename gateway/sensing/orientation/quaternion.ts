/**
 * Allocation-free quaternion helpers for the orientation filter's hot loop.
 *
 * Quaternions are `[w, x, y, z]` in a Float64Array (or any indexable array of 4 numbers). A quaternion q
 * "from frame A to frame B" rotates A-frame coordinates into B-frame coordinates: v_B = q ⊗ v_A ⊗ q*.
 * Every function writes into `out` and reads all inputs before writing, so `out` may alias an input.
 */

export type Quat = Float64Array;
export type Vec3 = Float64Array;

/** Below this rotation angle (rad), quatFromRotationVector uses Taylor series (see there). */
const SERIES_MAX_ANGLE = 0.05;

/** A new identity quaternion (for set-up code, not for per-sample use). */
export function identityQuat(): Quat {
  return Float64Array.of(1, 0, 0, 0);
}

export function setIdentity(q: Quat): void {
  q[0] = 1;
  q[1] = 0;
  q[2] = 0;
  q[3] = 0;
}

/** out = a ⊗ b (Hamilton product: first rotate by b, then by a). */
export function quatMultiply(a: Quat, b: Quat, out: Quat): void {
  const aw = a[0], ax = a[1], ay = a[2], az = a[3];
  const bw = b[0], bx = b[1], by = b[2], bz = b[3];
  out[0] = aw * bw - ax * bx - ay * by - az * bz;
  out[1] = aw * bx + ax * bw + ay * bz - az * by;
  out[2] = aw * by - ax * bz + ay * bw + az * bx;
  out[3] = aw * bz + ax * by - ay * bx + az * bw;
}

/** Scales q to unit length in place; a zero quaternion becomes the identity rather than NaN. */
export function quatNormalize(q: Quat): void {
  const n = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  if (n === 0) {
    setIdentity(q);
    return;
  }
  // One division and four products: this runs three times per sample and sensor.
  const inv = 1 / n;
  q[0] *= inv;
  q[1] *= inv;
  q[2] *= inv;
  q[3] *= inv;
}

/** out = q ⊗ (vx, vy, vz) ⊗ q*, for a unit q: the vector expressed in q's target frame. */
export function quatRotate(q: Quat, vx: number, vy: number, vz: number, out: Vec3): void {
  const w = q[0], x = q[1], y = q[2], z = q[3];
  // v' = v + 2w (u × v) + 2 u × (u × v), u = (x, y, z): fewer operations than building the matrix.
  const tx = 2 * (y * vz - z * vy);
  const ty = 2 * (z * vx - x * vz);
  const tz = 2 * (x * vy - y * vx);
  out[0] = vx + w * tx + (y * tz - z * ty);
  out[1] = vy + w * ty + (z * tx - x * tz);
  out[2] = vz + w * tz + (x * ty - y * tx);
}

/**
 * The unit quaternion of the rotation by the vector (rx, ry, rz): axis = its direction, angle = its length in
 * radians. Exact for any angle, so a constant rate integrates without truncation error.
 */
export function quatFromRotationVector(rx: number, ry: number, rz: number, out: Quat): void {
  const angle = Math.sqrt(rx * rx + ry * ry + rz * rz);
  if (angle < 1e-12) {
    // sin(a/2)/a → 1/2; the second-order term is below double precision at this size.
    out[0] = 1;
    out[1] = 0.5 * rx;
    out[2] = 0.5 * ry;
    out[3] = 0.5 * rz;
    return;
  }
  let s: number;
  let c: number;
  if (angle < SERIES_MAX_ANGLE) {
    // A sample's rotation is small (0.05 rad is 2.9 rad/s at 58 Hz): the Taylor series of sin(a/2)/a and
    // cos(a/2), to the a⁶ term, are exact to double precision there (the next terms are below 1e-19) and cost
    // far less than Math.sin and Math.cos.
    const a2 = angle * angle;
    s = 0.5 + a2 * (-1 / 48 + a2 * (1 / 3840 + a2 * (-1 / 645120)));
    c = 1 + a2 * (-1 / 8 + a2 * (1 / 384 + a2 * (-1 / 46080)));
  } else {
    s = Math.sin(0.5 * angle) / angle;
    c = Math.cos(0.5 * angle);
  }
  out[0] = c;
  out[1] = s * rx;
  out[2] = s * ry;
  out[3] = s * rz;
}

/** Row-major 3×3 rotation matrix of a unit quaternion: v_target = R v_source. */
export function quatToRotationMatrix(q: Quat, out: Float64Array): void {
  const w = q[0], x = q[1], y = q[2], z = q[3];
  out[0] = 1 - 2 * (y * y + z * z);
  out[1] = 2 * (x * y - w * z);
  out[2] = 2 * (x * z + w * y);
  out[3] = 2 * (x * y + w * z);
  out[4] = 1 - 2 * (x * x + z * z);
  out[5] = 2 * (y * z - w * x);
  out[6] = 2 * (x * z - w * y);
  out[7] = 2 * (y * z + w * x);
  out[8] = 1 - 2 * (x * x + y * y);
}

/**
 * The earth's up direction (earth z) expressed in the sensor frame, for a sensor-to-earth quaternion: the third
 * row of its rotation matrix. This is all of the orientation that gravity can observe (the inclination).
 */
export function earthUpInSensor(q: Quat, out: Vec3): void {
  const w = q[0], x = q[1], y = q[2], z = q[3];
  out[0] = 2 * (x * z - w * y);
  out[1] = 2 * (y * z + w * x);
  out[2] = 1 - 2 * (x * x + y * y);
}

/** Angle between two vectors in radians, accurate also near 0 and π (atan2 of |a × b| and a · b). */
export function angleBetween(a: Vec3, b: Vec3): number {
  const cx = a[1] * b[2] - a[2] * b[1];
  const cy = a[2] * b[0] - a[0] * b[2];
  const cz = a[0] * b[1] - a[1] * b[0];
  return Math.atan2(Math.sqrt(cx * cx + cy * cy + cz * cz), a[0] * b[0] + a[1] * b[1] + a[2] * b[2]);
}
