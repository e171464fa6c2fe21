/**
 * Small allocation-free 3-D rotation helpers for the simulator's hot paths.
 * Matrices are row-major Float64Array(9); quaternions are [w, x, y, z] (docs/INTERFACES.md §1).
 */

export type Mat3 = Float64Array;
export type Vec3 = Float64Array;

export function mat3(): Mat3 {
  return new Float64Array(9);
}

/**
 * out = Rz(yaw) · Rx(roll) · Ry(pitch): the order the body model uses (heading, then side bend, then the
 * sagittal tilt that carries almost all the motion), written out in closed form to keep it cheap.
 */
export function setRotZXY(out: Mat3, yaw: number, roll: number, pitch: number): Mat3 {
  const cz = Math.cos(yaw);
  const sz = Math.sin(yaw);
  const cx = Math.cos(roll);
  const sx = Math.sin(roll);
  const cy = Math.cos(pitch);
  const sy = Math.sin(pitch);
  out[0] = cz * cy - sz * sx * sy;
  out[1] = -sz * cx;
  out[2] = cz * sy + sz * sx * cy;
  out[3] = sz * cy + cz * sx * sy;
  out[4] = cz * cx;
  out[5] = sz * sy - cz * sx * cy;
  out[6] = -cx * sy;
  out[7] = sx;
  out[8] = cx * cy;
  return out;
}

export function setRotZ(out: Mat3, angle: number): Mat3 {
  return setRotZXY(out, angle, 0, 0);
}

/** out = mᵀ (out may not alias m). */
export function transpose(out: Mat3, m: Mat3): Mat3 {
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[3 * i + j] = m[3 * j + i];
  return out;
}

/** out = a · b (out may not alias a or b). */
export function mulMat(out: Mat3, a: Mat3, b: Mat3): Mat3 {
  for (let i = 0; i < 3; i++) {
    const a0 = a[3 * i];
    const a1 = a[3 * i + 1];
    const a2 = a[3 * i + 2];
    out[3 * i] = a0 * b[0] + a1 * b[3] + a2 * b[6];
    out[3 * i + 1] = a0 * b[1] + a1 * b[4] + a2 * b[7];
    out[3 * i + 2] = a0 * b[2] + a1 * b[5] + a2 * b[8];
  }
  return out;
}

/** out = aᵀ · b (out may not alias a or b). */
export function mulMatTransposed(out: Mat3, a: Mat3, b: Mat3): Mat3 {
  for (let i = 0; i < 3; i++) {
    const a0 = a[i];
    const a1 = a[3 + i];
    const a2 = a[6 + i];
    out[3 * i] = a0 * b[0] + a1 * b[3] + a2 * b[6];
    out[3 * i + 1] = a0 * b[1] + a1 * b[4] + a2 * b[7];
    out[3 * i + 2] = a0 * b[2] + a1 * b[5] + a2 * b[8];
  }
  return out;
}

/** out = m · (x, y, z), written at out[offset..offset+2]. */
export function applyMat(out: Float64Array, m: Mat3, x: number, y: number, z: number, offset = 0): Float64Array {
  out[offset] = m[0] * x + m[1] * y + m[2] * z;
  out[offset + 1] = m[3] * x + m[4] * y + m[5] * z;
  out[offset + 2] = m[6] * x + m[7] * y + m[8] * z;
  return out;
}

/** out = mᵀ · (x, y, z), written at out[offset..offset+2]. */
export function applyMatTransposed(
  out: Float64Array,
  m: Mat3,
  x: number,
  y: number,
  z: number,
  offset = 0,
): Float64Array {
  out[offset] = m[0] * x + m[3] * y + m[6] * z;
  out[offset + 1] = m[1] * x + m[4] * y + m[7] * z;
  out[offset + 2] = m[2] * x + m[5] * y + m[8] * z;
  return out;
}

/**
 * Rotation vector (axis × angle) of a rotation matrix that is close to identity — used for body rates from
 * the relative rotation over a few milliseconds, where the angle is far below π.
 */
export function smallRotationVector(out: Float64Array, m: Mat3, offset = 0): Float64Array {
  const vx = (m[7] - m[5]) / 2;
  const vy = (m[2] - m[6]) / 2;
  const vz = (m[3] - m[1]) / 2;
  const s = Math.sqrt(vx * vx + vy * vy + vz * vz); // sin(angle)
  const k = s > 1e-12 ? Math.asin(Math.min(1, s)) / s : 1;
  out[offset] = vx * k;
  out[offset + 1] = vy * k;
  out[offset + 2] = vz * k;
  return out;
}

/** Unit quaternion [w, x, y, z] of a rotation matrix (Shepperd's method: branch on the largest component). */
export function quatFromMat(out: Float64Array, m: Mat3): Float64Array {
  const tr = m[0] + m[4] + m[8];
  let w: number;
  let x: number;
  let y: number;
  let z: number;
  if (tr > 0) {
    const s = 2 * Math.sqrt(1 + tr);
    w = s / 4;
    x = (m[7] - m[5]) / s;
    y = (m[2] - m[6]) / s;
    z = (m[3] - m[1]) / s;
  } else if (m[0] > m[4] && m[0] > m[8]) {
    const s = 2 * Math.sqrt(1 + m[0] - m[4] - m[8]);
    w = (m[7] - m[5]) / s;
    x = s / 4;
    y = (m[1] + m[3]) / s;
    z = (m[2] + m[6]) / s;
  } else if (m[4] > m[8]) {
    const s = 2 * Math.sqrt(1 + m[4] - m[0] - m[8]);
    w = (m[2] - m[6]) / s;
    x = (m[1] + m[3]) / s;
    y = s / 4;
    z = (m[5] + m[7]) / s;
  } else {
    const s = 2 * Math.sqrt(1 + m[8] - m[0] - m[4]);
    w = (m[3] - m[1]) / s;
    x = (m[2] + m[6]) / s;
    y = (m[5] + m[7]) / s;
    z = s / 4;
  }
  // One sign convention (w ≥ 0) so equal rotations compare equal.
  const sign = w < 0 ? -1 : 1;
  out[0] = w * sign;
  out[1] = x * sign;
  out[2] = y * sign;
  out[3] = z * sign;
  return out;
}
