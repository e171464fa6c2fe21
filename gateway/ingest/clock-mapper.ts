/**
 * Maps one sensor's clock onto the gateway's receive clock (INTERFACES.md §3: "the gateway's receive clock,
 * corrected by sensor timestamps where known").
 *
 * receive = sensorTime + offset + latency, where the link latency is never negative and is often close to its
 * minimum. So the smallest (receive − sensorTime) seen is the best estimate of the offset (lower-envelope
 * tracking). The two clocks drift apart by up to ±100 ppm (crystal tolerance plus temperature), so the
 * estimate may creep upwards at a bounded slew rate; a new minimum moves it down at once.
 * The mapped time of a sample is sensorTime + offset: it keeps the sensor's precise sample spacing and is
 * free of the link's jitter. Mapped times are kept strictly increasing for each sensor (map() must be called
 * with increasing sensor times).
 */
export interface ClockMapperOptions {
  /** How fast the offset estimate may rise, in seconds per second (default 200 ppm). */
  readonly slewRate?: number;
}

export class ClockMapper {
  private offset: number | null = null;
  private lastSensorTime = 0;
  private lastMapped = -Infinity;
  private lastMappedSensorTime: number | null = null;
  private readonly slewRate: number;

  constructor(options: ClockMapperOptions = {}) {
    this.slewRate = options.slewRate ?? 200e-6;
  }

  /** Feed one (sensor time, receive time) pair, both seconds: the LAST sample of a notification, which cannot
   *  have been sent before it was taken. */
  observe(sensorTime: number, receiveTime: number): void {
    const candidate = receiveTime - sensorTime;
    if (this.offset === null) {
      this.offset = candidate;
    } else {
      const elapsed = Math.max(0, sensorTime - this.lastSensorTime);
      const allowed = this.offset + this.slewRate * elapsed;
      this.offset = Math.min(allowed, candidate);
    }
    this.lastSensorTime = sensorTime;
  }

  /** The gateway-clock time of a sample taken at `sensorTime`; call after at least one observe(). */
  map(sensorTime: number): number {
    if (this.offset === null) throw new Error('ClockMapper.map called before any observation');
    // Early in a stream the offset estimate can drop by tens of ms at once (the first notifications were slow).
    // Mapped time then advances at least half as fast as sensor time until it has caught up: per-sensor order
    // stays strict and sample spacing stays resolvable, instead of samples piling up at one instant.
    let mapped = sensorTime + this.offset;
    if (this.lastMappedSensorTime !== null) {
      mapped = Math.max(mapped, this.lastMapped + 0.5 * (sensorTime - this.lastMappedSensorTime));
    }
    this.lastMapped = mapped;
    this.lastMappedSensorTime = sensorTime;
    return mapped;
  }

  /** Current offset estimate (receive clock − sensor clock), or null before the first observation. */
  currentOffset(): number | null {
    return this.offset;
  }
}
