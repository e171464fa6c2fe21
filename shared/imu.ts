/**
 * What every part of squatmon agrees an IMU sample is (docs/INTERFACES.md §1).
 * Units: seconds, m/s² (specific force: +9.81 on the axis pointing up when still), rad/s (right-handed).
 */

/** Where a sensor is worn. `other` is accepted by `orient` and ignored by `analyze`. */
export const PLACEMENTS = ['sacrum', 'thoracolumbar', 'other', 'thigh'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export function isPlacement(value: string): value is Placement {
  return (PLACEMENTS as readonly string[]).includes(value);
}

export interface SensorInfo {
  /** Identifier unique within a recording or athlete, e.g. `S1`. */
  readonly id: string;
  readonly placement: Placement;
  /**
   * Which way round the sensor is worn, when the configuration (or the recording) says so: `out` (z axis is the
   * outward skin normal, the contract's convention) or `in`. Absent: found from the movement.
   */
  readonly face?: SensorFace;
}

export const SENSOR_FACES = ['out', 'in'] as const;
export type SensorFace = (typeof SENSOR_FACES)[number];

export function isSensorFace(value: string): value is SensorFace {
  return (SENSOR_FACES as readonly string[]).includes(value);
}

/** One sample of one sensor. Flat numeric fields: cheap to create and read in hot loops. */
export interface ImuSample {
  readonly sensor: string;
  /** Seconds on the clock shared by all sensors of a recording or session. */
  readonly t: number;
  readonly ax: number;
  readonly ay: number;
  readonly az: number;
  readonly gx: number;
  readonly gy: number;
  readonly gz: number;
}

/** Standard gravity, m/s². The simulator uses it as the local gravity magnitude. */
export const STANDARD_GRAVITY = 9.80665;

export const DEG = Math.PI / 180;
export const RAD = 180 / Math.PI;
