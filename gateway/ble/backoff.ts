/**
 * Reconnect delays for one sensor: the first attempt after a good connection ends is immediate (mid-set, every
 * second without a sensor is lost data, and a pending connect completes by itself as soon as the sensor
 * advertises again); each further failure waits longer, initialMs × factor^(n−1) up to maxMs, shortened by a
 * random fraction up to `jitter` so that sensors that dropped together do not retry in lock-step. Only a
 * connection that lasted (the caller decides what "stable" means) starts the sequence over; a sensor that
 * connects and drops at once keeps backing off.
 */
export interface BackoffOptions {
  /** Delay after the first failed attempt, ms. Default 5000. */
  readonly initialMs?: number;
  /** Ceiling, ms. Default 60000. */
  readonly maxMs?: number;
  /** Growth per failure. Default 2. */
  readonly factor?: number;
  /** Delays are shortened by up to this fraction, at random. Default 0.2. */
  readonly jitter?: number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private attempts = 0;

  constructor(
    options: BackoffOptions = {},
    /** Uniform in [0, 1); injectable so that tests are deterministic. */
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = options.initialMs ?? 5000;
    this.maxMs = options.maxMs ?? 60_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 0.2;
    if (!(this.initialMs >= 0 && this.maxMs >= this.initialMs && this.factor >= 1 && this.jitter >= 0 && this.jitter < 1)) {
      throw new RangeError(`bad backoff options ${JSON.stringify(options)}`);
    }
  }

  /** The delay before the next attempt, ms; counts the attempt. */
  next(): number {
    const n = this.attempts++;
    if (n === 0) return 0;
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** (n - 1));
    return base * (1 - this.jitter * this.random());
  }

  /** Start over (after a stable connection). */
  reset(): void {
    this.attempts = 0;
  }
}
