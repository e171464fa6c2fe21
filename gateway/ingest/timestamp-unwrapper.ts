/**
 * Turns the sensor's wrapping 32-bit microsecond timestamps into continuous seconds since the first one.
 * The counter wraps every 2^32 µs ≈ 71.6 min; a set never pauses a stream that long, so the forward
 * distance modulo 2^32 from the previous timestamp is always the elapsed time. A timestamp slightly
 * *behind* the previous one (a re-sent frame) is reported as negative elapsed time rather than as a wrap.
 */
const WRAP = 0x1_0000_0000;
const HALF = WRAP / 2;

export class TimestampUnwrapper {
  private lastRaw: number | null = null;
  private lastSeconds = 0;

  /** Seconds since the first timestamp seen (may be negative for a timestamp older than the previous one). */
  unwrap(rawUs: number): number {
    if (this.lastRaw === null) {
      this.lastRaw = rawUs;
      this.lastSeconds = 0;
      return 0;
    }
    let delta = (rawUs - this.lastRaw + WRAP) % WRAP;
    if (delta >= HALF) delta -= WRAP;
    const seconds = this.lastSeconds + delta / 1e6;
    if (delta > 0) {
      this.lastRaw = rawUs;
      this.lastSeconds = seconds;
    }
    return seconds;
  }

  reset(): void {
    this.lastRaw = null;
  }
}
