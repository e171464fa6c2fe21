/**
 * Why a recording gave no rep, in words a user can act on (issue: "say why when nothing is found"). Watches
 * the depth sensor's samples: how far its inclination moved, and its accelerometer's noise floor (the
 * quietest one-second block's standard deviation of |f|: a still sensor shows only its noise there, and a
 * lifter who never stands still shows an upper bound of it). O(1) per sample.
 */

/** Length of a block over which |f| is summarised, s. */
const BLOCK_S = 1;
/** A noise floor above this is far beyond a working IMU's (an MPU-6050 is about 0.05–0.1 m/s² rms). */
const BROKEN_NOISE_M_S2 = 0.3;
/** An inclination that moved less than this did not squat (a squat tilts the lower back 5–70°), deg. */
const MIN_SQUAT_TILT_DEG = 5;

export class SignalDiagnostics {
  private samples = 0;
  private minTheta = Infinity;
  private maxTheta = -Infinity;
  private blockStart = Number.NaN;
  private blockN = 0;
  private blockSum = 0;
  private blockSumSq = 0;
  private noiseFloor = Infinity;

  /** One depth-sensor sample: time (s), |specific force| (m/s²), skin inclination (deg). */
  update(t: number, accNorm: number, thetaDeg: number): void {
    this.samples++;
    if (Number.isFinite(thetaDeg)) {
      this.minTheta = Math.min(this.minTheta, thetaDeg);
      this.maxTheta = Math.max(this.maxTheta, thetaDeg);
    }
    if (!Number.isFinite(accNorm)) return;
    if (Number.isNaN(this.blockStart) || t - this.blockStart >= BLOCK_S) {
      if (this.blockN >= 10) {
        const mean = this.blockSum / this.blockN;
        this.noiseFloor = Math.min(this.noiseFloor, Math.sqrt(Math.max(0, this.blockSumSq / this.blockN - mean * mean)));
      }
      this.blockStart = t;
      this.blockN = 0;
      this.blockSum = 0;
      this.blockSumSq = 0;
    }
    this.blockN++;
    this.blockSum += accNorm;
    this.blockSumSq += accNorm * accNorm;
  }

  /** Why no rep was found, for a person; call only when none was. */
  noRepsReason(): string {
    if (this.samples === 0) return 'no samples from a sacrum or thoracolumbar sensor';
    if (this.noiseFloor > BROKEN_NOISE_M_S2 && Number.isFinite(this.noiseFloor)) {
      return `sensor noise ${this.noiseFloor.toFixed(2)} m/s² rms even in its quietest second, far above a working IMU's (under 0.1)`;
    }
    const tilt = this.maxTheta - this.minTheta;
    if (!(tilt >= MIN_SQUAT_TILT_DEG)) {
      return `no squat-like movement: the lower back tilted by ${Number.isFinite(tilt) ? tilt.toFixed(1) : '0'}° at most (a squat tilts it 5–70°)`;
    }
    return 'the sensor moved, but no movement went 10 cm down and back up (a rep, INTERFACES.md §2)';
  }
}
