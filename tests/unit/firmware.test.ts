import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  countsToAccel,
  countsToGyro,
  decodeBatteryLevel,
  decodeControlAck,
  decodeImuFrame,
  decodeStatus,
  encodeControlCommand,
  frameSampleCount,
} from '../../shared/protocol/index.ts';
import type { ControlCommand, ImuFrame } from '../../shared/protocol/index.ts';
import { STANDARD_GRAVITY } from '../../shared/imu.ts';
import { SensorFirmware } from '../../firmware-sim/firmware/index.ts';
import type { ImuSampler, Notification, SensorFirmwareConfig } from '../../firmware-sim/firmware/index.ts';

const U32 = 4294967296;

/** A still sensor tilted by `deg` about its y axis: gravity split between x and z, no rotation. */
function stillSampler(deg: number): ImuSampler {
  const r = (deg * Math.PI) / 180;
  return (_t, out) => {
    out[0] = STANDARD_GRAVITY * Math.sin(r);
    out[1] = 0;
    out[2] = STANDARD_GRAVITY * Math.cos(r);
    out[3] = out[4] = out[5] = 0;
  };
}

/** A sensor rocking about its y axis: every channel changes with t, so timing errors show up as value errors. */
function rockingSampler(): ImuSampler {
  return (t, out) => {
    const w = 2 * Math.PI * 0.7;
    const angle = 0.6 * Math.sin(w * t);
    out[0] = STANDARD_GRAVITY * Math.sin(angle) + 0.3 * Math.cos(3.1 * t);
    out[1] = 0.2 * Math.sin(5.3 * t);
    out[2] = STANDARD_GRAVITY * Math.cos(angle);
    out[3] = 0.1 * Math.cos(1.7 * t);
    out[4] = 0.6 * w * Math.cos(w * t);
    out[5] = -0.05 * Math.sin(2.2 * t);
  };
}

function firmware(overrides: Partial<SensorFirmwareConfig> = {}): SensorFirmware {
  // Frames fill to the MTU here unless a test sets the age limit: most tests are about MTU packing.
  return new SensorFirmware({ serial: 'SQM1-00A3F2', sampler: stillSampler(20), maxFrameAgeUs: Infinity, ...overrides });
}

function command(fw: SensorFirmware, cmd: ControlCommand, t: number): Notification[] {
  const result = fw.write('control', encodeControlCommand(cmd), t);
  expect(result.attError).toBeNull();
  return result.notifications;
}

function frames(notes: readonly Notification[]): { t: number; frame: ImuFrame }[] {
  return notes.filter((n) => n.characteristic === 'imu').map((n) => ({ t: n.t, frame: decodeImuFrame(n.data) }));
}

function acks(notes: readonly Notification[]) {
  return notes.filter((n) => n.characteristic === 'control').map((n) => decodeControlAck(n.data));
}

describe('SensorFirmware frames', () => {
  it('packs samplesPerFrame(MTU) samples per frame: 1 at MTU 23, 19 at MTU 247', () => {
    for (const [mtu, perFrame] of [
      [23, 1],
      [247, 19],
      [100, 7],
    ] as const) {
      const fw = firmware({ attMtu: mtu });
      expect(fw.samplesPerFrame).toBe(perFrame);
      command(fw, { op: 'start_stream', token: 1 }, 0);
      const got = frames(fw.advanceTo(2));
      expect(got.length).toBeGreaterThan(5);
      for (const { frame } of got) expect(frameSampleCount(frame)).toBe(perFrame);
      for (const n of fw.advanceTo(3).filter((x) => x.characteristic === 'imu')) {
        expect(n.data.length).toBe(8 + 12 * perFrame);
        expect(n.data.length).toBeLessThanOrEqual(mtu - 3);
      }
    }
  });

  it('sends a frame early once its first sample is maxFrameAgeUs old, bounding the cue latency', () => {
    for (const [rateHz, maxAgeUs, perFrame] of [
      // The first sample of a frame is at most 20 ms old when the frame leaves: at 200 Hz, samples 0…20 ms.
      [200, 20_000, 5],
      [100, 20_000, 3],
      [400, 20_000, 9],
      [50, 20_000, 2],
      [200, 10_000, 3],
    ] as const) {
      const fw = firmware({ attMtu: 247, rateHz, maxFrameAgeUs: maxAgeUs });
      command(fw, { op: 'start_stream', token: 1 }, 0);
      const got = frames(fw.advanceTo(1));
      expect(got.length).toBeGreaterThan(5);
      for (const { frame } of got) expect(frameSampleCount(frame)).toBe(perFrame);
    }
  });

  it('increments seq by one per frame and wraps 65535 → 0', () => {
    const fw = firmware({ rateHz: 400 });
    command(fw, { op: 'start_stream', token: 1 }, 0);
    let expected = 0;
    let total = 0;
    let wrapped = false;
    for (let t = 10; t <= 170; t += 10) {
      for (const n of fw.advanceTo(t)) {
        if (n.characteristic !== 'imu') continue;
        // Bytes 0-1 are the seq (u16 LE); reading them directly keeps this 68 000-frame run fast.
        if ((n.data[0] | (n.data[1] << 8)) !== expected) expect(decodeImuFrame(n.data).seq).toBe(expected);
        if (expected === 65535) wrapped = true;
        expected = (expected + 1) & 0xffff;
        total++;
      }
    }
    expect(wrapped).toBe(true);
    expect(total).toBeGreaterThan(65536);
    expect(fw.seq).toBe(total - 65536);
  });

  it('stamps frames on the sensor clock: +50 ppm drift gives 60 s·(1+50e-6) of timestamps per 60 s of true time', () => {
    const driftPpm = 50;
    const offset = U32 - 7_000_000; // the u32 field wraps 7 s into the stream
    const fw = firmware({ clockDriftPpm: driftPpm, clockOffsetUs: offset, rateHz: 100, attMtu: 247 });
    command(fw, { op: 'start_stream', token: 1 }, 1);
    const got = frames(fw.advanceTo(61.5));
    let unwrapped = got[0].frame.timestampUs;
    const perFrameUs = 19 * 10_000;
    for (let i = 1; i < got.length; i++) {
      const step = (got[i].frame.timestampUs - got[i - 1].frame.timestampUs + U32) % U32;
      expect(step).toBe(perFrameUs); // nominal period on the sensor's own clock, exactly
      unwrapped += step;
    }
    expect(got.some((f, i) => i > 0 && f.frame.timestampUs < got[i - 1].frame.timestampUs)).toBe(true);
    const first = got[0];
    const last = got[got.length - 1];
    const sensorSpanS = (unwrapped - first.frame.timestampUs) / 1e6;
    const trueSpanS = last.t - first.t;
    expect(trueSpanS).toBeGreaterThan(59);
    expect(sensorSpanS / trueSpanS).toBeCloseTo(1 + driftPpm * 1e-6, 9);
    // And the timestamp is the sensor clock reading at the frame's first sample.
    const firstSampleTrueT = first.t - 18 * (0.01 / (1 + driftPpm * 1e-6));
    expect(Math.abs(fw.clock.sensorUsAt(firstSampleTrueT) - first.frame.timestampUs)).toBeLessThan(0.01);
  });

  it('quantises each channel to within half an LSB of the sampler value at the sample time', () => {
    const sampler = rockingSampler();
    const driftPpm = -30;
    const offset = 123_456_789;
    const fw = firmware({ sampler, clockDriftPpm: driftPpm, clockOffsetUs: offset, attMtu: 185, accelRangeG: 4, gyroRangeDps: 250 });
    command(fw, { op: 'start_stream', token: 1 }, 0.25);
    const got = frames(fw.advanceTo(5));
    const truth = new Float64Array(6);
    let checked = 0;
    for (const { frame } of got) {
      for (let i = 0; i < frameSampleCount(frame); i++) {
        const sensorUs = frame.timestampUs + (i * 1e6) / frame.rateHz;
        sampler(fw.clock.trueTimeOf(sensorUs), truth);
        for (let axis = 0; axis < 3; axis++) {
          const accelLsb = (frame.accelRangeG / 32768) * STANDARD_GRAVITY;
          const gyroLsb = ((frame.gyroRangeDps / 32768) * Math.PI) / 180;
          expect(Math.abs(countsToAccel(frame.counts[i * 6 + axis], frame.accelRangeG) - truth[axis])).toBeLessThanOrEqual(accelLsb / 2 + 1e-12);
          expect(Math.abs(countsToGyro(frame.counts[i * 6 + 3 + axis], frame.gyroRangeDps) - truth[3 + axis])).toBeLessThanOrEqual(gyroLsb / 2 + 1e-12);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(400);
  });

  it('saturates at the range limits', () => {
    const fw = firmware({
      accelRangeG: 2,
      gyroRangeDps: 125,
      sampler: (_t, out) => out.set([5 * STANDARD_GRAVITY, -5 * STANDARD_GRAVITY, 0, 10, -10, 0]),
    });
    command(fw, { op: 'start_stream', token: 1 }, 0);
    const [{ frame }] = frames(fw.advanceTo(0.015));
    expect(Array.from(frame.counts)).toEqual([32767, -32768, 0, 32767, -32768, 0]);
  });

  it('reports faulty parts as zero counts and in the status flags', () => {
    const fw = firmware({ faults: { gyro: true } });
    command(fw, { op: 'start_stream', token: 1 }, 0);
    const [{ frame }] = frames(fw.advanceTo(0.015));
    expect(frame.counts[2]).not.toBe(0);
    expect(Array.from(frame.counts.slice(3))).toEqual([0, 0, 0]);
    expect(decodeStatus(fw.read('status')).gyroFault).toBe(true);
  });
});

describe('SensorFirmware control', () => {
  it('acknowledges every command with its op and token', () => {
    const fw = firmware();
    const cmds: ControlCommand[] = [
      { op: 'set_rate', token: 10, rateHz: 200 },
      { op: 'set_ranges', token: 11, accelRangeG: 16, gyroRangeDps: 2000 },
      { op: 'start_stream', token: 12 },
      { op: 'haptic', token: 13, pulses: 2, onMs: 100, offMs: 50, intensityPct: 80 },
      { op: 'identify', token: 14 },
      { op: 'stop_stream', token: 15 },
    ];
    cmds.forEach((cmd, i) => {
      const got = acks(command(fw, cmd, 0.1 * (i + 1)));
      expect(got).toEqual([{ op: cmd.op, token: cmd.token, status: 'ok' }]);
    });
    expect(fw.identifyTimes).toEqual([0.5]);
  });

  it('answers bad control bytes with error acks or an ATT error, never a throw', () => {
    const fw = firmware();
    const ackOf = (bytes: number[]) => {
      const r = fw.write('control', Uint8Array.from(bytes), fw.now);
      expect(r.attError).toBeNull();
      const a = r.notifications.filter((n) => n.characteristic === 'control');
      expect(a).toHaveLength(1);
      return Array.from(a[0].data);
    };
    expect(ackOf([0x42, 7])).toEqual([0x80 | 0x42, 7, 2]); // unknown op → unsupported
    expect(ackOf([0x01, 8, 0])).toEqual([0x81, 8, 1]); // wrong length → invalid_parameter
    expect(ackOf([0x03, 9, 0x2c, 0x01])).toEqual([0x83, 9, 1]); // 300 Hz is not a rate
    expect(ackOf([0x05, 3, 0, 100, 0, 0, 0, 50])).toEqual([0x85, 3, 1]); // 0 pulses
    expect(fw.write('control', Uint8Array.of(0x01), 0).attError).toBe('invalid_attribute_value_length');
    expect(fw.rateHz).toBe(100);

    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        const r = fw.write('control', bytes, fw.now);
        const ackCount = r.notifications.filter((n) => n.characteristic === 'control').length;
        expect(ackCount + (r.attError === null ? 0 : 1)).toBe(1);
      }),
    );
  });

  it('changes the rate at the next frame boundary while streaming', () => {
    const fw = firmware({ attMtu: 247, rateHz: 100 });
    command(fw, { op: 'start_stream', token: 1 }, 0);
    const before = frames(fw.advanceTo(0.5));
    expect(before.length).toBeGreaterThan(1);
    const midFrame = fw.now; // 0.5 s = 50 samples: 12 samples into the third frame
    command(fw, { op: 'set_rate', token: 2, rateHz: 400 }, midFrame);
    const after = frames(fw.advanceTo(1));
    const firstAfter = after[0].frame;
    expect(firstAfter.rateHz).toBe(100); // the frame being filled keeps its rate
    expect(after[1].frame.rateHz).toBe(400);
    expect(after[1].frame.timestampUs - firstAfter.timestampUs).toBe(18 * 10_000 + 2_500);
    expect(after[2].frame.timestampUs - after[1].frame.timestampUs).toBe(19 * 2_500);
    expect(fw.rateHz).toBe(400);
  });

  it('changes ranges at the next frame boundary while streaming, and at once when idle', () => {
    const fw = firmware({ attMtu: 247, accelRangeG: 8, gyroRangeDps: 1000 });
    command(fw, { op: 'set_ranges', token: 1, accelRangeG: 4, gyroRangeDps: 500 }, 0);
    expect([fw.accelRangeG, fw.gyroRangeDps]).toEqual([4, 500]);
    command(fw, { op: 'start_stream', token: 2 }, 0);
    fw.advanceTo(0.25);
    command(fw, { op: 'set_ranges', token: 3, accelRangeG: 16, gyroRangeDps: 2000 }, 0.25);
    const after = frames(fw.advanceTo(0.8));
    expect([after[0].frame.accelRangeG, after[0].frame.gyroRangeDps]).toEqual([4, 500]);
    expect([after[1].frame.accelRangeG, after[1].frame.gyroRangeDps]).toEqual([16, 2000]);
  });

  it('flushes the partly filled frame on stop_stream, then sends no more frames', () => {
    const fw = firmware({ attMtu: 247 });
    command(fw, { op: 'start_stream', token: 1 }, 0);
    fw.advanceTo(0.25);
    const stopped = command(fw, { op: 'stop_stream', token: 2 }, 0.255);
    const last = frames(stopped);
    expect(last).toHaveLength(1);
    expect(frameSampleCount(last[0].frame)).toBe(25 - 19);
    expect(acks(stopped)[0].status).toBe('ok');
    expect(frames(fw.advanceTo(2))).toHaveLength(0);
  });

  it('notifies status changes: streaming on and off, with rate and ranges', () => {
    const fw = firmware();
    const started = command(fw, { op: 'start_stream', token: 1 }, 0.1).filter((n) => n.characteristic === 'status');
    expect(started).toHaveLength(1);
    expect(decodeStatus(started[0].data)).toMatchObject({ streaming: true, rateHz: 100, accelRangeG: 8, gyroRangeDps: 1000 });
    const stopped = command(fw, { op: 'stop_stream', token: 2 }, 0.5).filter((n) => n.characteristic === 'status');
    expect(decodeStatus(stopped[0].data).streaming).toBe(false);
    expect(decodeStatus(fw.read('status')).streaming).toBe(false);
  });

  it('stops streaming on disconnect and continues seq after the next start', () => {
    const fw = firmware();
    command(fw, { op: 'start_stream', token: 1 }, 0);
    const seqs = frames(fw.advanceTo(0.5)).map((f) => f.frame.seq);
    fw.disconnected(0.505);
    expect(fw.streaming).toBe(false);
    expect(frames(fw.advanceTo(3))).toHaveLength(0);
    command(fw, { op: 'start_stream', token: 2 }, 3);
    const next = frames(fw.advanceTo(3.2));
    expect(next[0].frame.seq).toBe(seqs[seqs.length - 1] + 1);
  });
});

describe('SensorFirmware haptics, battery, device information', () => {
  it('records haptic patterns with their true time and answers busy while one plays', () => {
    const fw = firmware();
    const haptic = (token: number, t: number) =>
      acks(command(fw, { op: 'haptic', token, pulses: 3, onMs: 200, offMs: 100, intensityPct: 60 }, t))[0].status;
    expect(haptic(1, 2)).toBe('ok');
    expect(haptic(2, 2.5)).toBe('busy'); // the pattern lasts 3·0.2 + 2·0.1 = 0.8 s
    expect(haptic(3, 2.85)).toBe('ok');
    expect(fw.hapticPulses.map((p) => [p.t, p.token, p.pulses, p.onMs, p.offMs, p.intensityPct])).toEqual([
      [2, 1, 3, 200, 100, 60],
      [2.85, 3, 3, 200, 100, 60],
    ]);
  });

  it('refuses haptics when the motor driver is faulty', () => {
    const fw = firmware({ faults: { haptic: true } });
    expect(acks(command(fw, { op: 'haptic', token: 1, pulses: 1, onMs: 100, offMs: 0, intensityPct: 50 }, 0))[0].status).toBe('unsupported');
    expect(fw.hapticPulses).toHaveLength(0);
  });

  it('drains the battery with streaming time, faster with haptics, and flags low battery below 10 %', () => {
    const battery = { capacityMah: 1, initialPct: 12 };
    const idle = firmware({ battery });
    const streaming = firmware({ battery });
    const buzzing = firmware({ battery });
    command(streaming, { op: 'start_stream', token: 1 }, 0);
    command(buzzing, { op: 'start_stream', token: 1 }, 0);
    const notes: Notification[] = [];
    for (let t = 0; t <= 10; t += 1) {
      idle.advanceTo(t);
      notes.push(...streaming.advanceTo(t));
      command(buzzing, { op: 'haptic', token: 2, pulses: 2, onMs: 300, offMs: 100, intensityPct: 100 }, t);
    }
    idle.advanceTo(30);
    buzzing.advanceTo(30);
    notes.push(...streaming.advanceTo(30));
    expect(idle.batteryRemainingMah).toBeLessThan(0.12);
    expect(streaming.batteryRemainingMah).toBeLessThan(idle.batteryRemainingMah);
    expect(buzzing.batteryRemainingMah).toBeLessThan(streaming.batteryRemainingMah);
    // 30 s at ~5.4 mA from 0.12 mAh: about 4.5 % of a 1 mAh cell gone.
    expect(streaming.batteryPct).toBeLessThan(10);
    expect(decodeBatteryLevel(streaming.read('battery'))).toBe(streaming.batteryPct);
    const levels = notes.filter((n) => n.characteristic === 'battery').map((n) => decodeBatteryLevel(n.data));
    expect(levels.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < levels.length; i++) expect(levels[i]).toBe(levels[i - 1] - 1);
    expect(levels[levels.length - 1]).toBe(streaming.batteryPct);
    const lowStatus = notes.filter((n) => n.characteristic === 'status').map((n) => decodeStatus(n.data));
    expect(lowStatus.some((s) => s.lowBattery)).toBe(true);
    expect(decodeStatus(streaming.read('status')).lowBattery).toBe(true);
    expect(decodeStatus(idle.read('status')).lowBattery).toBe(false);
  });

  it('warms towards skin temperature and reports it in the status', () => {
    const fw = firmware({ thermal: { initialC: 22, skinC: 32, timeConstantS: 100 } });
    const t0 = decodeStatus(fw.read('status')).temperatureC;
    fw.advanceTo(300);
    const t1 = decodeStatus(fw.read('status')).temperatureC;
    expect(t0).toBeCloseTo(22, 2);
    expect(t1).toBeGreaterThan(31);
    expect(t1).toBeLessThan(32);
  });

  it('serves device information strings and advertises squatmon-XXXX', () => {
    const fw = firmware({ deviceInfo: { firmwareRevision: '2.1.0' } });
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    expect(fw.localName).toBe('squatmon-A3F2');
    expect(text(fw.read('serial'))).toBe('SQM1-00A3F2');
    expect(text(fw.read('firmwareRevision'))).toBe('2.1.0');
    expect(text(fw.read('manufacturer')).length).toBeGreaterThan(0);
    expect(text(fw.read('model')).length).toBeGreaterThan(0);
    expect(text(fw.read('hardwareRevision')).length).toBeGreaterThan(0);
  });

  it('refuses to run backwards in time', () => {
    const fw = firmware();
    fw.advanceTo(2);
    expect(() => fw.advanceTo(1)).toThrow(RangeError);
  });
});
