import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACCEL_RANGES_G,
  GYRO_RANGES_DPS,
  OUTPUT_RATES_HZ,
  ProtocolError,
  decodeBatteryLevel,
  decodeStatus,
  encodeBatteryLevel,
  encodeStatus,
  statusFlags,
} from '../../shared/protocol/index.ts';
import type { SensorStatus } from '../../shared/protocol/index.ts';

function protocolErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return (error as ProtocolError).code;
  }
  throw new Error('expected a ProtocolError, nothing was thrown');
}

// Hand-written from the spec: battery 87 %, 36.55 °C (3655 = 0x0E47), flags fifo_overflow | low_battery (0x000C),
// config streaming | rate code 2 (200 Hz) << 1 | accel code 2 (±8 g) << 3 | gyro code 3 (±1000 °/s) << 5
// = 0x01 | 0x04 | 0x10 | 0x60 = 0x75, dropped 300 (0x012C).
const GOLDEN_STATUS = Uint8Array.of(0x57, 0x47, 0x0e, 0x0c, 0x00, 0x75, 0x2c, 0x01);
const GOLDEN_STATUS_VALUE: SensorStatus = {
  batteryPct: 87,
  temperatureC: 36.55,
  flags: 0x000c,
  accelFault: false,
  gyroFault: false,
  fifoOverflow: true,
  lowBattery: true,
  hapticFault: false,
  streaming: true,
  rateHz: 200,
  accelRangeG: 8,
  gyroRangeDps: 1000,
  droppedSamples: 300,
};

// Battery unknown, −12.5 °C (−1250 = 0xFB1E), flags accel_fault plus reserved bit 15 (0x8001), idle at the
// smallest codes (config 0x00), dropped counter saturated at 65535.
const GOLDEN_STATUS_EDGES = Uint8Array.of(0xff, 0x1e, 0xfb, 0x01, 0x80, 0x00, 0xff, 0xff);

describe('status golden vectors', () => {
  it('decodes and encodes the hand-written status', () => {
    expect(decodeStatus(GOLDEN_STATUS)).toEqual(GOLDEN_STATUS_VALUE);
    expect(encodeStatus(GOLDEN_STATUS_VALUE)).toEqual(GOLDEN_STATUS);
  });

  it('keeps unknown flag bits raw, maps 255 to an unknown battery and sign-extends the temperature', () => {
    const status = decodeStatus(Buffer.from(GOLDEN_STATUS_EDGES));
    expect(status).toEqual({
      batteryPct: null,
      temperatureC: -12.5,
      flags: 0x8001,
      accelFault: true,
      gyroFault: false,
      fifoOverflow: false,
      lowBattery: false,
      hapticFault: false,
      streaming: false,
      rateHz: 50,
      accelRangeG: 2,
      gyroRangeDps: 125,
      droppedSamples: 65535,
    });
    expect(encodeStatus(status)).toEqual(GOLDEN_STATUS_EDGES);
  });

  it('decodes each defined flag bit to its own boolean', () => {
    const names = ['accelFault', 'gyroFault', 'fifoOverflow', 'lowBattery', 'hapticFault'] as const;
    names.forEach((name, bit) => {
      const wire = GOLDEN_STATUS.slice();
      wire[3] = 1 << bit;
      wire[4] = 0;
      const status = decodeStatus(wire);
      for (const other of names) expect(status[other]).toBe(other === name);
    });
  });

  it('takes the flags word as authoritative when encoding, and statusFlags builds it from booleans', () => {
    const wire = encodeStatus({ ...GOLDEN_STATUS_VALUE, flags: 0, accelFault: true, gyroFault: true });
    expect(wire[3]).toBe(0);
    expect(wire[4]).toBe(0);
    expect(statusFlags({ accelFault: true, hapticFault: true })).toBe(0b10001);
    expect(statusFlags({ gyroFault: true, fifoOverflow: true, lowBattery: true })).toBe(0b01110);
    expect(statusFlags({})).toBe(0);
  });

  it('round-trips every temperature count exactly', () => {
    const wire = GOLDEN_STATUS.slice();
    for (let raw = -32768; raw <= 32767; raw++) {
      wire[1] = raw & 0xff;
      wire[2] = (raw >> 8) & 0xff;
      const status = decodeStatus(wire);
      // Plain checks: 65536 expect() calls would dominate the run time.
      if (status.temperatureC !== raw / 100) throw new Error(`temperature count ${raw} decoded to ${status.temperatureC}`);
      const back = encodeStatus(status);
      if (back[1] !== wire[1] || back[2] !== wire[2]) throw new Error(`temperature count ${raw} did not round-trip`);
    }
  });
});

describe('status validation', () => {
  it('rejects malformed status bytes', () => {
    const patched = (at: number, value: number): Uint8Array => {
      const wire = GOLDEN_STATUS.slice();
      wire[at] = value;
      return wire;
    };
    expect(protocolErrorCode(() => decodeStatus(GOLDEN_STATUS.subarray(0, 7)))).toBe('too_short');
    expect(protocolErrorCode(() => decodeStatus(new Uint8Array(0)))).toBe('too_short');
    expect(protocolErrorCode(() => decodeStatus(new Uint8Array(9)))).toBe('bad_length');
    expect(protocolErrorCode(() => decodeStatus(patched(0, 101)))).toBe('bad_value');
    expect(protocolErrorCode(() => decodeStatus(patched(0, 254)))).toBe('bad_value');
    expect(decodeStatus(patched(0, 100)).batteryPct).toBe(100);
    expect(protocolErrorCode(() => decodeStatus(patched(5, 0xa0)))).toBe('bad_code'); // gyro code 5
    expect(protocolErrorCode(() => decodeStatus(patched(5, 0xe1)))).toBe('bad_code'); // gyro code 7
    expect(protocolErrorCode(() => decodeStatus('status' as unknown as Uint8Array))).toBe('not_bytes');
  });

  it('refuses fields the wire cannot carry', () => {
    const cases: Partial<SensorStatus>[] = [
      { batteryPct: 101 },
      { batteryPct: -1 },
      { batteryPct: 50.5 },
      { temperatureC: 327.68 },
      { temperatureC: -327.69 },
      { temperatureC: Number.NaN },
      { flags: 0x10000 },
      { flags: -1 },
      { droppedSamples: 65536 },
      { droppedSamples: -1 },
      { rateHz: 25 as never },
      { accelRangeG: 32 as never },
      { gyroRangeDps: 4000 as never },
    ];
    for (const patch of cases) {
      expect(protocolErrorCode(() => encodeStatus({ ...GOLDEN_STATUS_VALUE, ...patch })), JSON.stringify(patch)).toBe('bad_value');
    }
    expect(encodeStatus({ ...GOLDEN_STATUS_VALUE, temperatureC: 327.67 })[2]).toBe(0x7f);
    expect(encodeStatus({ ...GOLDEN_STATUS_VALUE, temperatureC: 36.554 })[1]).toBe(0x47); // rounds to 0.01 °C
  });
});

describe('battery level (0x2A19)', () => {
  it('is one byte, 0..100', () => {
    expect(Array.from(encodeBatteryLevel(0))).toEqual([0]);
    expect(Array.from(encodeBatteryLevel(100))).toEqual([100]);
    expect(decodeBatteryLevel(Uint8Array.of(64))).toBe(64);
    expect(decodeBatteryLevel(Buffer.from([100]))).toBe(100);
    expect(protocolErrorCode(() => decodeBatteryLevel(Uint8Array.of(101)))).toBe('bad_value');
    expect(protocolErrorCode(() => decodeBatteryLevel(Uint8Array.of(255)))).toBe('bad_value');
    expect(protocolErrorCode(() => decodeBatteryLevel(new Uint8Array(0)))).toBe('too_short');
    expect(protocolErrorCode(() => decodeBatteryLevel(Uint8Array.of(1, 2)))).toBe('bad_length');
    expect(protocolErrorCode(() => encodeBatteryLevel(101))).toBe('bad_value');
    expect(protocolErrorCode(() => encodeBatteryLevel(12.5))).toBe('bad_value');
  });
});

const statusArb: fc.Arbitrary<SensorStatus> = fc
  .record({
    batteryPct: fc.option(fc.integer({ min: 0, max: 100 })),
    temperatureCentiC: fc.integer({ min: -32768, max: 32767 }),
    flags: fc.integer({ min: 0, max: 0xffff }),
    streaming: fc.boolean(),
    rateHz: fc.constantFrom(...OUTPUT_RATES_HZ),
    accelRangeG: fc.constantFrom(...ACCEL_RANGES_G),
    gyroRangeDps: fc.constantFrom(...GYRO_RANGES_DPS),
    droppedSamples: fc.integer({ min: 0, max: 0xffff }),
  })
  .map(({ temperatureCentiC, flags, ...rest }) => ({
    ...rest,
    temperatureC: temperatureCentiC / 100,
    flags,
    accelFault: (flags & 1) !== 0,
    gyroFault: (flags & 2) !== 0,
    fifoOverflow: (flags & 4) !== 0,
    lowBattery: (flags & 8) !== 0,
    hapticFault: (flags & 16) !== 0,
  }));

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe('status properties', () => {
  it('round-trips arbitrary valid statuses', () => {
    fc.assert(
      fc.property(statusArb, (status) => {
        expect(decodeStatus(encodeStatus(status))).toEqual(status);
      }),
      { numRuns: 2000 },
    );
  });

  it('arbitrary bytes decode to a status that re-encodes identically, or throw ProtocolError', () => {
    let decoded = 0;
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 12 }), fc.uint8Array({ minLength: 8, maxLength: 8 })),
        (wire) => {
          let status: SensorStatus;
          try {
            status = decodeStatus(wire);
          } catch (error) {
            if (error instanceof ProtocolError) return;
            throw error;
          }
          decoded++;
          expect(sameBytes(encodeStatus(status), wire)).toBe(true);
        },
      ),
      { numRuns: 4000 },
    );
    expect(decoded).toBeGreaterThan(100);
  });

  it('arbitrary bytes decode to a battery level that re-encodes identically, or throw ProtocolError', () => {
    let decoded = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 3 }), (wire) => {
        let level: number;
        try {
          level = decodeBatteryLevel(wire);
        } catch (error) {
          if (error instanceof ProtocolError) return;
          throw error;
        }
        decoded++;
        expect(sameBytes(encodeBatteryLevel(level), wire)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(decoded).toBeGreaterThan(20);
  });
});
