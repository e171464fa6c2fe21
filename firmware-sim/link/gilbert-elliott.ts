/**
 * Gilbert–Elliott burst-loss channel: a two-state Markov chain (good / bad) with a loss probability per state,
 * stepped once per packet. BLE notification loss comes in bursts (interference, a body blocking the 2.4 GHz
 * path), which independent losses would not reproduce.
 *
 * Parameterised by what one can measure: the long-run loss rate p and the mean length L of a stay in the bad
 * state (packets). With loss h_B in the bad state and none in the good state:
 *   P(bad → good) = r = 1/L,   π_bad = p / h_B,   P(good → bad) = q = π_bad · r / (1 − π_bad)
 * (the stationary balance π_good·q = π_bad·r). With h_B = 1 (the classic Gilbert case) a stay in the bad state
 * is exactly a burst of consecutive losses, mean length L.
 */
import type { Rng } from '../../shared/rng.ts';

export interface BurstLossParams {
  /** Long-run share of packets lost, 0 ≤ p < lossInBadState. */
  readonly lossRate: number;
  /** Mean number of consecutive packets spent in the bad state, ≥ 1. */
  readonly meanBurstLength: number;
  /** Loss probability while in the bad state, (0, 1]. */
  readonly lossInBadState: number;
}

export class GilbertElliottChannel {
  private readonly goodToBad: number;
  private readonly badToGood: number;
  private bad: boolean;

  constructor(
    private readonly params: BurstLossParams,
    private readonly rng: Rng,
  ) {
    const { lossRate, meanBurstLength, lossInBadState } = params;
    if (!(lossInBadState > 0 && lossInBadState <= 1)) throw new RangeError('lossInBadState must be in (0, 1]');
    if (!(lossRate >= 0 && lossRate < lossInBadState)) throw new RangeError('lossRate must be in [0, lossInBadState)');
    if (!(meanBurstLength >= 1)) throw new RangeError('meanBurstLength must be ≥ 1');
    const piBad = lossRate / lossInBadState;
    this.badToGood = 1 / meanBurstLength;
    this.goodToBad = (piBad * this.badToGood) / (1 - piBad);
    // Start in the stationary distribution so that short runs are not biased towards the good state.
    this.bad = rng.next() < piBad;
  }

  /** Whether the next packet is lost; then the chain moves one step. */
  nextIsLost(): boolean {
    const lost = this.bad && this.rng.next() < this.params.lossInBadState;
    this.bad = this.bad ? this.rng.next() >= this.badToGood : this.rng.next() < this.goodToBad;
    return lost;
  }
}
