/**
 * Classifies the 16-bit frame sequence numbers of one sensor's notification stream, so that lost frames
 * show up as gaps and notifications repeated by the link (or re-sent after a reconnect) are dropped.
 *
 * A sequence number is "ahead" of the last accepted one when the forward distance modulo 2^16 is below half
 * the range; anything else is a repeat of something already seen (or older), which the caller drops.
 */
export type SequenceVerdict =
  | { readonly kind: 'first' }
  | { readonly kind: 'next' }
  | { readonly kind: 'gap'; readonly missing: number }
  | { readonly kind: 'duplicate' };

const MODULO = 0x10000;
const HALF = 0x8000;

export class SequenceTracker {
  private last: number | null = null;
  /** Frames accepted, frames known lost (sum of gaps), notifications dropped as repeats. */
  accepted = 0;
  lost = 0;
  duplicates = 0;

  classify(seq: number): SequenceVerdict {
    if (this.last === null) {
      this.last = seq;
      this.accepted++;
      return { kind: 'first' };
    }
    const ahead = (seq - this.last + MODULO) % MODULO;
    if (ahead === 0 || ahead >= HALF) {
      this.duplicates++;
      return { kind: 'duplicate' };
    }
    this.last = seq;
    this.accepted++;
    if (ahead === 1) return { kind: 'next' };
    this.lost += ahead - 1;
    return { kind: 'gap', missing: ahead - 1 };
  }

  /** Forget the stream (the sensor rebooted: its counter starts again). */
  reset(): void {
    this.last = null;
  }
}
