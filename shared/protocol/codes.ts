/**
 * Value ↔ wire-code conversions shared by the IMU frame, control and status codecs (internal: not re-exported).
 * A code is the value's index in its profile table.
 */
import { ProtocolError } from './errors.ts';
import { ACCEL_RANGES_G, GYRO_RANGES_DPS, OUTPUT_RATES_HZ } from './profile.ts';
import type { AccelRangeG, GyroRangeDps, OutputRateHz } from './profile.ts';

export function rateCode(rateHz: OutputRateHz): number {
  const code = OUTPUT_RATES_HZ.indexOf(rateHz);
  if (code < 0) throw new ProtocolError('bad_value', `rate must be one of ${OUTPUT_RATES_HZ.join('/')} Hz, got ${String(rateHz)}`);
  return code;
}

export function accelRangeCode(rangeG: AccelRangeG): number {
  const code = ACCEL_RANGES_G.indexOf(rangeG);
  if (code < 0) throw new ProtocolError('bad_value', `accel range must be one of ±${ACCEL_RANGES_G.join('/')} g, got ${String(rangeG)}`);
  return code;
}

export function gyroRangeCode(rangeDps: GyroRangeDps): number {
  const code = GYRO_RANGES_DPS.indexOf(rangeDps);
  if (code < 0) throw new ProtocolError('bad_value', `gyro range must be one of ±${GYRO_RANGES_DPS.join('/')} °/s, got ${String(rangeDps)}`);
  return code;
}

export function rateFromCode(code: number, where: string): OutputRateHz {
  const rate = OUTPUT_RATES_HZ[code];
  if (rate === undefined) throw new ProtocolError('bad_code', `${where}: rate code ${code} is not 0..${OUTPUT_RATES_HZ.length - 1}`);
  return rate;
}

export function accelRangeFromCode(code: number, where: string): AccelRangeG {
  const range = ACCEL_RANGES_G[code];
  if (range === undefined) throw new ProtocolError('bad_code', `${where}: accel range code ${code} is not 0..${ACCEL_RANGES_G.length - 1}`);
  return range;
}

export function gyroRangeFromCode(code: number, where: string): GyroRangeDps {
  const range = GYRO_RANGES_DPS[code];
  if (range === undefined) throw new ProtocolError('bad_code', `${where}: gyro range code ${code} is not 0..${GYRO_RANGES_DPS.length - 1}`);
  return range;
}
