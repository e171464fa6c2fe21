/**
 * A drift-free estimate of the depth sensor's vertical motion, for what must not wait for an anchor (no rest,
 * no upright turn yet): the face estimate's velocity (face-estimator.ts) and the restart of a live depth that
 * has drifted (athlete-pipeline.ts). The acceleration's running mean it removes is the live kinematics' own
 * (LiveVerticalKinematics.motionMeanAcc): one estimate of it, not two.
 */

/** Leak of the velocity estimate, s: longer than a descent, short enough to forget a bias. */
const LEAK_S = 1;
/** Leak of the height estimate, s: about a rep. */
const HEIGHT_LEAK_S = 2;
/** The recent top sinks this fast when the sensor stays lower, m/s (forgets the top of a few reps ago). */
const TOP_SINK_M_S = 0.1;
/** A maximum of the height this close to the recent top is a top, m. */
const AT_TOP_M = 0.03;
/** A step longer than this (a hole in the samples) restarts the estimate, s. */
const MAX_STEP_S = 0.5;

/**
 * The vertical motion the face estimate needs, free of any bias drift: the acceleration, less its running mean
 * (a squat's true vertical acceleration averages to zero over a few seconds, an uncorrected bias does not),
 * integrated with a leak into a velocity, and that again with a leak into a height. The height is distorted
 * (high-passed) but never drifts, so it can still tell when the lifter is up: a top of the height within
 * AT_TOP_M of the recent top, a running maximum that sinks slowly (TOP_SINK_M_S).
 */
export class LeakyMotion {
  private v = 0;
  private h = 0;
  private top = 0;
  private rising = false;
  private topNow = false;

  /** One step: dt (s), the vertical acceleration and its running mean (m/s²). */
  update(dt: number, verticalAcc: number, meanAcc: number): void {
    this.topNow = false;
    if (!Number.isFinite(verticalAcc) || !Number.isFinite(meanAcc)) return;
    if (dt > 0 && dt < MAX_STEP_S) {
      this.v += (verticalAcc - meanAcc - this.v / LEAK_S) * dt;
      const dh = (this.v - this.h / HEIGHT_LEAK_S) * dt;
      this.h += dh;
      this.top = Math.max(this.h, this.top - TOP_SINK_M_S * dt);
      this.topNow = this.rising && dh <= 0 && this.top - this.h < AT_TOP_M;
      this.rising = dh > 0;
    } else if (!(dt < MAX_STEP_S)) {
      this.v = 0;
      this.h = 0;
      this.top = 0;
    }
  }

  /** Vertical velocity, m/s, positive up. */
  get velocity(): number {
    return this.v;
  }

  /** True on the sample where the height stopped rising at (about) the recent top: the lifter is up. */
  get atTop(): boolean {
    return this.topNow;
  }
}
