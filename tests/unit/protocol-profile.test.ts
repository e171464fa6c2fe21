import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BATTERY_LEVEL_CHAR_UUID,
  BATTERY_SERVICE_UUID,
  CONTROL_CHAR_UUID,
  DEVICE_INFO_SERVICE_UUID,
  IMU_DATA_CHAR_UUID,
  MAX_SAMPLES_PER_FRAME,
  ProtocolError,
  SQUATMON_SERVICE_UUID,
  STATUS_CHAR_UUID,
  advertisedLocalName,
  imuFrameLength,
  nobleUuid,
  samplesPerFrame,
} from '../../shared/protocol/index.ts';

describe('UUIDs', () => {
  it('spells the squatmon 128-bit UUIDs from the shared base', () => {
    expect(SQUATMON_SERVICE_UUID).toBe('e3a10001-6c2b-4f7e-9a51-9d0c5a0b5157');
    expect(IMU_DATA_CHAR_UUID).toBe('e3a10002-6c2b-4f7e-9a51-9d0c5a0b5157');
    expect(CONTROL_CHAR_UUID).toBe('e3a10003-6c2b-4f7e-9a51-9d0c5a0b5157');
    expect(STATUS_CHAR_UUID).toBe('e3a10004-6c2b-4f7e-9a51-9d0c5a0b5157');
    expect(BATTERY_SERVICE_UUID).toBe('180f');
    expect(BATTERY_LEVEL_CHAR_UUID).toBe('2a19');
    expect(DEVICE_INFO_SERVICE_UUID).toBe('180a');
  });

  it('gives the lowercase, dash-free form noble reports', () => {
    expect(nobleUuid(SQUATMON_SERVICE_UUID)).toBe('e3a100016c2b4f7e9a519d0c5a0b5157');
    expect(nobleUuid('E3A10002-6C2B-4F7E-9A51-9D0C5A0B5157')).toBe('e3a100026c2b4f7e9a519d0c5a0b5157');
    expect(nobleUuid('180F')).toBe('180f');
  });
});

describe('advertised local name', () => {
  it('is squatmon- and the last four hex digits of the serial, upper case', () => {
    expect(advertisedLocalName('SQM-2024-00a3f1')).toBe('squatmon-A3F1');
    expect(advertisedLocalName('BEEF')).toBe('squatmon-BEEF');
    expect(() => advertisedLocalName('SQM-12')).toThrow(ProtocolError);
    expect(() => advertisedLocalName('SQM-12XY')).toThrow(ProtocolError);
  });
});

describe('samplesPerFrame', () => {
  it('fits floor((MTU − 3 − 8) / 12) samples, clamped to 1..31', () => {
    expect(samplesPerFrame(23)).toBe(1);
    expect(samplesPerFrame(27)).toBe(1);
    expect(samplesPerFrame(35)).toBe(2);
    expect(samplesPerFrame(185)).toBe(14);
    expect(samplesPerFrame(247)).toBe(19);
    expect(samplesPerFrame(383)).toBe(31);
    expect(samplesPerFrame(512)).toBe(31);
    expect(samplesPerFrame(65535)).toBe(31);
    expect(samplesPerFrame(Number.POSITIVE_INFINITY)).toBe(31);
    expect(samplesPerFrame(22)).toBe(1);
    expect(samplesPerFrame(0)).toBe(1);
    expect(samplesPerFrame(-100)).toBe(1);
    expect(() => samplesPerFrame(Number.NaN)).toThrow(ProtocolError);
  });

  it('always gives the largest frame that fits in one notification (MTU − 3 bytes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 23, max: 1000 }), (mtu) => {
        const n = samplesPerFrame(mtu);
        expect(imuFrameLength(n)).toBeLessThanOrEqual(mtu - 3);
        if (n < MAX_SAMPLES_PER_FRAME) expect(imuFrameLength(n + 1)).toBeGreaterThan(mtu - 3);
      }),
      { numRuns: 1000 },
    );
  });
});
