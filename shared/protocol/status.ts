/**
 * The status characteristic (8 bytes, read + notify on change) and the standard Battery Level characteristic.
 *
 *   0   battery % u8 0..100, 255 = unknown
 *   1-2 temperature i16, 0.01 °C
 *   3-4 flags u16 (bits below; the others are reserved: kept raw, ignored)
 *   5   bit 0 streaming, bits 1-2 rate code, bits 3-4 accel range code, bits 5-7 gyro range code
 *   6-7 dropped_samples u16, since the connection began, saturating
 */
import { accelRangeCode, accelRangeFromCode, gyroRangeCode, gyroRangeFromCode, rateCode, rateFromCode } from './codes.ts';
import { ProtocolError } from './errors.ts';
import type { AccelRangeG, GyroRangeDps, OutputRateHz } from './profile.ts';
import { assertBytes, assertExactLength, assertIntInRange } from './validate.ts';

export interface SensorStatus {
  /** 0..100, or null when the sensor does not know (wire value 255). */
  batteryPct: number | null;
  /** IMU die temperature, °C, in steps of 0.01. */
  temperatureC: number;
  /** Raw flags word, unknown bits included; the booleans below are views of its defined bits. */
  flags: number;
  accelFault: boolean;
  gyroFault: boolean;
  fifoOverflow: boolean;
  lowBattery: boolean;
  hapticFault: boolean;
  streaming: boolean;
  rateHz: OutputRateHz;
  accelRangeG: AccelRangeG;
  gyroRangeDps: GyroRangeDps;
  droppedSamples: number;
}

export const STATUS_BYTES = 8;
export const BATTERY_UNKNOWN = 255;

/** Bits of the status flags word. */
export const STATUS_FLAG_ACCEL_FAULT = 1 << 0;
export const STATUS_FLAG_GYRO_FAULT = 1 << 1;
export const STATUS_FLAG_FIFO_OVERFLOW = 1 << 2;
export const STATUS_FLAG_LOW_BATTERY = 1 << 3;
export const STATUS_FLAG_HAPTIC_FAULT = 1 << 4;

const STREAMING_BIT = 0x01;
/** Temperature travels as a signed count of 0.01 °C. */
const TEMPERATURE_STEPS_PER_C = 100;

/**
 * The flags word the booleans describe, for building a SensorStatus to encode: encodeStatus writes `flags`
 * as given (it is authoritative), so a firmware sets the booleans through this.
 */
export function statusFlags(bits: {
  accelFault?: boolean;
  gyroFault?: boolean;
  fifoOverflow?: boolean;
  lowBattery?: boolean;
  hapticFault?: boolean;
}): number {
  return (
    (bits.accelFault ? STATUS_FLAG_ACCEL_FAULT : 0) |
    (bits.gyroFault ? STATUS_FLAG_GYRO_FAULT : 0) |
    (bits.fifoOverflow ? STATUS_FLAG_FIFO_OVERFLOW : 0) |
    (bits.lowBattery ? STATUS_FLAG_LOW_BATTERY : 0) |
    (bits.hapticFault ? STATUS_FLAG_HAPTIC_FAULT : 0)
  );
}

/** Encodes `flags` as given; the boolean fields are ignored (see statusFlags). */
export function encodeStatus(status: SensorStatus): Uint8Array {
  const { batteryPct, temperatureC, flags, droppedSamples } = status;
  if (batteryPct !== null) assertIntInRange(batteryPct, 0, 100, 'status batteryPct');
  if (!Number.isFinite(temperatureC)) {
    throw new ProtocolError('bad_value', `status temperatureC must be finite, got ${String(temperatureC)}`);
  }
  const temperature = Math.round(temperatureC * TEMPERATURE_STEPS_PER_C);
  if (temperature < -32768 || temperature > 32767) {
    throw new ProtocolError('bad_value', `status temperatureC ${temperatureC} is outside −327.68..327.67 °C`);
  }
  assertIntInRange(flags, 0, 0xffff, 'status flags');
  assertIntInRange(droppedSamples, 0, 0xffff, 'status droppedSamples');
  if (typeof status.streaming !== 'boolean') throw new ProtocolError('bad_value', 'status streaming must be a boolean');
  const config =
    (status.streaming ? STREAMING_BIT : 0) |
    (rateCode(status.rateHz) << 1) |
    (accelRangeCode(status.accelRangeG) << 3) |
    (gyroRangeCode(status.gyroRangeDps) << 5);
  return Uint8Array.of(
    batteryPct ?? BATTERY_UNKNOWN,
    temperature,
    temperature >> 8,
    flags,
    flags >>> 8,
    config,
    droppedSamples,
    droppedSamples >>> 8,
  );
}

export function decodeStatus(bytes: Uint8Array): SensorStatus {
  assertBytes(bytes, 'status');
  assertExactLength(bytes, STATUS_BYTES, 'status');
  const battery = bytes[0];
  if (battery > 100 && battery !== BATTERY_UNKNOWN) {
    throw new ProtocolError('bad_value', `status: battery ${battery} % is neither 0..100 nor 255 (unknown)`);
  }
  // Shift the high byte into bit 31 and back to sign-extend the 16-bit temperature.
  const temperature = ((bytes[1] | (bytes[2] << 8)) << 16) >> 16;
  const flags = bytes[3] | (bytes[4] << 8);
  const config = bytes[5];
  return {
    batteryPct: battery === BATTERY_UNKNOWN ? null : battery,
    temperatureC: temperature / TEMPERATURE_STEPS_PER_C,
    flags,
    accelFault: (flags & STATUS_FLAG_ACCEL_FAULT) !== 0,
    gyroFault: (flags & STATUS_FLAG_GYRO_FAULT) !== 0,
    fifoOverflow: (flags & STATUS_FLAG_FIFO_OVERFLOW) !== 0,
    lowBattery: (flags & STATUS_FLAG_LOW_BATTERY) !== 0,
    hapticFault: (flags & STATUS_FLAG_HAPTIC_FAULT) !== 0,
    streaming: (config & STREAMING_BIT) !== 0,
    rateHz: rateFromCode((config >>> 1) & 0x03, 'status'),
    accelRangeG: accelRangeFromCode((config >>> 3) & 0x03, 'status'),
    gyroRangeDps: gyroRangeFromCode(config >>> 5, 'status'),
    droppedSamples: bytes[6] | (bytes[7] << 8),
  };
}

/** Battery Level (0x2A19): one byte, 0..100 %. */
export function encodeBatteryLevel(pct: number): Uint8Array {
  assertIntInRange(pct, 0, 100, 'battery level');
  return Uint8Array.of(pct);
}

export function decodeBatteryLevel(bytes: Uint8Array): number {
  assertBytes(bytes, 'battery level');
  assertExactLength(bytes, 1, 'battery level');
  if (bytes[0] > 100) throw new ProtocolError('bad_value', `battery level ${bytes[0]} % is above 100`);
  return bytes[0];
}
