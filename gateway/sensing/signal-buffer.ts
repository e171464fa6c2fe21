/**
 * The recent history of the depth sensor's processed samples, kept in preallocated ring buffers so that a
 * rep's signals can be re-analysed once it ends (refined depth, wink) without allocating per sample.
 * Samples are addressed by an ever-increasing sequence number; only the last `capacity` are kept.
 */
export const SIGNAL_CHANNELS = [
  't',
  /** Vertical acceleration with every live correction applied, m/s². */
  'verticalAcc',
  /** Vertical acceleration as measured (r·f − g), m/s², and the up direction in the sensor frame r. */
  'rawVerticalAcc',
  'upX',
  'upY',
  'upZ',
  'liveDepthCm',
  /** Filter skin inclinations, degrees (NaN when that sensor is not worn). */
  'pelvicTiltRaw',
  'trunkRaw',
  /** 1 when the lifter was at rest (zero velocity), else 0. */
  'still',
  /** The gravity magnitude subtracted in rawVerticalAcc, m/s² (it changes when the sensor learns it at rest). */
  'gravity',
] as const;
export type SignalChannel = (typeof SIGNAL_CHANNELS)[number];

export class SignalBuffer {
  private readonly data: Record<SignalChannel, Float64Array>;
  private readonly columns: Float64Array[];
  private count = 0;

  constructor(readonly capacity: number) {
    this.columns = SIGNAL_CHANNELS.map(() => new Float64Array(capacity));
    this.data = Object.fromEntries(SIGNAL_CHANNELS.map((c, k) => [c, this.columns[k]])) as Record<SignalChannel, Float64Array>;
  }

  /** Sequence number of the next sample to be pushed (= samples pushed so far). */
  get size(): number {
    return this.count;
  }

  /** Oldest sequence number still held. */
  get oldest(): number {
    return Math.max(0, this.count - this.capacity);
  }

  /** Appends one sample: the values of every channel, in SIGNAL_CHANNELS order. Returns its sequence number. */
  push(values: ArrayLike<number>): number {
    const i = this.count % this.capacity;
    for (let c = 0; c < SIGNAL_CHANNELS.length; c++) this.columns[c][i] = values[c];
    return this.count++;
  }

  get(channel: SignalChannel, seq: number): number {
    return this.data[channel][seq % this.capacity];
  }

  set(channel: SignalChannel, seq: number, value: number): void {
    this.data[channel][seq % this.capacity] = value;
  }

  /** Copies channel values of sequence numbers [from, to) into `out` (which must be long enough). */
  copy(channel: SignalChannel, from: number, to: number, out: Float64Array): void {
    const src = this.data[channel];
    // In at most two contiguous runs (before and after the ring wraps): no division per value.
    let k = 0;
    for (let s = from; s < to; ) {
      const i = s % this.capacity;
      const run = Math.min(to - s, this.capacity - i);
      for (let j = 0; j < run; j++) out[k + j] = src[i + j];
      k += run;
      s += run;
    }
  }
}
