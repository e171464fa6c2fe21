/**
 * The squatmon IMU GATT profile v1: UUIDs, code tables and frame geometry (docs/PROTOCOL.md).
 * The position of a value in OUTPUT_RATES_HZ / ACCEL_RANGES_G / GYRO_RANGES_DPS is its code on the wire.
 */
import { ProtocolError } from './errors.ts';

/** 128-bit UUIDs share one base; only bytes 2–3 (the `XXXX` in e3a1XXXX-…) differ. */
function squatmonUuid(short16: string): string {
  return `e3a1${short16}-6c2b-4f7e-9a51-9d0c5a0b5157`;
}

export const SQUATMON_SERVICE_UUID = squatmonUuid('0001');
export const IMU_DATA_CHAR_UUID = squatmonUuid('0002');
export const CONTROL_CHAR_UUID = squatmonUuid('0003');
export const STATUS_CHAR_UUID = squatmonUuid('0004');

export const BATTERY_SERVICE_UUID = '180f';
export const BATTERY_LEVEL_CHAR_UUID = '2a19';
export const DEVICE_INFO_SERVICE_UUID = '180a';
export const MANUFACTURER_NAME_CHAR_UUID = '2a29';
export const MODEL_NUMBER_CHAR_UUID = '2a24';
export const SERIAL_NUMBER_CHAR_UUID = '2a25';
export const FIRMWARE_REVISION_CHAR_UUID = '2a26';
export const HARDWARE_REVISION_CHAR_UUID = '2a27';

/** noble reports UUIDs lowercase without dashes; compare in that form. */
export function nobleUuid(uuid: string): string {
  return uuid.replace(/-/g, '').toLowerCase();
}

/** Advertised local name: this prefix plus the last four hex digits of the serial number, e.g. `squatmon-A3F1`. */
export const LOCAL_NAME_PREFIX = 'squatmon-';

export function advertisedLocalName(serialNumber: string): string {
  const tail = serialNumber.slice(-4);
  if (!/^[0-9a-fA-F]{4}$/.test(tail)) {
    throw new ProtocolError('bad_value', `serial number must end in 4 hex digits, got ${JSON.stringify(serialNumber)}`);
  }
  return LOCAL_NAME_PREFIX + tail.toUpperCase();
}

export const OUTPUT_RATES_HZ = [50, 100, 200, 400] as const;
export type OutputRateHz = (typeof OUTPUT_RATES_HZ)[number];
export const ACCEL_RANGES_G = [2, 4, 8, 16] as const;
export type AccelRangeG = (typeof ACCEL_RANGES_G)[number];
export const GYRO_RANGES_DPS = [125, 250, 500, 1000, 2000] as const;
export type GyroRangeDps = (typeof GYRO_RANGES_DPS)[number];

export function isOutputRateHz(value: unknown): value is OutputRateHz {
  return (OUTPUT_RATES_HZ as readonly unknown[]).includes(value);
}
export function isAccelRangeG(value: unknown): value is AccelRangeG {
  return (ACCEL_RANGES_G as readonly unknown[]).includes(value);
}
export function isGyroRangeDps(value: unknown): value is GyroRangeDps {
  return (GYRO_RANGES_DPS as readonly unknown[]).includes(value);
}

/** Microseconds between samples; exact integers for every v1 rate (20000, 10000, 5000, 2500). */
export function samplePeriodUs(rateHz: OutputRateHz): number {
  return 1e6 / rateHz;
}

/** Value of the format-version field (byte 7, bits 5–7) of every v1 IMU frame. */
export const IMU_FORMAT_VERSION = 1;
export const IMU_FRAME_HEADER_BYTES = 8;
export const IMU_SAMPLE_BYTES = 12;
/** ATT_MTU every BLE link starts with until an MTU exchange raises it. */
export const DEFAULT_ATT_MTU = 23;
/** The 5-bit count field caps a frame at 31 samples (8 + 31·12 = 380 bytes). */
export const MAX_SAMPLES_PER_FRAME = 31;
/** A notification carries ATT_MTU − 3 bytes of value (1 byte opcode + 2 bytes handle). */
export const ATT_NOTIFICATION_OVERHEAD_BYTES = 3;

/**
 * Samples the firmware packs into one notification for a negotiated ATT_MTU: floor((MTU − 3 − 8) / 12),
 * clamped to 1..31. Below the BLE minimum MTU of 23 the result is still 1 so a caller never divides by zero.
 */
export function samplesPerFrame(attMtu: number): number {
  if (Number.isNaN(attMtu)) throw new ProtocolError('bad_value', 'ATT MTU must be a number, got NaN');
  const fit = Math.floor((attMtu - ATT_NOTIFICATION_OVERHEAD_BYTES - IMU_FRAME_HEADER_BYTES) / IMU_SAMPLE_BYTES);
  return Math.min(MAX_SAMPLES_PER_FRAME, Math.max(1, fit));
}

/** Byte length of an IMU frame with `count` samples. */
export function imuFrameLength(count: number): number {
  return IMU_FRAME_HEADER_BYTES + IMU_SAMPLE_BYTES * count;
}
