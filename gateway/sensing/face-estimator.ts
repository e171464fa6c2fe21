/**
 * Which way round a sensor is clipped on (docs/INTERFACES.md §1, v1.1): face out (its z axis is the outward skin
 * normal, the contract's convention) or face in (z points into the body, so every skin inclination it gives
 * has the opposite sign). Found from the movement: in a squat the pelvis and the trunk tilt forward while the
 * hips go down and back while they come up, so the rate of the outward-normal inclination θ̇ and the vertical
 * velocity v have opposite signs through most of a rep. The evidence is ∫ −v·θ̇ dt, positive for face out.
 *
 * v is the depth sensor's vertical acceleration, less its long-run mean, integrated with a leak (leaky-motion.ts):
 * a bias of the acceleration would otherwise add a constant to v. Sway and fidgets give small evidence of
 * either sign; one descent gives several units. Evidence decays slowly (FORGET_S) so a sensor re-clipped the
 * other way round in a long session is found again.
 *
 * That velocity evidence needs no rep to be found first, but it is weak: the leaky velocity is only an
 * estimate, and near the bottom a lifter who winks rolls the pelvis back while still going down — for a big
 * early wink, more than it tilted forward before. Once reps are found, their refined depth (integrated
 * between two moments of zero velocity) gives a far better vote: how the raw inclination changed over the
 * first centimetres of the descent, where every lifter's pelvis and trunk tilt forward and none has started to
 * wink (observeRepDescent). The votes decide once they sum to 1.5°, and then the velocity evidence no longer can.
 */
import type { SensorFace } from '../../shared/imu.ts';

/** Evidence needed for a decision, m/s·deg (one brisk 10 cm descent gives about 2). */
const FACE_DECISION_EVIDENCE = 1.5;
/**
 * Inclination rates beyond this count as this much, °/s. A descent tilts the pelvis forward at a few °/s to about
 * 15 °/s, for a second or more; a wink is taken and released in snaps of 30–40 °/s and more, at the bottom, where
 * the leaky velocity is least sure — and one lifter's release, rising out of the hole, outweighed the whole first
 * descent at 40 °/s: face "in" for a sensor worn out, 1 rep of 12 found (tuning set 2070493). At 15 °/s a snap
 * counts no more than a brisk descent (docs/SENSING.md §10b, "Face evidence").
 */
const MAX_EVIDENCE_RATE_DEG_S = 15;
/** Old evidence is forgotten with this time constant, s. */
const FORGET_S = 600;
/**
 * Rep votes decide once their sum reaches this many degrees — one rep's may: in a touch-and-go set only the
 * first rep starts at rest. 1.5°: the least a lifter's early descent gives (0.25° of pelvic tilt per cm over the
 * window's 4–8 cm).
 */
const REP_DECISION_DEG = 1.5;
/**
 * One vote counts at most this much, deg. The early descent tilts the pelvis or trunk by about 1° per cm at the
 * most (the vote's window ends 8 cm down); a larger change is no early descent — a recording that starts at the
 * bottom gives its first "rep" from a rest at the bottom up the ascent (−30° and −45° in one tuning set), and
 * unclipped that vote outweighed the next five right ones.
 */
const MAX_REP_VOTE_DEG = 10;
/** Each rep keeps this share of the older votes (a sensor re-clipped the other way is found within a few reps). */
const REP_VOTE_MEMORY = 0.85;

export class FaceEstimator {
  private evidence = 0;
  private decided: SensorFace | null;
  /** Forward tilt of the early descents (raw sign, deg, older reps decayed). */
  private repTiltDeg = 0;

  /** `fixed`: the face given by the configuration, never changed by the evidence. */
  constructor(private readonly fixed: SensorFace | null = null) {
    this.decided = fixed;
  }

  /**
   * One step: dt (s), the athlete's vertical velocity estimate (m/s, positive up) and this sensor's raw
   * inclination rate (deg/s, as the sensor's own z axis gives it). Returns the face, null while unknown.
   */
  update(dt: number, velocity: number, inclinationRateDegS: number): SensorFace | null {
    if (!(dt > 0) || !Number.isFinite(velocity) || !Number.isFinite(inclinationRateDegS)) return this.decided;
    // A squat tilts the pelvis at up to a few tens of °/s; a faster snap (a wink released at once, a knock on
    // the sensor) counts no more than that, so one odd instant cannot outweigh whole descents.
    const rate = Math.max(-MAX_EVIDENCE_RATE_DEG_S, Math.min(MAX_EVIDENCE_RATE_DEG_S, inclinationRateDegS));
    this.evidence = this.evidence * (1 - Math.min(1, dt / FORGET_S)) - velocity * rate * dt;
    if (this.fixed === null && !this.repsDecide) {
      if (this.evidence >= FACE_DECISION_EVIDENCE) this.decided = 'out';
      else if (this.evidence <= -FACE_DECISION_EVIDENCE) this.decided = 'in';
    }
    return this.decided;
  }

  /**
   * One rep's vote: the change of this sensor's raw inclination from the standing before the rep to the early
   * part of its descent (deg, as the sensor's own z axis gives it): positive for face out.
   */
  observeRepDescent(rawTiltDeg: number): SensorFace | null {
    if (!Number.isFinite(rawTiltDeg)) return this.decided;
    const vote = Math.max(-MAX_REP_VOTE_DEG, Math.min(MAX_REP_VOTE_DEG, rawTiltDeg));
    this.repTiltDeg = REP_VOTE_MEMORY * this.repTiltDeg + vote;
    if (this.fixed === null && this.repsDecide) this.decided = this.repTiltDeg > 0 ? 'out' : 'in';
    return this.decided;
  }

  /**
   * The rep votes so far are void (they came from descents measured from a wrong standing): the next votes start
   * afresh. The face decided stays until they decide.
   */
  forgetRepVotes(): void {
    this.repTiltDeg = 0;
  }

  private get repsDecide(): boolean {
    return Math.abs(this.repTiltDeg) >= REP_DECISION_DEG;
  }

  get face(): SensorFace | null {
    return this.decided;
  }

  /** +1 for face out (or not yet known), −1 for face in: the factor that turns raw θ into the contract's θ. */
  get sign(): 1 | -1 {
    return this.decided === 'in' ? -1 : 1;
  }
}
