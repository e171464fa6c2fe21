import { describe, expect, it } from 'vitest';
import type { ImuSample } from '../../shared/imu.ts';
import { accelToCounts, encodeImuFrame, gyroToCounts } from '../../shared/protocol/index.ts';
import { SensorSampleStream } from '../../gateway/ingest/sensor-sample-stream.ts';

function frame(seq: number, timestampUs: number, values: number[][]) {
  const counts = new Int16Array(values.length * 6);
  values.forEach((v, i) => {
    for (let a = 0; a < 3; a++) counts[i * 6 + a] = accelToCounts(v[a], 8);
    for (let a = 0; a < 3; a++) counts[i * 6 + 3 + a] = gyroToCounts(v[3 + a], 1000);
  });
  return encodeImuFrame({ seq, timestampUs, rateHz: 100, accelRangeG: 8, gyroRangeDps: 1000, counts });
}

describe('SensorSampleStream', () => {
  it('decodes samples to physical units on the receive clock, 10 ms apart at 100 Hz', () => {
    const stream = new SensorSampleStream('S2');
    const out: ImuSample[] = [];
    const r = stream.push(frame(0, 4_000_000, [[0, 0, 9.81, 0.1, 0, 0], [0, 0.5, 9.7, 0, -0.2, 0]]), 50.02, out);
    expect(r).toEqual({ kind: 'samples', count: 2, missingFrames: 0 });
    expect(out).toHaveLength(2);
    expect(out[0].sensor).toBe('S2');
    expect(out[0].az).toBeCloseTo(9.81, 2);
    expect(out[0].gx).toBeCloseTo(0.1, 3);
    expect(out[1].ay).toBeCloseTo(0.5, 2);
    expect(out[1].gy).toBeCloseTo(-0.2, 3);
    // The frame left with its last sample: that sample maps to the receive time.
    expect(out[1].t).toBeCloseTo(50.02, 9);
    expect(out[1].t - out[0].t).toBeCloseTo(0.01, 9);
  });

  it('drops a repeated notification and reports a lost one as a gap', () => {
    const stream = new SensorSampleStream('S1');
    const out: ImuSample[] = [];
    const still = [[0, 0, 9.81, 0, 0, 0]];
    stream.push(frame(10, 0, still), 1.0, out);
    expect(stream.push(frame(10, 0, still), 1.001, out)).toEqual({ kind: 'duplicate' });
    expect(stream.push(frame(12, 20_000, still), 1.02, out)).toEqual({ kind: 'samples', count: 1, missingFrames: 1 });
    expect(out).toHaveLength(2);
    expect(out[1].t - out[0].t).toBeCloseTo(0.02, 9);
  });

  it('rejects bytes that are not a frame, without output or a throw', () => {
    const stream = new SensorSampleStream('S1');
    const out: ImuSample[] = [];
    const result = stream.push(Uint8Array.of(1, 2, 3), 1, out);
    expect(result.kind).toBe('rejected');
    expect(out).toHaveLength(0);
    expect(stream.rejected).toBe(1);
  });
});
