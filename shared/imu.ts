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

/**
 * The largest full scale of body-worn MEMS IMUs (±16 g, ±2000 °/s): no sensor can report more on an axis. A value
 * beyond it (one `ax=1e6` sample) is corrupt data, not motion — fed to the orientation filter it turns the whole
 * set's angles to nonsense — so it is refused in files and dropped, and counted, on the live path.
 */
export const FULL_SCALE_ACCEL_MS2 = 16 * STANDARD_GRAVITY;
export const FULL_SCALE_RATE_RADS = 2000 * DEG;

/** Why a sample cannot come from a working IMU (non-finite, or beyond any full scale), or null when it can. */
export function impossibleSampleReason(s: ImuSample): string | null {
  const a = FULL_SCALE_ACCEL_MS2;
  const g = FULL_SCALE_RATE_RADS;
  // The common case first, without allocating: it runs on every sample. NaN fails every comparison.
  if (Math.abs(s.ax) <= a && Math.abs(s.ay) <= a && Math.abs(s.az) <= a && Math.abs(s.gx) <= g && Math.abs(s.gy) <= g && Math.abs(s.gz) <= g) {
    return Number.isFinite(s.t) ? null : 't is not finite';
  }
  const axes: [string, number, number, string][] = [
    ['ax', s.ax, a, 'm/s² (16 g)'],
    ['ay', s.ay, a, 'm/s² (16 g)'],
    ['az', s.az, a, 'm/s² (16 g)'],
    ['gx', s.gx, g, 'rad/s (2000 °/s)'],
    ['gy', s.gy, g, 'rad/s (2000 °/s)'],
    ['gz', s.gz, g, 'rad/s (2000 °/s)'],
  ];
  for (const [name, value, limit, unit] of axes) {
    if (!Number.isFinite(value)) return `${name} is not finite`;
    if (Math.abs(value) > limit) return `${name}=${value} is beyond any IMU's full scale (±${limit.toFixed(limit > 100 ? 1 : 2)} ${unit})`;
  }
  return null;
}
