/**
 * IMU data notifications: an 8-byte header and 1..31 samples of six little-endian int16 counts.
 *
 * Byte layout (docs/PROTOCOL.md):
 *   0-1 seq u16 · 2-5 timestamp_us u32 (first sample) ·
 *   6   bits 0-4 count, bits 5-6 accel range code, bit 7 reserved (0) ·
 *   7   bits 0-2 gyro range code, bits 3-4 rate code, bits 5-7 format version (1) ·
 *   8…  count × (ax, ay, az, gx, gy, gz) int16.
 *
 * The gateway decodes up to 20 sensors × 200 Hz, so both directions work byte by byte on the caller's array:
 * no DataView (whose view would have to respect a pooled Buffer's byteOffset), one output allocation per frame.
 */
import { DEG, STANDARD_GRAVITY } from '../imu.ts';
import { accelRangeCode, accelRangeFromCode, gyroRangeCode, gyroRangeFromCode, rateCode, rateFromCode } from './codes.ts';
import { ProtocolError } from './errors.ts';
import {
  IMU_FORMAT_VERSION,
  IMU_FRAME_HEADER_BYTES,
  MAX_SAMPLES_PER_FRAME,
  imuFrameLength,
  isAccelRangeG,
  isGyroRangeDps,
  samplePeriodUs,
} from './profile.ts';
import type { AccelRangeG, GyroRangeDps, OutputRateHz } from './profile.ts';
import { assertBytes, assertIntInRange } from './validate.ts';

export interface ImuFrame {
  /** Frame counter, +1 per frame sent, wraps 65535 → 0. */
  seq: number;
  /** Sensor-clock time of the first sample, µs, wraps at 2^32. */
  timestampUs: number;
  rateHz: OutputRateHz;
  accelRangeG: AccelRangeG;
  gyroRangeDps: GyroRangeDps;
  /** count × 6 raw counts: ax, ay, az, gx, gy, gz per sample. */
  counts: Int16Array;
}

/** Values per sample in `ImuFrame.counts`. */
export const IMU_AXES_PER_SAMPLE = 6;

const COUNT_MASK = 0x1f;
const RESERVED_BIT = 0x80;
const FULL_SCALE_COUNTS = 32768;
const MIN_COUNT = -32768;
const MAX_COUNT = 32767;

export function frameSampleCount(frame: ImuFrame): number {
  return frame.counts.length / IMU_AXES_PER_SAMPLE;
}

/** Sensor-clock time of sample i, µs. Not reduced modulo 2^32: unwrap timestamps before comparing frames. */
export function sampleTimeUs(frame: ImuFrame, i: number): number {
  assertIntInRange(i, 0, frameSampleCount(frame) - 1, 'sample index');
  return frame.timestampUs + i * samplePeriodUs(frame.rateHz);
}

export function encodeImuFrame(frame: ImuFrame): Uint8Array {
  const { counts } = frame;
  if (!(counts instanceof Int16Array)) {
    throw new ProtocolError('bad_value', 'IMU frame counts must be an Int16Array');
  }
  if (counts.length % IMU_AXES_PER_SAMPLE !== 0) {
    throw new ProtocolError('bad_length', `IMU frame counts length ${counts.length} is not a multiple of 6`);
  }
  const count = counts.length / IMU_AXES_PER_SAMPLE;
  assertIntInRange(count, 1, MAX_SAMPLES_PER_FRAME, 'IMU frame sample count');
  assertIntInRange(frame.seq, 0, 0xffff, 'IMU frame seq');
  assertIntInRange(frame.timestampUs, 0, 0xffff_ffff, 'IMU frame timestampUs');
  const accelCode = accelRangeCode(frame.accelRangeG);
  const gyroCode = gyroRangeCode(frame.gyroRangeDps);
  const rateCodeValue = rateCode(frame.rateHz);

  const out = new Uint8Array(imuFrameLength(count));
  const { seq, timestampUs } = frame;
  out[0] = seq;
  out[1] = seq >>> 8;
  // Uint8Array stores keep the low 8 bits, so shifting is enough to split the words.
  out[2] = timestampUs;
  out[3] = timestampUs >>> 8;
  out[4] = timestampUs >>> 16;
  out[5] = timestampUs >>> 24;
  out[6] = count | (accelCode << 5);
  out[7] = gyroCode | (rateCodeValue << 3) | (IMU_FORMAT_VERSION << 5);
  for (let i = 0, p = IMU_FRAME_HEADER_BYTES; i < counts.length; i++, p += 2) {
    const v = counts[i];
    out[p] = v;
    out[p + 1] = v >> 8;
  }
  return out;
}

export function decodeImuFrame(bytes: Uint8Array): ImuFrame {
  assertBytes(bytes, 'IMU frame');
  const length = bytes.length;
  if (length < IMU_FRAME_HEADER_BYTES) {
    throw new ProtocolError('too_short', `IMU frame: ${length} bytes, shorter than the ${IMU_FRAME_HEADER_BYTES}-byte header`);
  }
  const b6 = bytes[6];
  const b7 = bytes[7];
  // The version decides how everything else is laid out, so it is checked first.
  const version = b7 >>> 5;
  if (version !== IMU_FORMAT_VERSION) {
    throw new ProtocolError('bad_version', `IMU frame: format version ${version}, this gateway speaks ${IMU_FORMAT_VERSION}`);
  }
  if ((b6 & RESERVED_BIT) !== 0) {
    throw new ProtocolError('reserved_bit', 'IMU frame: reserved bit 7 of byte 6 is set');
  }
  const count = b6 & COUNT_MASK;
  if (count === 0) throw new ProtocolError('bad_value', 'IMU frame: sample count is 0');
  const expected = imuFrameLength(count);
  if (length !== expected) {
    throw new ProtocolError('bad_length', `IMU frame: ${length} bytes, ${count} samples need ${expected}`);
  }
  const gyroRangeDps = gyroRangeFromCode(b7 & 0x07, 'IMU frame');
  const rateHz = rateFromCode((b7 >>> 3) & 0x03, 'IMU frame');
  const accelRangeG = accelRangeFromCode((b6 >>> 5) & 0x03, 'IMU frame');

  const counts = new Int16Array(count * IMU_AXES_PER_SAMPLE);
  for (let i = 0, p = IMU_FRAME_HEADER_BYTES; i < counts.length; i++, p += 2) {
    // Int16Array stores wrap 0..65535 to −32768..32767, which is exactly two's-complement sign extension.
    counts[i] = bytes[p] | (bytes[p + 1] << 8);
  }
  return {
    seq: bytes[0] | (bytes[1] << 8),
    timestampUs: (bytes[2] | (bytes[3] << 8) | (bytes[4] << 16) | (bytes[5] << 24)) >>> 0,
    rateHz,
    accelRangeG,
    gyroRangeDps,
    counts,
  };
}

/** Round to nearest and clamp to int16, the way the firmware converts its physical readings. */
function toCounts(scaled: number, what: string): number {
  if (Number.isNaN(scaled)) throw new ProtocolError('bad_value', `${what} is NaN`);
  const rounded = Math.round(scaled);
  return rounded < MIN_COUNT ? MIN_COUNT : rounded > MAX_COUNT ? MAX_COUNT : rounded;
}

function checkAccelRange(rangeG: AccelRangeG): void {
  if (!isAccelRangeG(rangeG)) throw new ProtocolError('bad_value', `accel range ±${String(rangeG)} g is not in the profile`);
}

function checkGyroRange(rangeDps: GyroRangeDps): void {
  if (!isGyroRangeDps(rangeDps)) throw new ProtocolError('bad_value', `gyro range ±${String(rangeDps)} °/s is not in the profile`);
}

/** m/s² → counts at ±rangeG full scale (count = g · 32768 / range), rounded and saturated. */
export function accelToCounts(ms2: number, rangeG: AccelRangeG): number {
  checkAccelRange(rangeG);
  return toCounts(((ms2 / STANDARD_GRAVITY) * FULL_SCALE_COUNTS) / rangeG, 'acceleration');
}

/** rad/s → counts at ±rangeDps full scale (count = °/s · 32768 / range), rounded and saturated. */
export function gyroToCounts(rads: number, rangeDps: GyroRangeDps): number {
  checkGyroRange(rangeDps);
  return toCounts(((rads / DEG) * FULL_SCALE_COUNTS) / rangeDps, 'angular rate');
}

/** counts → m/s²: count · range / 32768 g. */
export function countsToAccel(count: number, rangeG: AccelRangeG): number {
  checkAccelRange(rangeG);
  return ((count * rangeG) / FULL_SCALE_COUNTS) * STANDARD_GRAVITY;
}

/** counts → rad/s: count · range / 32768 °/s. */
export function countsToGyro(count: number, rangeDps: GyroRangeDps): number {
  checkGyroRange(rangeDps);
  return ((count * rangeDps) / FULL_SCALE_COUNTS) * DEG;
}
