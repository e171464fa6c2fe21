/**
 * The lifter's upright turning points, found in the depth sensor's forward inclination F (the contract's θ,
 * face corrected): the pelvis (and the trunk) tilt forward in every descent and back in every ascent, so F has
 * a minimum at every top between reps — whether or not the lifter pauses there. Unlike the integrated depth F
 * does not drift (the orientation filter holds the inclination), so these minima are the anchors that
 * touch-and-go reps, lifters who never stand still and recordings that start mid-set need: the velocity is
 * about zero there and the height is the standing height. Minima deeper in a rep (a pelvis that rolls back
 * at the bottom) are told apart by the rep detector, which checks that the lifter is back up.
 *
 * A minimum is confirmed once F has risen HYSTERESIS_DEG above it (the next descent has begun): the usual
 * extremum search with hysteresis, alternating between looking for a minimum and for a maximum. Confirmation
 * comes a fraction of a second after the top; the caller re-integrates the live depth from the top.
 */

/**
 * Rise that confirms a minimum, deg. Above the inclination noise of the filter; below the tilt of the
 * shallowest rep the contract counts (10 cm at 0.25°/cm of pelvic tilt: 2.5°). Sway between reps gives minima
 * too, harmless: the lifter is upright there.
 */
export const HYSTERESIS_DEG = 1.5;

export interface UprightTurn {
  /** Buffer sequence number and time of the minimum. */
  readonly seq: number;
  readonly t: number;
  /** F at the minimum, deg. */
  readonly value: number;
}

export class UprightTurnDetector {
  private seekingMin = true;
  private extreme = Infinity;
  private extremeSeq = -1;
  private extremeT = 0;

  /** Forget everything (the face changed, so F changed sign). */
  reset(): void {
    this.seekingMin = true;
    this.extreme = Infinity;
    this.extremeSeq = -1;
  }

  /** Feeds one sample of F (deg). Returns the minimum it confirms, or null. */
  update(seq: number, t: number, value: number): UprightTurn | null {
    if (!Number.isFinite(value)) return null;
    if (this.seekingMin) {
      if (value < this.extreme) {
        this.extreme = value;
        this.extremeSeq = seq;
        this.extremeT = t;
      } else if (value >= this.extreme + HYSTERESIS_DEG) {
        const turn = { seq: this.extremeSeq, t: this.extremeT, value: this.extreme };
        this.seekingMin = false;
        this.extreme = value;
        return turn;
      }
    } else if (value > this.extreme) {
      this.extreme = value;
    } else if (value <= this.extreme - HYSTERESIS_DEG) {
      this.seekingMin = true;
      this.extreme = value;
      this.extremeSeq = seq;
      this.extremeT = t;
    }
    return null;
  }
}
