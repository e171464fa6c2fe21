/**
 * Why a recording gave no rep, in words a user can act on (issue: "say why when nothing is found"). Watches
 * the depth sensor's samples: how far its inclination moved; with its accelerometer's noise floor (learned by
 * its stillness detector, noise-floor.ts). O(1) per sample.
 */

/** A noise floor above this is far beyond a working IMU's (an MPU-6050 is about 0.05–0.1 m/s² rms). */
const BROKEN_NOISE_M_S2 = 0.3;
/** An inclination that moved less than this did not squat (a squat tilts the lower back 5–70°), deg. */
const MIN_SQUAT_TILT_DEG = 5;

export class SignalDiagnostics {
  private samples = 0;
  private minTheta = Infinity;
  private maxTheta = -Infinity;

  /** One depth-sensor sample: its skin inclination (deg). */
  update(thetaDeg: number): void {
    this.samples++;
    if (Number.isFinite(thetaDeg)) {
      this.minTheta = Math.min(this.minTheta, thetaDeg);
      this.maxTheta = Math.max(this.maxTheta, thetaDeg);
    }
  }

  /**
   * Why no rep was found, for a person; call only when none was. `accNoiseRms`: the depth sensor's
   * accelerometer noise floor, m/s².
   */
  noRepsReason(accNoiseRms: number): string {
    if (this.samples === 0) return 'no samples from a sacrum or thoracolumbar sensor';
    const noise = accNoiseRms;
    if (noise > BROKEN_NOISE_M_S2) {
      return `sensor noise ${noise.toFixed(2)} m/s² rms even in its quietest moments, far above a working IMU's (under 0.1)`;
    }
    const tilt = this.maxTheta - this.minTheta;
    if (!(tilt >= MIN_SQUAT_TILT_DEG)) {
      return `no squat-like movement: the lower back tilted by ${Number.isFinite(tilt) ? tilt.toFixed(1) : '0'}° at most (a squat tilts it 5–70°)`;
    }
    return 'the sensor moved, but no movement went 10 cm down and back up (a rep, docs/INTERFACES.md §2)';
  }
}
