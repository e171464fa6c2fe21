/**
 * WitMotion BLE 5.0 IMUs (WT901BLECL 5.0, BWT901BLE5.0 and the same-protocol family), from WitMotion's
 * "Bluetooth 5.0 communication protocol" (WT901BLECL datasheet §6.1) and their BLE 5.0 SDK
 * (github.com/WITMOTION/WitBluetooth_BWT901BLE5_0, BleUUID.java / Bwt901bleResolver.java):
 *
 * - Service 0000ffe5-0000-1000-8000-00805f9a34fb, notify 0000ffe4-…, write 0000ffe9-…. Note `9a34fb`: these
 *   are full 128-bit vendor UUIDs that only look like the Bluetooth base UUID (…9b34fb), so they must be
 *   compared in full.
 * - Data packet, 20 bytes, sent by default: 0x55 0x61, then nine int16 little-endian: acceleration x y z
 *   (count / 32768 × 16 g), angular velocity x y z (count / 32768 × 2000 °/s), angle roll pitch yaw
 *   (count / 32768 × 180 °; not used: the gateway fuses its own orientation).
 * - Register read-back, 20 bytes: 0x55 0x71, start register u16, eight registers (answers to FF AA 27 xx 00).
 *   Valid, but nothing the gateway uses.
 * - Commands: FF AA <register> <value low> <value high>; unlock FF AA 69 88 B5 first (valid 10 s), save with
 *   FF AA 00 00 00. Register 0x03 (RRATE) is the output rate: 0x08 = 50 Hz (WIT standard protocol table).
 *
 * There is no sequence number and no timestamp, so samples are timed by counting (counted-sample-clock.ts)
 * and lost notifications cannot be counted. The accelerometer reads specific force (+1 g on the axis pointing
 * up), the gyro is right-handed, both on the axes printed on the case.
 */
import type { ImuSample } from '../../../shared/imu.ts';
import { DEG, STANDARD_GRAVITY } from '../../../shared/imu.ts';
import { nobleUuid } from '../../../shared/protocol/index.ts';
import { CountedSampleClock } from './counted-sample-clock.ts';
import { rejected } from './driver.ts';
import type { Advertisement, DecodeResult, GattWrite, SensorDecoder, SensorDriver } from './driver.ts';

export const WITMOTION_SERVICE = '0000ffe500001000800000805f9a34fb';
export const WITMOTION_NOTIFY = '0000ffe400001000800000805f9a34fb';
export const WITMOTION_WRITE = '0000ffe900001000800000805f9a34fb';

export const WITMOTION_PACKET_BYTES = 20;
const HEADER = 0x55;
const FLAG_DATA = 0x61;
const FLAG_REGISTERS = 0x71;
const ACCEL_RANGE_G = 16;
const GYRO_RANGE_DPS = 2000;
const FULL_SCALE = 32768;

/** RRATE code 0x08. WitMotion's BLE 5.0 sensors are specified to 50 Hz at least; higher codes (0x09 = 100 Hz)
 *  are not available on every model of the family. */
export const WITMOTION_RATE_HZ = 50;
const RRATE_REGISTER = 0x03;
const RRATE_50_HZ = 0x08;

function command(bytes: number[]): GattWrite {
  return { service: WITMOTION_SERVICE, characteristic: WITMOTION_WRITE, data: Uint8Array.from(bytes), withoutResponse: true };
}

const START_WRITES: readonly GattWrite[] = [
  command([0xff, 0xaa, 0x69, 0x88, 0xb5]), // unlock
  command([0xff, 0xaa, RRATE_REGISTER, RRATE_50_HZ, 0x00]),
  command([0xff, 0xaa, 0x00, 0x00, 0x00]), // save
];

function int16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] | (bytes[offset + 1] << 8)) << 16) >> 16;
}

class WitMotionDecoder implements SensorDecoder {
  private readonly clock = new CountedSampleClock(WITMOTION_RATE_HZ);
  private lastReceive = -Infinity;

  constructor(private readonly sensorId: string) {}

  push(characteristic: string, bytes: Uint8Array, receiveTime: number, out: ImuSample[]): DecodeResult {
    if (nobleUuid(characteristic) !== WITMOTION_NOTIFY) {
      return rejected('unknown_characteristic', `witmotion: no decoder for characteristic ${characteristic}`);
    }
    if (!Number.isFinite(receiveTime) || receiveTime < this.lastReceive) {
      return rejected('bad_time', `receive time ${receiveTime} is not finite or goes backwards`);
    }
    // At the default MTU one notification is one packet; a larger MTU may carry several back to back.
    if (bytes.length === 0 || bytes.length % WITMOTION_PACKET_BYTES !== 0) {
      return rejected('bad_length', `witmotion: ${bytes.length} bytes is not a whole number of 20-byte packets`);
    }
    const dataPackets: number[] = [];
    for (let p = 0; p < bytes.length; p += WITMOTION_PACKET_BYTES) {
      if (bytes[p] !== HEADER) {
        return rejected('bad_header', `witmotion: packet at byte ${p} starts 0x${bytes[p].toString(16)}, not 0x55`);
      }
      const flag = bytes[p + 1];
      if (flag === FLAG_DATA) dataPackets.push(p);
      else if (flag !== FLAG_REGISTERS) {
        return rejected('bad_header', `witmotion: packet at byte ${p} has flag 0x${flag.toString(16)}, not 0x61 or 0x71`);
      }
    }
    if (dataPackets.length === 0) return { kind: 'ignored', reason: 'register read-back (0x55 0x71)' };

    this.lastReceive = receiveTime;
    const times = this.clock.stamp(dataPackets.length, receiveTime);
    const accel = (ACCEL_RANGE_G / FULL_SCALE) * STANDARD_GRAVITY;
    const gyro = (GYRO_RANGE_DPS / FULL_SCALE) * DEG;
    dataPackets.forEach((p, i) => {
      out.push({
        sensor: this.sensorId,
        t: times[i],
        ax: int16(bytes, p + 2) * accel,
        ay: int16(bytes, p + 4) * accel,
        az: int16(bytes, p + 6) * accel,
        gx: int16(bytes, p + 8) * gyro,
        gy: int16(bytes, p + 10) * gyro,
        gz: int16(bytes, p + 12) * gyro,
      });
    });
    return { kind: 'samples', count: dataPackets.length, framesLost: 0 };
  }
}

export const witmotionDriver: SensorDriver = {
  name: 'witmotion',
  label: 'WitMotion WT901BLE (BLE 5.0)',
  matches(adv: Advertisement): boolean {
    // WitMotion names its sensors WT<model><suffix> (e.g. WT901BLE68); the vendor service is not always advertised.
    return (
      adv.serviceUuids.some((u) => nobleUuid(u) === WITMOTION_SERVICE) ||
      /^WT\d/.test(adv.localName ?? '')
    );
  },
  gatt: {
    service: WITMOTION_SERVICE,
    notify: [WITMOTION_NOTIFY],
    read: [],
    startWrites: START_WRITES,
  },
  createDecoder: (sensorId) => new WitMotionDecoder(sensorId),
};
