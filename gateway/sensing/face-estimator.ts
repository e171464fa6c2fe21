/**
 * Which way round a sensor is clipped on (INTERFACES.md §1, v1.1): face out (its z axis is the outward skin
 * normal, the contract's convention) or face in (z points into the body, so every skin inclination it gives
 * has the opposite sign). Found from the movement: in a squat the pelvis and the trunk tilt forward while the
 * hips go down and back while they come up, so the rate of the outward-normal inclination θ̇ and the vertical
 * velocity v have opposite signs through most of a rep. The evidence is ∫ −v·θ̇ dt, positive for face out.
 *
 * v is the depth sensor's vertical acceleration, less its long-run mean, integrated with a leak (leaky-motion.ts):
 * a bias of the acceleration would otherwise add a constant to v. Sway and fidgets give small evidence of
 * either sign; one descent gives several units. Evidence decays slowly (FORGET_S) so a sensor re-clipped the
 * other way round in a long session is found again.
 */
import type { SensorFace } from '../../shared/imu.ts';

/** Evidence needed for a decision, m/s·deg (one brisk 10 cm descent gives about 2). */
const FACE_DECISION_EVIDENCE = 1.5;
/** Inclination rates beyond this count as this much, °/s. */
const MAX_EVIDENCE_RATE_DEG_S = 40;
/** Old evidence is forgotten with this time constant, s. */
const FORGET_S = 600;

export class FaceEstimator {
  private evidence = 0;
  private decided: SensorFace | null;

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
    if (this.fixed === null) {
      if (this.evidence >= FACE_DECISION_EVIDENCE) this.decided = 'out';
      else if (this.evidence <= -FACE_DECISION_EVIDENCE) this.decided = 'in';
    }
    return this.decided;
  }

  get face(): SensorFace | null {
    return this.decided;
  }

  /** +1 for face out (or not yet known), −1 for face in: the factor that turns raw θ into the contract's θ. */
  get sign(): 1 | -1 {
    return this.decided === 'in' ? -1 : 1;
  }
}
