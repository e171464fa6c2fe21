/**
 * Thins each athlete's live frames to at most one per `intervalS` of frame time (not wall time: a replay at 10×
 * speed is thinned the same). A frame earlier than the last one kept starts a new timeline (a new session or a
 * replay) and is kept. The MQTT publisher and the WebSocket hub each keep one, at their own rates.
 */

/** Frame-time tolerance so 50 Hz input (t steps of 0.02 with rounding) decimates to exactly every other frame. */
const TIME_EPSILON_S = 1e-6;

export class LiveDecimator {
  private readonly lastKept = new Map<string, number>();
  /** Frames not kept, since construction. */
  dropped = 0;

  constructor(private readonly intervalS: number) {}

  /** True when this frame (athlete, frame time t in s) is to be sent. */
  take(athlete: string, t: number): boolean {
    const last = this.lastKept.get(athlete);
    if (last !== undefined && t >= last && t - last < this.intervalS - TIME_EPSILON_S) {
      this.dropped += 1;
      return false;
    }
    this.lastKept.set(athlete, t);
    return true;
  }
}
