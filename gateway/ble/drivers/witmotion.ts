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
 *   The gateway reads register 0x64, the battery voltage in V × 100 (the SDK's Bwt901bleProcessor), at connect.
 * - Commands: FF AA <register> <value low> <value high>; unlock FF AA 69 88 B5 first (valid 10 s), save with
 *   FF AA 00 00 00. Register 0x03 (RRATE) is the output rate: 0x08 = 50 Hz (WIT standard protocol table). The
 *   SDK leaves 100–150 ms between commands; so does the gateway.
 * - Notifications are pieces of a byte stream: the SDK reassembles packets across them, and so does the decoder.
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

/** Read-back of register 0x64 (VOLTAGE, V × 100): `FF AA 27 64 00`. The vendor's SDK reads it now and then. */
const VOLTAGE_REGISTER = 0x64;
/**
 * WitMotion's own SDK waits 100–150 ms after every command before the next (the sensor handles one command at a
 * time; written back to back, the rate and save commands can be lost). 150 ms, as its read-backs use.
 */
export const WITMOTION_COMMAND_SPACING_MS = 150;

const START_WRITES: readonly GattWrite[] = [
  command([0xff, 0xaa, 0x69, 0x88, 0xb5]), // unlock
  command([0xff, 0xaa, RRATE_REGISTER, RRATE_50_HZ, 0x00]),
  command([0xff, 0xaa, 0x00, 0x00, 0x00]), // save
  command([0xff, 0xaa, 0x27, VOLTAGE_REGISTER, 0x00]), // read the battery voltage
].map((write) => ({ ...write, delayAfterMs: WITMOTION_COMMAND_SPACING_MS }));

function int16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] | (bytes[offset + 1] << 8)) << 16) >> 16;
}

/**
 * A single Li-ion cell's charge from its voltage, %: the points of WitMotion's SDK (3.4 V empty … 3.99 V full),
 * linear in between.
 */
const CELL_VOLTS = [3.4, 3.5, 3.68, 3.7, 3.73, 3.77, 3.79, 3.82, 3.87, 3.93, 3.96, 3.99];
const CELL_PERCENT = [0, 5, 10, 15, 20, 30, 40, 50, 60, 75, 90, 100];

export function witmotionBatteryPct(volts: number): number {
  if (!(volts > CELL_VOLTS[0])) return 0;
  for (let i = 1; i < CELL_VOLTS.length; i++) {
    if (volts <= CELL_VOLTS[i]) {
      const share = (volts - CELL_VOLTS[i - 1]) / (CELL_VOLTS[i] - CELL_VOLTS[i - 1]);
      return Math.round(CELL_PERCENT[i - 1] + share * (CELL_PERCENT[i] - CELL_PERCENT[i - 1]));
    }
  }
  return 100;
}

/**
 * WitMotion packets are a byte stream cut into notifications: the vendor's SDK appends each notification to a
 * buffer and takes whole 20-byte packets from it, resynchronising on the 0x55 header. So does this decoder — a
 * packet split across two notifications (an MTU or a stack that cuts differently) is put back together, and
 * bytes that start no packet are dropped and counted (`discardedBytes`).
 */
class WitMotionDecoder implements SensorDecoder {
  private readonly clock = new CountedSampleClock(WITMOTION_RATE_HZ);
  private lastReceive = -Infinity;
  /** The start of a packet whose rest has not arrived yet (fewer than 20 bytes). */
  private pending = new Uint8Array(0);
  /** Bytes that could not be part of any packet, dropped. */
  discardedBytes = 0;

  constructor(private readonly sensorId: string) {}

  push(characteristic: string, bytes: Uint8Array, receiveTime: number, out: ImuSample[]): DecodeResult {
    if (nobleUuid(characteristic) !== WITMOTION_NOTIFY) {
      return rejected('unknown_characteristic', `witmotion: no decoder for characteristic ${characteristic}`);
    }
    if (!Number.isFinite(receiveTime) || receiveTime < this.lastReceive) {
      return rejected('bad_time', `receive time ${receiveTime} is not finite or goes backwards`);
    }
    if (bytes.length === 0) return rejected('bad_length', 'witmotion: empty notification');
    const stream = new Uint8Array(this.pending.length + bytes.length);
    stream.set(this.pending, 0);
    stream.set(bytes, this.pending.length);
    const dataPackets: number[] = [];
    let volts: number | null = null;
    let discarded = 0;
    let p = 0;
    while (p < stream.length) {
      const isHeader = stream[p] === HEADER && (p + 1 >= stream.length || stream[p + 1] === FLAG_DATA || stream[p + 1] === FLAG_REGISTERS);
      if (!isHeader) {
        discarded++;
        p++;
        continue;
      }
      if (p + WITMOTION_PACKET_BYTES > stream.length) break; // the rest comes with the next notification
      if (stream[p + 1] === FLAG_DATA) dataPackets.push(p);
      else if ((stream[p + 2] | (stream[p + 3] << 8)) === VOLTAGE_REGISTER) volts = int16(stream, p + 4) / 100;
      p += WITMOTION_PACKET_BYTES;
    }
    this.pending = stream.slice(p);
    this.discardedBytes += discarded;
    if (dataPackets.length === 0) {
      if (volts !== null) return { kind: 'status', status: { batteryPct: witmotionBatteryPct(volts) } };
      if (discarded > 0 && this.pending.length === 0) {
        return rejected('bad_header', `witmotion: ${discarded} bytes that start no 0x55 0x61/0x71 packet, dropped`);
      }
      return { kind: 'ignored', reason: this.pending.length > 0 ? 'part of a packet (the rest comes next)' : 'register read-back (0x55 0x71)' };
    }

    this.lastReceive = receiveTime;
    const times = this.clock.stamp(dataPackets.length, receiveTime);
    const accel = (ACCEL_RANGE_G / FULL_SCALE) * STANDARD_GRAVITY;
    const gyro = (GYRO_RANGE_DPS / FULL_SCALE) * DEG;
    dataPackets.forEach((q, i) => {
      out.push({
        sensor: this.sensorId,
        t: times[i],
        ax: int16(stream, q + 2) * accel,
        ay: int16(stream, q + 4) * accel,
        az: int16(stream, q + 6) * accel,
        gx: int16(stream, q + 8) * gyro,
        gy: int16(stream, q + 10) * gyro,
        gz: int16(stream, q + 12) * gyro,
      });
    });
    return { kind: 'samples', count: dataPackets.length, framesLost: 0 };
  }
}

export const witmotionDriver: SensorDriver<'witmotion'> = {
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
