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

/** Position of each channel inside a sample's row. */
const CHANNEL_INDEX = Object.fromEntries(SIGNAL_CHANNELS.map((c, k) => [c, k])) as Record<SignalChannel, number>;
const STRIDE = SIGNAL_CHANNELS.length;

export class SignalBuffer {
  /**
   * One row of STRIDE values per sample, row after row: a sample is pushed with one contiguous write (every
   * sample is pushed, while a channel is read back only around a rep's end).
   */
  private readonly rows: Float64Array;
  private count = 0;

  constructor(readonly capacity: number) {
    this.rows = new Float64Array(capacity * STRIDE);
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
    const base = (this.count % this.capacity) * STRIDE;
    const rows = this.rows;
    for (let c = 0; c < STRIDE; c++) rows[base + c] = values[c];
    return this.count++;
  }

  get(channel: SignalChannel, seq: number): number {
    return this.rows[(seq % this.capacity) * STRIDE + CHANNEL_INDEX[channel]];
  }

  set(channel: SignalChannel, seq: number, value: number): void {
    this.rows[(seq % this.capacity) * STRIDE + CHANNEL_INDEX[channel]] = value;
  }

  /** Copies channel values of sequence numbers [from, to) into `out` (which must be long enough). */
  copy(channel: SignalChannel, from: number, to: number, out: Float64Array): void {
    const rows = this.rows;
    const c = CHANNEL_INDEX[channel];
    // In at most two contiguous runs (before and after the ring wraps): no division per value.
    let k = 0;
    for (let s = from; s < to; ) {
      const i = s % this.capacity;
      const run = Math.min(to - s, this.capacity - i);
      for (let j = 0; j < run; j++) out[k + j] = rows[(i + j) * STRIDE + c];
      k += run;
      s += run;
    }
  }
}
