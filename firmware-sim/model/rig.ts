/**
 * Where the sensors sit on the body and how they move with it: segment orientations from the channel
 * vector, sensor positions as hip + segment-fixed offsets, and each sensor's fixed mounting rotation.
 *
 * Skin-patch frame of a segment (before mounting): x = up along the skin, y = the athlete's left, z = the
 * outward skin normal. With skin inclination θ (top of the patch tilted forward) this frame is Ry(θ − 90°)
 * in earth axes, so its z axis is (−cos θ, 0, sin θ) and θ = asin(n_z) as docs/INTERFACES.md §2 defines.
 */
import type { Placement } from '../../shared/imu.ts';
import { DEG } from '../../shared/imu.ts';
import { CH } from './motion.ts';
import { applyMat, applyMatTransposed, mat3, mulMat, setRotZ, setRotZXY, transpose } from './rotation.ts';
import type { Mat3 } from './rotation.ts';

/** Standing height of the hip joint centre above the floor (only sets the absolute z of positions). */
const HIP_HEIGHT_M = 0.92;

export interface SensorMount {
  readonly placement: Extract<Placement, 'sacrum' | 'thoracolumbar'>;
  /** Rotation about the sensor's own z axis (how it was clipped on), deg. */
  readonly clipAngleDeg: number;
  /** Mounting misalignment: the sensor frame is patch · Ry(pitch) · Rx(roll) · Rz(clip), deg. */
  readonly mountPitchDeg: number;
  readonly mountRollDeg: number;
  /** Offset of the sensor from the anatomical landmark, in the skin-patch frame (x up the skin, y left), m. */
  readonly mountOffsetM: readonly [number, number, number];
  /**
   * `out` (default): the sensor's z axis is the outward skin normal. `in`: the device is clipped the other way
   * round, turned 180° about its own x axis, so z points into the body (docs/INTERFACES.md §1, v1.1).
   */
  readonly face?: SensorFace;
}

export type SensorFace = 'out' | 'in';

export interface RigGeometry {
  /** Standing (anatomical) skin inclinations, rad. */
  readonly sacrumInclination: number;
  readonly thoracolumbarInclination: number;
  readonly sacrumBehindHipM: number;
  readonly sacrumAboveHipM: number;
  readonly sensorSpacingM: number;
}

/** Segment orientations and landmark positions for one channel vector, shared by all sensors. */
export class RigState {
  readonly pelvis = mat3();
  readonly trunk = mat3();
  /** Sacrum landmark and T12–L1 landmark positions, earth frame, m. */
  readonly sacrum = new Float64Array(3);
  readonly thoracolumbar = new Float64Array(3);
}

/** Maps channel vectors to segment poses and sensor poses; holds only scratch state. */
export class SensorRig {
  private readonly mounts: Mat3[];
  /** Sacrum landmark in the pelvis patch frame. */
  private readonly sacrumLocal = new Float64Array(3);
  private readonly tmp = new Float64Array(3);

  constructor(
    readonly geometry: RigGeometry,
    readonly sensors: readonly SensorMount[],
  ) {
    // Express the standing sacrum offset (behind and above the hip) in the pelvis patch frame, so that it
    // turns with the pelvis: anterior tilt lifts the sacrum, posterior tilt (the wink) lowers it.
    const standing = setRotZXY(mat3(), 0, 0, geometry.sacrumInclination - Math.PI / 2);
    applyMatTransposed(this.sacrumLocal, standing, -geometry.sacrumBehindHipM, 0, geometry.sacrumAboveHipM);
    this.mounts = sensors.map((s) => {
      // Ry(pitch)·Rx(roll) = (Rx(−roll)·Ry(−pitch))ᵀ, and setRotZXY builds Rx·Ry.
      const misalignment = transpose(mat3(), setRotZXY(mat3(), 0, -s.mountRollDeg * DEG, -s.mountPitchDeg * DEG));
      const mount = mulMat(mat3(), misalignment, setRotZ(mat3(), s.clipAngleDeg * DEG));
      if (s.face !== 'in') return mount;
      // Face in = Rx(180°) after the clip rotation: y and z columns change sign, x (the clip direction) stays.
      for (const k of [1, 2, 4, 5, 7, 8]) mount[k] = -mount[k];
      return mount;
    });
  }

  /** Segment orientations and landmarks for channel values ch into state. */
  solve(ch: Float64Array, state: RigState): RigState {
    const g = this.geometry;
    const yaw = ch[CH.pelvisYaw];
    const roll = ch[CH.pelvisRoll];
    const P = setRotZXY(state.pelvis, yaw, roll, g.sacrumInclination + ch[CH.pelvisPitch] - Math.PI / 2);
    const T = setRotZXY(
      state.trunk,
      yaw + ch[CH.trunkYaw],
      roll + ch[CH.trunkRoll],
      g.thoracolumbarInclination + ch[CH.trunkPitch] - Math.PI / 2,
    );
    const L = this.sacrumLocal;
    const s = applyMat(state.sacrum, P, L[0], L[1], L[2]);
    s[0] += ch[CH.hipX];
    s[1] += ch[CH.hipY];
    s[2] += HIP_HEIGHT_M + ch[CH.hipZ];
    // The lumbar skin between the landmarks bends like an arc; its chord points along the mean of the end
    // tangents, i.e. the normalised sum of the two patches' "up the skin" axes (their first columns).
    const cx = P[0] + T[0];
    const cy = P[3] + T[3];
    const cz = P[6] + T[6];
    const k = g.sensorSpacingM / Math.sqrt(cx * cx + cy * cy + cz * cz);
    state.thoracolumbar[0] = s[0] + k * cx;
    state.thoracolumbar[1] = s[1] + k * cy;
    state.thoracolumbar[2] = s[2] + k * cz;
    return state;
  }

  /** Sensor `index` position (earth, m) into pos[0..2] and sensor-to-earth rotation into rot, from a solved state. */
  sensorPose(state: RigState, index: number, pos: Float64Array, rot: Mat3): void {
    const sensor = this.sensors[index];
    const onPelvis = sensor.placement === 'sacrum';
    const segment = onPelvis ? state.pelvis : state.trunk;
    const landmark = onPelvis ? state.sacrum : state.thoracolumbar;
    const o = sensor.mountOffsetM;
    applyMat(this.tmp, segment, o[0], o[1], o[2]);
    pos[0] = landmark[0] + this.tmp[0];
    pos[1] = landmark[1] + this.tmp[1];
    pos[2] = landmark[2] + this.tmp[2];
    mulMat(rot, segment, this.mounts[index]);
  }
}
