/**
 * Sample times for sensors that send no timestamp and no counter (WitMotion, Thingy:52). Stamping each sample
 * with its receive time would copy the link's jitter (connection events every 7.5–50 ms, notifications bunched
 * two or three to an event) straight into the signal. Instead the samples are counted: the n-th sample's
 * "sensor time" advances by one sample period per sample, and ClockMapper locks that counted clock onto the
 * receive times by their lower envelope, exactly as it does for sensors with a real clock.
 *
 * The counted clock is only as good as its period. The configured rate is a hint, not a fact: the sensor's
 * oscillator may be off by percents, a rate write may not have taken effect, and lost notifications (invisible
 * without a counter) make the count short. So after a few seconds the period is measured: receive-time span
 * over samples counted, which converges as jitter/span. Residual error is absorbed by a ClockMapper allowed
 * to slew by 2 % (instead of the 200 ppm for crystal-timed sensors); a count that runs fast is corrected at once
 * by the envelope's downward step.
 */
import { ClockMapper } from '../../ingest/clock-mapper.ts';

/** Measuring the period over less than this would let one late notification skew it. */
const MIN_MEASURE_SPAN_S = 3;
const MIN_MEASURE_SAMPLES = 20;
/** The counted clock may run slow by this much before sample times lag behind the receive times. */
const SLEW_RATE = 0.02;

export class CountedSampleClock {
  private readonly mapper = new ClockMapper({ slewRate: SLEW_RATE });
  private period: number;
  /** Counted time of the latest sample, s. */
  private lastSampleTime = 0;
  private counted = 0;
  /** Receive time and index of the last sample of the first and of the latest notification. */
  private firstReceive: number | null = null;
  private firstIndex = 0;
  private lastReceive = 0;

  constructor(nominalRateHz: number) {
    this.period = 1 / nominalRateHz;
  }

  /** Gateway-clock times of `count` (≥ 1) samples that arrived together at `receiveTime`, oldest first.
   *  Receive times must not decrease. */
  stamp(count: number, receiveTime: number): number[] {
    let start: number;
    if (this.firstReceive === null) {
      this.firstReceive = receiveTime;
      this.firstIndex = count - 1;
      start = 0;
    } else {
      const measuredSamples = this.counted - 1 - this.firstIndex;
      const span = this.lastReceive - this.firstReceive;
      if (measuredSamples >= MIN_MEASURE_SAMPLES && span >= MIN_MEASURE_SPAN_S) this.period = span / measuredSamples;
      start = this.lastSampleTime + this.period;
    }
    this.lastSampleTime = start + (count - 1) * this.period;
    this.counted += count;
    this.lastReceive = receiveTime;
    // A notification leaves after its last sample was taken: pair that sample with the receive time.
    this.mapper.observe(this.lastSampleTime, receiveTime);
    const times: number[] = [];
    for (let i = 0; i < count; i++) times.push(this.mapper.map(start + i * this.period));
    return times;
  }

  /** The measured (until measured: configured) output rate, Hz. */
  rateHz(): number {
    return 1 / this.period;
  }
}
