/**
 * Sample times for sensors that send no timestamp and no counter (WitMotion, Thingy:52). Stamping each sample
 * with its receive time would copy the link's jitter (connection events every 7.5–50 ms, notifications bunched
 * two or three to an event) straight into the signal. Instead the samples are counted and their times laid on
 * a straight line, time = anchor + index × period, fitted to the receive times from below — the same
 * lower-envelope idea as ClockMapper (a sample is received after it was taken, and often with close to the
 * smallest delay):
 *
 * - anchor: the smallest (receive − index × period) among the notifications of the last WINDOW_S. A new
 *   minimum moves the line down at once; a lasting rise of the link delay (or a lost notification, which the
 *   count cannot see) is followed once the window has forgotten the older minimum.
 * - period: the configured rate is only a hint (the sensor's oscillator may be off by percents; a rate write
 *   may not have taken effect). Once MIN_SPAN_S has passed it is measured between two near-minimum-delay
 *   notifications, the least delayed of the first window and of the latest one, so its error is about the
 *   delay scatter at the minimum divided by the time since connecting.
 *
 * Stamped times strictly increase: a sample never goes before its predecessor plus half a period.
 */
const WINDOW_S = 2;
/** Measure the period only once the first and the latest window no longer overlap. */
const MIN_SPAN_S = 2 * WINDOW_S;

interface Arrival {
  /** Index of the notification's last sample (it cannot have been sent before that sample was taken). */
  readonly index: number;
  readonly receive: number;
}

export class CountedSampleClock {
  private period: number;
  private counted = 0;
  private readonly early: Arrival[] = [];
  private recent: Arrival[] = [];
  private lastStamp = -Infinity;

  constructor(nominalRateHz: number) {
    this.period = 1 / nominalRateHz;
  }

  /** Gateway-clock times of `count` (≥ 1) samples that arrived together at `receiveTime`, oldest first.
   *  Receive times must not decrease. */
  stamp(count: number, receiveTime: number): number[] {
    const arrival = { index: this.counted + count - 1, receive: receiveTime };
    const firstReceive = this.early.length > 0 ? this.early[0].receive : receiveTime;
    if (receiveTime - firstReceive < WINDOW_S) this.early.push(arrival);
    this.recent.push(arrival);
    this.recent = this.recent.filter((a) => a.receive >= receiveTime - WINDOW_S);

    if (receiveTime - firstReceive >= MIN_SPAN_S) {
      const a = this.leastDelayed(this.early);
      const b = this.leastDelayed(this.recent);
      if (b.index > a.index && b.receive > a.receive) this.period = (b.receive - a.receive) / (b.index - a.index);
    }
    const best = this.leastDelayed(this.recent);
    const anchor = best.receive - best.index * this.period;

    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const t = Math.max(anchor + (this.counted + i) * this.period, this.lastStamp + 0.5 * this.period);
      times.push(t);
      this.lastStamp = t;
    }
    this.counted += count;
    return times;
  }

  /** The measured (until measured: configured) output rate, Hz. */
  rateHz(): number {
    return 1 / this.period;
  }

  private leastDelayed(arrivals: readonly Arrival[]): Arrival {
    let best = arrivals[0];
    for (const a of arrivals) {
      if (a.receive - a.index * this.period < best.receive - best.index * this.period) best = a;
    }
    return best;
  }
}
