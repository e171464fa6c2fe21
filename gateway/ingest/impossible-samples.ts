/**
 * The live path's guard against samples no working IMU can give (non-finite, or beyond ±16 g or ±2000 °/s on an
 * axis; shared/imu.ts): a corrupt frame that passed the frame checks, or a driver's scaling fault. One such
 * sample fed to the orientation filter turns a whole set's angles to nonsense (an `ax=1e6` sample took a 35°
 * lumbar flexion to 0.1°), so they are dropped before the pipeline and counted. Files refuse them instead
 * (shared/recording: a RecordingError with the line number).
 */
import type { ImuSample } from '../../shared/imu.ts';
import { impossibleSampleReason } from '../../shared/imu.ts';

export class ImpossibleSampleGate {
  /** Samples dropped so far. */
  dropped = 0;
  /** Why the last one was dropped, null before any. */
  lastReason: string | null = null;

  /** The samples a working IMU can give, in order; `samples` itself when all of them are (no copy). */
  pass(samples: ImuSample[]): ImuSample[] {
    let kept: ImuSample[] | null = null;
    for (let i = 0; i < samples.length; i++) {
      const reason = impossibleSampleReason(samples[i]);
      if (reason === null) {
        kept?.push(samples[i]);
        continue;
      }
      kept ??= samples.slice(0, i);
      this.dropped++;
      this.lastReason = reason;
    }
    return kept ?? samples;
  }
}
