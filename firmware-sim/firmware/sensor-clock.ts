/**
 * The sensor's own microsecond clock, as seen from simulation ("true") time.
 *
 * Convention (used by every part of the simulator and its tests):
 *   sensorUs(t) = clockOffsetUs + t · 1e6 · (1 + clockDriftPpm · 1e-6)
 * so a POSITIVE drift means the sensor clock runs FAST: over 60 s of true time at +50 ppm the sensor's
 * timestamps advance 60 s · (1 + 50e-6). The firmware schedules samples on this clock at its nominal period, so
 * at +50 ppm consecutive samples are 1/(1 + 50e-6) of the nominal period apart in true time.
 *
 * Sensor time is kept unwrapped (an exact integer in a double); the u32 wrap of the frame field is applied only
 * when a frame is encoded.
 */
export const U32_RANGE = 4294967296;

export class SensorClock {
  /** Sensor microseconds per true second. */
  private readonly usPerSecond: number;

  constructor(
    /** Sensor clock reading at true time 0, µs (any u32 value: real sensors start wherever they start). */
    readonly clockOffsetUs: number,
    /** Rate error of the sensor's oscillator, parts per million; positive = sensor clock fast. */
    readonly clockDriftPpm: number,
  ) {
    this.usPerSecond = 1e6 * (1 + clockDriftPpm * 1e-6);
  }

  /** Unwrapped sensor clock at true time `t`, fractional µs. */
  sensorUsAt(tTrue: number): number {
    return this.clockOffsetUs + tTrue * this.usPerSecond;
  }

  /** True time at which the (unwrapped) sensor clock reads `sensorUs`. */
  trueTimeOf(sensorUs: number): number {
    return (sensorUs - this.clockOffsetUs) / this.usPerSecond;
  }

  /** The value a u32 timestamp field carries for an unwrapped sensor time. */
  static wrapU32(sensorUs: number): number {
    return ((sensorUs % U32_RANGE) + U32_RANGE) % U32_RANGE;
  }
}
