/**
 * One squatmon sensor's IMU notifications → ImuSamples on the gateway clock. Drops repeated notifications
 * (by sequence number), counts lost frames, unwraps the sensor's microsecond timestamps and maps them onto the
 * receive clock (clock-mapper.ts). Transport-agnostic: live BLE and the simulator's recorder both use it.
 */
import type { ImuSample } from '../../shared/imu.ts';
import { countsToAccel, countsToGyro, decodeImuFrame, ProtocolError } from '../../shared/protocol/index.ts';
import { ClockMapper } from './clock-mapper.ts';
import { SequenceTracker } from './sequence-tracker.ts';
import { TimestampUnwrapper } from './timestamp-unwrapper.ts';

export type PushResult =
  | { readonly kind: 'samples'; readonly count: number; readonly missingFrames: number }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'rejected'; readonly error: ProtocolError };

export class SensorSampleStream {
  readonly sequence = new SequenceTracker();
  private readonly timestamps = new TimestampUnwrapper();
  private readonly clock = new ClockMapper();
  /** Notifications that were not valid frames. */
  rejected = 0;

  constructor(readonly sensorId: string) {}

  /** Decodes one notification received at `receiveTime` (gateway clock, s) and appends its samples to `out`. */
  push(bytes: Uint8Array, receiveTime: number, out: ImuSample[]): PushResult {
    let frame;
    try {
      frame = decodeImuFrame(bytes);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.rejected++;
      return { kind: 'rejected', error: err };
    }
    const verdict = this.sequence.classify(frame.seq);
    if (verdict.kind === 'duplicate') return { kind: 'duplicate' };

    const count = frame.counts.length / 6;
    const period = 1 / frame.rateHz;
    const firstSensorTime = this.timestamps.unwrap(frame.timestampUs);
    // A frame leaves the sensor after its last sample was taken: pair the receive time with that sample.
    this.clock.observe(firstSensorTime + (count - 1) * period, receiveTime);
    const c = frame.counts;
    for (let i = 0; i < count; i++) {
      const k = i * 6;
      out.push({
        sensor: this.sensorId,
        t: this.clock.map(firstSensorTime + i * period),
        ax: countsToAccel(c[k], frame.accelRangeG),
        ay: countsToAccel(c[k + 1], frame.accelRangeG),
        az: countsToAccel(c[k + 2], frame.accelRangeG),
        gx: countsToGyro(c[k + 3], frame.gyroRangeDps),
        gy: countsToGyro(c[k + 4], frame.gyroRangeDps),
        gz: countsToGyro(c[k + 5], frame.gyroRangeDps),
      });
    }
    return { kind: 'samples', count, missingFrames: verdict.kind === 'gap' ? verdict.missing : 0 };
  }
}
