/**
 * Nordic Thingy:52 running Nordic's stock firmware, from its Motion Service sources (ble_tms.h, drv_motion.h of
 * the Thingy:52 SDK):
 *
 * - Motion service ef680400-9b35-4933-9b10-52ffa9740042 (base EF68xxxx-9B35-4933-9B10-52FFA9740042).
 * - Raw data ef680406, notify, 18 bytes packed little-endian (`ble_tms_raw_t`): accelerometer int16 x y z in
 *   Q6.10 g, gyroscope int16 x y z in Q11.5 °/s, compass int16 x y z in Q12.4 µT (compass unused). The values
 *   come out of InvenSense's MPL, i.e. calibrated; the accelerometer reads the NEGATIVE of specific force (its
 *   mounting matrix in drv_motion.c is −I, the gyroscope's +I): positive on the axis pointing down.
 * - Motion configuration ef680401, write (`ble_tms_config_t`, 9 bytes packed, the firmware refuses any other
 *   length or an out-of-range field): pedometer interval ms u16 (100–5000), temperature compensation interval
 *   ms u16 (100–5000), compass interval ms u16 (100–5000), motion processing frequency Hz u16 (1–200),
 *   wake-on-motion u8 (0/1).
 * - Battery level: the standard Battery Service (0x2A19).
 *
 * One notification carries one sample and neither a counter nor a timestamp: samples are timed by counting
 * (counted-sample-clock.ts).
 */
import type { ImuSample } from '../../../shared/imu.ts';
import { DEG, STANDARD_GRAVITY } from '../../../shared/imu.ts';
import { BATTERY_LEVEL_CHAR_UUID, nobleUuid } from '../../../shared/protocol/index.ts';
import { CountedSampleClock } from './counted-sample-clock.ts';
import { rejected } from './driver.ts';
import type { Advertisement, DecodeResult, SensorDecoder, SensorDriver } from './driver.ts';

const thingyUuid = (short16: string): string => `ef68${short16}9b3549339b1052ffa9740042`;

export const THINGY_MOTION_SERVICE = thingyUuid('0400');
export const THINGY_MOTION_CONFIG = thingyUuid('0401');
export const THINGY_RAW_DATA = thingyUuid('0406');
/** The Thingy advertises its configuration service. */
const THINGY_CONFIGURATION_SERVICE = thingyUuid('0100');
const BATTERY_LEVEL = nobleUuid(BATTERY_LEVEL_CHAR_UUID);

export const THINGY_RAW_BYTES = 18;
const ACCEL_FRACTION_BITS = 10;
const GYRO_FRACTION_BITS = 5;

/** The motion processing rate requested. The firmware accepts up to 200 Hz, but every sample is its own
 *  18-byte notification, so the rate is bounded by what the connection delivers; 100 Hz halves that load
 *  and still exceeds what the sensing core needs (docs/INTERFACES.md §1: 50–400 Hz). */
export const THINGY_RATE_HZ = 100;

/** `ble_tms_config_t`. The whole struct must be written; the intervals of the features squatmon does not use
 *  are set to unremarkable values inside the firmware's accepted ranges. */
function motionConfig(rateHz: number): Uint8Array {
  const config = new Uint8Array(9);
  const view = new DataView(config.buffer);
  view.setUint16(0, 1000, true); // pedometer interval, ms
  view.setUint16(2, 500, true); // temperature compensation interval, ms
  view.setUint16(4, 500, true); // compass (magnetometer compensation) interval, ms
  view.setUint16(6, rateHz, true); // motion processing unit frequency, Hz
  config[8] = 1; // wake on motion: a Thingy asleep in the gym bag wakes when picked up
  return config;
}

function int16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] | (bytes[offset + 1] << 8)) << 16) >> 16;
}

class Thingy52Decoder implements SensorDecoder {
  private readonly clock = new CountedSampleClock(THINGY_RATE_HZ);
  private lastReceive = -Infinity;

  constructor(private readonly sensorId: string) {}

  push(characteristic: string, bytes: Uint8Array, receiveTime: number, out: ImuSample[]): DecodeResult {
    const uuid = nobleUuid(characteristic);
    if (uuid === BATTERY_LEVEL) {
      if (bytes.length !== 1 || bytes[0] > 100) return rejected('bad_value', `battery level must be one byte 0..100`);
      return { kind: 'status', status: { batteryPct: bytes[0] } };
    }
    if (uuid !== THINGY_RAW_DATA) {
      return rejected('unknown_characteristic', `thingy52: no decoder for characteristic ${characteristic}`);
    }
    if (bytes.length !== THINGY_RAW_BYTES) {
      return rejected('bad_length', `thingy52 raw data: ${bytes.length} bytes, expected ${THINGY_RAW_BYTES}`);
    }
    if (!Number.isFinite(receiveTime) || receiveTime < this.lastReceive) {
      return rejected('bad_time', `receive time ${receiveTime} is not finite or goes backwards`);
    }
    this.lastReceive = receiveTime;
    const [t] = this.clock.stamp(1, receiveTime);
    // The firmware hands the accelerometer to the MPL through a mounting matrix of −I (drv_motion.c: "inverted to
    // get positive readings when axis is aligned with g (down)") and the gyroscope through +I, so the raw data
    // carries −(specific force): −1 g on the axis pointing up. Negated back, the accelerometer reads the
    // contract's +9.81 m/s² up and lies in the gyroscope's (right-handed) frame again.
    const accel = -STANDARD_GRAVITY / (1 << ACCEL_FRACTION_BITS);
    const gyro = DEG / (1 << GYRO_FRACTION_BITS);
    out.push({
      sensor: this.sensorId,
      t,
      ax: int16(bytes, 0) * accel,
      ay: int16(bytes, 2) * accel,
      az: int16(bytes, 4) * accel,
      gx: int16(bytes, 6) * gyro,
      gy: int16(bytes, 8) * gyro,
      gz: int16(bytes, 10) * gyro,
    });
    return { kind: 'samples', count: 1, framesLost: 0 };
  }
}

export const thingy52Driver: SensorDriver<'thingy52'> = {
  name: 'thingy52',
  label: 'Nordic Thingy:52',
  matches(adv: Advertisement): boolean {
    const uuids = adv.serviceUuids.map(nobleUuid);
    return uuids.includes(THINGY_CONFIGURATION_SERVICE) || uuids.includes(THINGY_MOTION_SERVICE) || adv.localName === 'Thingy';
  },
  gatt: {
    service: THINGY_MOTION_SERVICE,
    notify: [THINGY_RAW_DATA],
    read: [BATTERY_LEVEL],
    startWrites: [
      { service: THINGY_MOTION_SERVICE, characteristic: THINGY_MOTION_CONFIG, data: motionConfig(THINGY_RATE_HZ), withoutResponse: false },
    ],
  },
  createDecoder: (sensorId) => new Thingy52Decoder(sensorId),
};
