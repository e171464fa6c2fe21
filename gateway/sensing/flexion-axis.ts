/**
 * Finds the axis the back flexes about — the body's left–right axis — in the sensor's frame, whatever the
 * angle the sensor was clipped on at (docs/INTERFACES.md §1: rotation about the skin normal is unknown).
 *
 * Flexion rotates the skin patch about the left–right axis, which lies in the skin plane: the sensor's x–y
 * plane. So while the lifter moves, the angular rate's x–y part lines up with that axis; its principal
 * direction (eigenvector of the 2×2 second-moment matrix of (ω_x, ω_y)) is the axis. The sign is chosen so that
 * a positive rotation about it tilts the top of the patch forward (the skin inclination θ grows).
 * O(1) per sample: five running sums.
 */
import { RAD } from '../../shared/imu.ts';

/** Below this angular rate the x–y direction is noise, rad/s. */
const MIN_RATE_RAD_S = 0.2;

export class FlexionAxisEstimator {
  private sxx = 0;
  private sxy = 0;
  private syy = 0;
  /** Σ ω_x·dθ/dt and Σ ω_y·dθ/dt: which way along the axis is "forward". */
  private fx = 0;
  private fy = 0;

  /** One moving sample: bias-corrected angular rate (rad/s, sensor frame) and the inclination rate (deg/s). */
  update(gx: number, gy: number, inclinationRateDegS: number): void {
    if (gx * gx + gy * gy < MIN_RATE_RAD_S * MIN_RATE_RAD_S || !Number.isFinite(inclinationRateDegS)) return;
    this.sxx += gx * gx;
    this.sxy += gx * gy;
    this.syy += gy * gy;
    this.fx += gx * inclinationRateDegS;
    this.fy += gy * inclinationRateDegS;
  }

  /** The axis's angle from the sensor's +x axis, degrees in [0, 360); null until there was enough movement. */
  angleDeg(): number | null {
    if (this.sxx + this.syy === 0) return null;
    const principal = 0.5 * Math.atan2(2 * this.sxy, this.sxx - this.syy);
    let ax = Math.cos(principal);
    let ay = Math.sin(principal);
    if (ax * this.fx + ay * this.fy < 0) {
      ax = -ax;
      ay = -ay;
    }
    const deg = Math.atan2(ay, ax) * RAD;
    return deg < 0 ? deg + 360 : deg;
  }
}
