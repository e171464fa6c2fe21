/**
 * Byte-exact frames for every driver, built by hand from the vendors' published layouts (sources in each test),
 * plus malformed frames and fuzzing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEG, STANDARD_GRAVITY as G } from '../../shared/imu.ts';
import type { ImuSample } from '../../shared/imu.ts';
import { driverByName, DRIVERS } from '../../gateway/ble/drivers/index.ts';
import type { DecodeResult, SensorDecoder } from '../../gateway/ble/drivers/index.ts';
import { DOT_BATTERY, DOT_MEDIUM_PAYLOAD } from '../../gateway/ble/drivers/movella-dot.ts';
import { THINGY_RAW_DATA } from '../../gateway/ble/drivers/thingy52.ts';
import { WITMOTION_NOTIFY, witmotionBatteryPct } from '../../gateway/ble/drivers/witmotion.ts';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/), (b) => parseInt(b, 16));

function push(decoder: SensorDecoder, characteristic: string, bytes: Uint8Array, t = 1): { result: DecodeResult; out: ImuSample[] } {
  const out: ImuSample[] = [];
  return { result: decoder.push(characteristic, bytes, t, out), out };
}

function expectRejected(result: DecodeResult, code: string, out: ImuSample[]): void {
  expect(result.kind).toBe('rejected');
  if (result.kind === 'rejected') expect(result.error.code).toBe(code);
  expect(out).toHaveLength(0);
}

describe('squatmon driver', () => {
  const driver = driverByName('squatmon');
  const [control, status, imu] = driver.gatt.notify;

  it('decodes the PROTOCOL.md §3 example frame (az = 8192 counts at ±4 g = 1 g)', () => {
    const { result, out } = push(driver.createDecoder('S1'), imu, hex('02 01 0D 0C 0B 0A 21 33 01 00 FF FF 00 20 00 80 FF 7F 34 12'));
    expect(result).toEqual({ kind: 'samples', count: 1, framesLost: 0 });
    expect(out[0].sensor).toBe('S1');
    expect(out[0].az).toBeCloseTo(G, 9);
    expect(out[0].gx).toBeCloseTo(-1000 * DEG, 9);
  });

  it('reports status (PROTOCOL.md §7 example) and control acks (§6 example)', () => {
    const decoder = driver.createDecoder('S1');
    const s = push(decoder, status, hex('57 47 0E 0C 00 75 2C 01')).result;
    expect(s.kind).toBe('status');
    if (s.kind === 'status') {
      expect(s.status.batteryPct).toBe(87);
      expect(s.status.rateHz).toBe(200);
      expect(s.status.warnings).toContain('low_battery');
      expect(s.status.warnings?.some((w) => w.startsWith('fifo_overflow'))).toBe(true);
    }
    expect(push(decoder, control, hex('81 07 00')).result).toEqual({ kind: 'ack', command: 'start_stream', token: 7, ok: true, detail: 'ok' });
    expect(push(decoder, control, hex('83 09 03')).result).toMatchObject({ kind: 'ack', command: 'set_rate', ok: false, detail: 'busy' });
  });

  it('rejects a frame of the wrong version and a status of the wrong length, without samples', () => {
    const decoder = driver.createDecoder('S1');
    const badVersion = hex('02 01 0D 0C 0B 0A 21 53 01 00 FF FF 00 20 00 80 FF 7F 34 12'); // byte 7 bits 5–7 = 2
    const a = push(decoder, imu, badVersion);
    expectRejected(a.result, 'bad_version', a.out);
    const b = push(decoder, status, hex('57 47 0E 0C 00 75 2C'));
    expectRejected(b.result, 'too_short', b.out);
  });
});

describe('WitMotion driver', () => {
  const driver = driverByName('witmotion');
  // WT901BLECL datasheet §6.1.1: 0x55 0x61, then ax ay az wx wy wz roll pitch yaw as int16 LE;
  // a = count/32768 × 16 g, w = count/32768 × 2000 °/s, angle = count/32768 × 180 °.
  // Sensor lying flat, tilted so that x reads −0.5 g (0xFC00 = −1024), z reads +1 g (0x0800 = 2048),
  // turning at +250 °/s about z (0x1000 = 4096), yaw 90° (0x4000).
  const flat = hex('55 61 00 FC 00 00 00 08 00 00 00 00 00 10 00 00 00 00 00 40');

  it('decodes a flat sensor to +9.81 m/s² on z and the gyro rate in rad/s', () => {
    const { result, out } = push(driver.createDecoder('W'), WITMOTION_NOTIFY, flat);
    expect(result).toEqual({ kind: 'samples', count: 1, framesLost: 0 });
    expect(out[0].ax).toBeCloseTo(-0.5 * G, 9);
    expect(out[0].ay).toBe(0);
    expect(out[0].az).toBeCloseTo(G, 9);
    expect(out[0].gz).toBeCloseTo(250 * DEG, 9);
    expect(out[0].gx).toBe(0);
  });

  it('decodes two packets sent in one notification (large MTU) as two samples in order', () => {
    const second = flat.slice();
    second[7] = 0x10; // az = 0x1000 = 2 g
    const both = new Uint8Array(40);
    both.set(flat, 0);
    both.set(second, 20);
    const { result, out } = push(driver.createDecoder('W'), WITMOTION_NOTIFY, both);
    expect(result).toMatchObject({ kind: 'samples', count: 2 });
    expect(out[1].az).toBeCloseTo(2 * G, 9);
    expect(out[1].t).toBeGreaterThan(out[0].t);
  });

  it('ignores register read-backs other than the battery, and rejects notifications that start no packet', () => {
    const decoder = driver.createDecoder('W');
    // Datasheet §6.1.2 example: magnetic field read-back.
    expect(push(decoder, WITMOTION_NOTIFY, hex('55 71 3A 00 68 01 69 00 7A 00 00 00 00 00 00 00 00 00 00 00')).result.kind).toBe('ignored');
    const badHeader = flat.slice();
    badHeader[0] = 0x54;
    const a = push(decoder, WITMOTION_NOTIFY, badHeader);
    expectRejected(a.result, 'bad_header', a.out);
    const badFlag = flat.slice();
    badFlag[1] = 0x51;
    const b = push(decoder, WITMOTION_NOTIFY, badFlag);
    expectRejected(b.result, 'bad_header', b.out);
    expectRejected(push(decoder, WITMOTION_NOTIFY, new Uint8Array(0)).result, 'bad_length', []);
  });

  it('reassembles packets cut across notifications, as the vendor SDK does, and drops and counts stray bytes', () => {
    const decoder = driver.createDecoder('W') as SensorDecoder & { discardedBytes: number };
    // 13 bytes, then the rest of that packet with the first 7 bytes of the next one, then its last 13.
    const second = flat.slice();
    second[7] = 0x10; // az = 2 g
    const first = push(decoder, WITMOTION_NOTIFY, flat.slice(0, 13));
    expect(first.result.kind).toBe('ignored');
    expect(first.out).toEqual([]);
    const join = new Uint8Array(14);
    join.set(flat.slice(13), 0);
    join.set(second.slice(0, 7), 7);
    const middle = push(decoder, WITMOTION_NOTIFY, join, 100.02);
    expect(middle.result).toMatchObject({ kind: 'samples', count: 1 });
    expect(middle.out[0].az).toBeCloseTo(G, 9);
    const last = push(decoder, WITMOTION_NOTIFY, second.slice(7), 100.04);
    expect(last.result).toMatchObject({ kind: 'samples', count: 1 });
    expect(last.out[0].az).toBeCloseTo(2 * G, 9);
    // Three stray bytes before a packet: dropped, counted, and the packet after them still decoded.
    const stray = new Uint8Array(23);
    stray.set([0x01, 0x02, 0x03], 0);
    stray.set(flat, 3);
    const resynced = push(decoder, WITMOTION_NOTIFY, stray, 100.06);
    expect(resynced.result).toMatchObject({ kind: 'samples', count: 1 });
    expect(decoder.discardedBytes).toBe(3);
  });

  it('reports the battery from the voltage read-back of register 0x64 (V × 100)', () => {
    const decoder = driver.createDecoder('W');
    // 0x55 0x71, register 0x0064, VOLTAGE = 385 (3.85 V), then seven more registers.
    const readBack = hex('55 71 64 00 81 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00');
    const { result } = push(decoder, WITMOTION_NOTIFY, readBack);
    expect(result.kind).toBe('status');
    const pct = (result as { status: { batteryPct: number } }).status.batteryPct;
    expect(pct).toBeGreaterThan(50); // 3.82 V is 50 %, 3.87 V 60 % on the vendor's curve
    expect(pct).toBeLessThan(60);
    expect(witmotionBatteryPct(3.3)).toBe(0);
    expect(witmotionBatteryPct(4.1)).toBe(100);
  });
});

describe('Thingy:52 driver', () => {
  const driver = driverByName('thingy52');
  // ble_tms.h ble_tms_raw_t: accel int16 ×3 Q6.10 g, gyro int16 ×3 Q11.5 °/s, compass int16 ×3 Q12.4 µT, LE.
  // The stock firmware's accelerometer mounting matrix is −I (drv_motion.c: "Accellerometer inverted to get
  // positive readings when axis is aligned with g (down)"), the gyroscope's +I.
  // Lying still face up (its z axis up): raw az = −1 g (0xFC00 = −1024); ax = +0.25 g raw (0x0100 = 256);
  // turning counter-clockwise seen from above (right-handed about +z): gz = +90 °/s (0x0B40 = 2880); compass
  // z = 50 µT (0x0320).
  const raw = hex('00 01 00 00 00 FC 00 00 00 00 40 0B 00 00 00 00 20 03');

  it('decodes a Thingy lying still face up as +9.81 m/s² on its up axis, with a right-handed rotation sign', () => {
    const { result, out } = push(driver.createDecoder('T'), THINGY_RAW_DATA, raw);
    expect(result).toEqual({ kind: 'samples', count: 1, framesLost: 0 });
    expect(out[0].az).toBeCloseTo(G, 9);
    expect(out[0].ax).toBeCloseTo(-0.25 * G, 9);
    expect(out[0].ay).toBeCloseTo(0, 12);
    expect(out[0].gz).toBeCloseTo(90 * DEG, 9);
    expect(out[0].gx).toBe(0);
  });

  it('rejects other lengths and reads the battery level', () => {
    const decoder = driver.createDecoder('T');
    const a = push(decoder, THINGY_RAW_DATA, raw.slice(0, 12)); // accel + gyro only
    expectRejected(a.result, 'bad_length', a.out);
    expect(push(decoder, '2a19', Uint8Array.of(64)).result).toEqual({ kind: 'status', status: { batteryPct: 64 } });
    expect(push(decoder, '2a19', Uint8Array.of(101)).result.kind).toBe('rejected');
  });
});

describe('Movella DOT driver', () => {
  const driver = driverByName('movella-dot');
  // DOT BLE spec XD0506P rev C, Table 15/17: "Rate quantities" = timestamp u32 µs, acceleration float32 ×3
  // (m/s², calibrated, gravity included), angular velocity float32 ×3 (°/s), little-endian.
  // t = 10 000 000 µs; a = (0.5, −1, 9.75) = 3F000000 BF800000 411C0000; w = (90, 0, −45) = 42B40000 0 C2340000.
  const payload = (timestampLe: string): Uint8Array =>
    hex(`${timestampLe} 00 00 00 3F 00 00 80 BF 00 00 1C 41 00 00 B4 42 00 00 00 00 00 00 34 C2`);

  it('decodes a rate-quantities payload (exact 28 bytes and zero-padded to 40)', () => {
    const decoder = driver.createDecoder('D');
    const { result, out } = push(decoder, DOT_MEDIUM_PAYLOAD, payload('80 96 98 00'));
    expect(result).toEqual({ kind: 'samples', count: 1, framesLost: 0 });
    expect([out[0].ax, out[0].ay, out[0].az]).toEqual([0.5, -1, 9.75]);
    expect(out[0].gx).toBeCloseTo(90 * DEG, 12);
    expect(out[0].gz).toBeCloseTo(-45 * DEG, 12);
    const padded = new Uint8Array(40);
    padded.set(payload('0E EF 98 00'), 0); // 22 670 µs later
    expect(push(decoder, DOT_MEDIUM_PAYLOAD, padded, 1.03).result.kind).toBe('samples');
  });

  it('drops a repeated timestamp and counts a gap in sample periods', () => {
    const decoder = driver.createDecoder('D');
    // 10 000 000, 10 016 667 (+1 period at 60 Hz), again 10 016 667, then 10 066 603 (+3 periods: 2 lost).
    push(decoder, DOT_MEDIUM_PAYLOAD, payload('80 96 98 00'), 1.0);
    expect(push(decoder, DOT_MEDIUM_PAYLOAD, payload('9B D7 98 00'), 1.02).result).toEqual({ kind: 'samples', count: 1, framesLost: 0 });
    expect(push(decoder, DOT_MEDIUM_PAYLOAD, payload('9B D7 98 00'), 1.03).result).toEqual({ kind: 'duplicate' });
    expect(push(decoder, DOT_MEDIUM_PAYLOAD, payload('AB 9A 99 00'), 1.07).result).toEqual({ kind: 'samples', count: 1, framesLost: 2 });
  });

  it('rejects another mode’s payload, a truncated one and non-finite values', () => {
    const decoder = driver.createDecoder('D');
    const withMag = new Uint8Array(34); // mode 20 adds 6 bytes of magnetic field
    withMag.set(payload('80 96 98 00'), 0);
    withMag.set([0x10, 0x00, 0x20, 0x00, 0x30, 0x00], 28);
    const a = push(decoder, DOT_MEDIUM_PAYLOAD, withMag);
    expectRejected(a.result, 'bad_padding', a.out);
    const b = push(decoder, DOT_MEDIUM_PAYLOAD, payload('80 96 98 00').slice(0, 27));
    expectRejected(b.result, 'bad_length', b.out);
    const nan = payload('80 96 98 00');
    nan.set([0x00, 0x00, 0xc0, 0x7f], 4); // ax = NaN
    const c = push(decoder, DOT_MEDIUM_PAYLOAD, nan);
    expectRejected(c.result, 'bad_value', c.out);
    expect(push(decoder, DOT_BATTERY, Uint8Array.of(55, 1)).result).toEqual({ kind: 'status', status: { batteryPct: 55 } });
  });
});

describe('every decoder, fuzzed', () => {
  // Valid-looking prefixes steer part of the cases past the header checks into the sample paths.
  const prefixes: Record<string, number[]> = {
    squatmon: [],
    witmotion: [0x55, 0x61],
    thingy52: [],
    'movella-dot': [],
  };
  const lengths: Record<string, number[]> = { squatmon: [20, 32, 3, 8], witmotion: [20, 40], thingy52: [18, 1], 'movella-dot': [28, 40, 2] };

  for (const driver of DRIVERS) {
    it(`${driver.name}: arbitrary notifications never throw and never yield a non-finite or misplaced sample`, () => {
      const characteristics = [...driver.gatt.notify, ...driver.gatt.read, '2a19', 'ffff'];
      const bytesArb = fc.oneof(
        fc.uint8Array({ maxLength: 48 }),
        fc.constantFrom(...lengths[driver.name]).chain((n) =>
          fc.uint8Array({ minLength: n, maxLength: n }).map((b) => {
            b.set(prefixes[driver.name].slice(0, n));
            return b;
          }),
        ),
      );
      const notification = fc.record({ c: fc.nat(characteristics.length - 1), bytes: bytesArb, dt: fc.double({ min: 0, max: 0.1, noNaN: true }) });
      fc.assert(
        fc.property(fc.array(notification, { minLength: 1, maxLength: 4 }), (notifications) => {
          const decoder = driver.createDecoder('F');
          const out: ImuSample[] = [];
          let t = 100;
          for (const n of notifications) {
            t += n.dt;
            const before = out.length;
            const result = decoder.push(characteristics[n.c], n.bytes, t, out);
            const appended = out.length - before;
            if (result.kind === 'samples') {
              if (appended !== result.count || result.count < 1) return false;
            } else if (appended !== 0) {
              return false;
            }
          }
          for (let i = 0; i < out.length; i++) {
            const s = out[i];
            if (![s.t, s.ax, s.ay, s.az, s.gx, s.gy, s.gz].every(Number.isFinite)) return false;
            if (i > 0 && !(s.t > out[i - 1].t)) return false;
          }
          return true;
        }),
        { numRuns: 10_000 },
      );
    });
  }
});
