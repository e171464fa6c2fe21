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

/** A frame's timestamp this far from where the frame counter puts it is a jump of the sensor's clock, s. */
const CLOCK_JUMP_S = 0.5;

export class SensorSampleStream {
  readonly sequence = new SequenceTracker();
  private readonly timestamps = new TimestampUnwrapper();
  private readonly clock = new ClockMapper();
  /** Sensor time of the last sample of the previous frame, s (null before the first). */
  private lastSampleTime: number | null = null;
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
    // The frame counter says how much sensor time passed since the previous frame (lost frames included): a
    // timestamp far from that is a jump of the sensor's clock. Receive times cannot tell a jump from a backlog
    // delivered late, the frame counter can.
    const missingFrames = verdict.kind === 'gap' ? verdict.missing : 0;
    const expectedFirst = this.lastSampleTime === null ? null : this.lastSampleTime + period * (1 + missingFrames * count);
    const clockJumped = expectedFirst !== null && Math.abs(firstSensorTime - expectedFirst) > CLOCK_JUMP_S;
    this.lastSampleTime = firstSensorTime + (count - 1) * period;
    // A frame leaves the sensor after its last sample was taken: pair the receive time with that sample.
    this.clock.observe(this.lastSampleTime, receiveTime, clockJumped ? 'jumped' : 'continuous');
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
