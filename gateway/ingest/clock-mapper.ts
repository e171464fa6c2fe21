/**
 * Maps one sensor's clock onto the gateway's receive clock (docs/INTERFACES.md §3: "the gateway's receive clock,
 * corrected by sensor timestamps where known").
 *
 * receive = sensorTime + offset + latency, where the link latency is never negative and is often close to its
 * minimum. So the smallest (receive − sensorTime) seen is the best estimate of the offset (lower-envelope
 * tracking). The two clocks drift apart by up to ±100 ppm (crystal tolerance plus temperature), so the
 * estimate may creep upwards at a bounded slew rate; a new minimum moves it down at once.
 * The mapped time of a sample is sensorTime + offset: it keeps the sensor's precise sample spacing and is
 * free of the link's jitter. Mapped times are kept strictly increasing for each sensor.
 *
 * A sensor's clock can jump while its frames go on (a firmware clock resync, a clock reset to 0): then
 * receive − sensorTime moves by far more than jitter and drift allow, and the mapper re-anchors on the receive
 * clock instead of trusting the sensor's timestamps across the jump. A drop of that difference is proof at once
 * (latency is never negative). A rise may be late delivery instead: a radio that retransmits, or a gateway whose
 * event loop stalled, hands over a backlog of notifications seconds late and then catches up in a burst. So a
 * rise is a jump only when it persists over REANCHOR_CONFIRMATIONS notifications that arrive at the pace their
 * samples were taken (a backlog arrives faster: it is being caught up). Re-anchoring on a backlog moved the
 * samples' times seconds ahead and then squeezed the rest, which left holes in every rep.
 *
 * That judgement from receive times is the fallback, for callers that cannot tell (`observe(…, 'unknown')`). A
 * starved gateway can fall seconds behind and catch up only slowly, at about the pace of the samples: then even
 * the paced rule took the backlog for a jump (re-anchors of +1.7 s, reps of 29 cm for 46 cm, on a core shared
 * with busy processes). A squatmon sensor's frame counter settles it: SensorSampleStream compares each frame's
 * timestamp with where the counter puts it and says `continuous` or `jumped`.
 */
/** A change of receive − sensor time beyond this is a jump of the sensor's clock, not jitter or drift, s. */
const REANCHOR_S = 1;
const REANCHOR_CONFIRMATIONS = 10;
/** Risen notifications that arrive at least this fast relative to their sample times are a backlog, not a jump. */
const PACED_ARRIVAL = 0.8;
/**
 * After the offset estimate drops (an earlier notification was slow), mapped time advances at least this fraction
 * of sensor time until it has caught up. Sample spacing is what the sensing integrates over: at 0.5, as it was, a
 * busy start-up squeezed the first samples to half their spacing, and a displacement over that time to a quarter.
 * At 0.8 a catch-up of 20 ms takes 0.1 s; a slower one (0.95) left the two sensors of an athlete out of step for
 * longer and measured slightly worse on the held-out simulator sets (docs/ACCURACY.md, 2026-12-06: all-rows
 * suggestion-in-band 0.947 against 0.952 at 0.8 and 0.5).
 */
export const MIN_SPACING_RATIO = 0.8;

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
  /** The next map() starts afresh from the new offset (after a clock jump). */
  private reanchored = false;
  private risesSeen = 0;
  /** Sensor and receive time of the first notification of the current rise. */
  private riseSensorTime = 0;
  private riseReceiveTime = 0;

  constructor(options: ClockMapperOptions = {}) {
    this.slewRate = options.slewRate ?? 200e-6;
  }

  /**
   * Feed one (sensor time, receive time) pair, both seconds: the LAST sample of a notification, which cannot
   * have been sent before it was taken. `clock`: what the caller knows of the sensor's clock from the sensor's own
   * frame counter — `continuous` (no jump: a large change of receive − sensor time is late delivery, never a
   * reason to re-anchor), `jumped` (re-anchor now), or `unknown` (judge from receive times, below).
   */
  observe(sensorTime: number, receiveTime: number, clock: 'continuous' | 'jumped' | 'unknown' = 'unknown'): void {
    const candidate = receiveTime - sensorTime;
    if (this.offset === null) {
      this.offset = candidate;
    } else if (clock === 'jumped') {
      this.offset = candidate;
      this.reanchored = true;
      this.risesSeen = 0;
    } else if (clock === 'continuous') {
      // Samples stay on the sensor's clock: the estimate rises only by drift, falls to any new minimum (map()
      // bounds how fast mapped time catches up).
      const elapsed = Math.max(0, sensorTime - this.lastSensorTime);
      this.offset = Math.min(this.offset + this.slewRate * elapsed, candidate);
    } else if (candidate < this.offset - REANCHOR_S) {
      // The sensor's clock jumped forward.
      this.offset = candidate;
      this.reanchored = true;
      this.risesSeen = 0;
    } else if (candidate > this.offset + REANCHOR_S) {
      // Either late notifications or the sensor's clock jumped back: wait for the rise to persist, at pace.
      if (this.risesSeen++ === 0) {
        this.riseSensorTime = sensorTime;
        this.riseReceiveTime = receiveTime;
      }
      const paced = receiveTime - this.riseReceiveTime >= PACED_ARRIVAL * (sensorTime - this.riseSensorTime);
      if (this.risesSeen >= REANCHOR_CONFIRMATIONS && paced) {
        this.offset = candidate;
        this.reanchored = true;
        this.risesSeen = 0;
      }
    } else {
      this.risesSeen = 0;
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
    // Mapped time then advances at least MIN_SPACING_RATIO as fast as sensor time until it has caught up: per-sensor
    // order stays strict and the samples keep (nearly) their sensor's spacing, instead of piling up at one instant.
    let mapped = sensorTime + this.offset;
    if (this.reanchored) {
      this.reanchored = false;
    } else if (this.lastMappedSensorTime !== null) {
      mapped = Math.max(mapped, this.lastMapped + MIN_SPACING_RATIO * (sensorTime - this.lastMappedSensorTime));
    }
    // Strictly increasing whatever happens (e.g. samples stamped before a backward jump is confirmed).
    if (!(mapped > this.lastMapped)) mapped = this.lastMapped + 1e-3;
    this.lastMapped = mapped;
    this.lastMappedSensorTime = sensorTime;
    return mapped;
  }

  /** Current offset estimate (receive clock − sensor clock), or null before the first observation. */
  currentOffset(): number | null {
    return this.offset;
  }
}
