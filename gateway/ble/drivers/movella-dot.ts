/**
 * Movella DOT (formerly Xsens DOT), from Movella's "Movella DOT BLE Service Specification" (XD0506P rev. C,
 * July 2023):
 *
 * - UUIDs 1517xxxx-4947-11e9-8646-d663bd873d93; all fields little-endian.
 * - Measurement service 0x2000: control 0x2001 (write `[type 1 = measurement, action 1 = start, payload mode]`),
 *   long/medium/short payload notifications 0x2002/0x2003/0x2004 (> 40, 21–40, ≤ 20 bytes; trailing unused
 *   bytes are 0x00).
 * - Payload mode 21 "Rate quantities", medium payload, 28 bytes: timestamp u32 µs (sensor clock), acceleration
 *   float32 x y z ("calibrated acceleration in sensor coordinate", m/s², gravity included — i.e. specific
 *   force, unlike the "free acceleration" of most other modes), angular velocity float32 x y z (°/s).
 * - Configuration service 0x1000, device control 0x1002 (32 bytes: visit-index bitmask, …, output rate u16 at
 *   offset 24): real-time streaming rates 1–60 Hz (120 Hz is for on-sensor recording only); cannot be changed
 *   once a measurement runs, so it is written before the start.
 * - Battery service 0x3000, characteristic 0x3001: level % u8, charging u8.
 * - Advertising: name "Movella DOT" (firmware 2.x; "Xsens DOT" before), company identifier 2182 = 0x0886.
 *
 * The DOT has a microsecond clock but no counter, so duplicates are timestamps that do not advance and losses
 * are timestamp gaps counted in sample periods. Sample times: the sensor clock mapped onto the receive clock
 * (ClockMapper), as for squatmon's own sensors.
 */
import type { ImuSample } from '../../../shared/imu.ts';
import { DEG } from '../../../shared/imu.ts';
import { nobleUuid } from '../../../shared/protocol/index.ts';
import { ClockMapper } from '../../ingest/clock-mapper.ts';
import { TimestampUnwrapper } from '../../ingest/timestamp-unwrapper.ts';
import { rejected } from './driver.ts';
import type { Advertisement, DecodeResult, SensorDecoder, SensorDriver } from './driver.ts';

const dotUuid = (short16: string): string => `1517${short16}494711e98646d663bd873d93`;

export const DOT_CONFIGURATION_SERVICE = dotUuid('1000');
export const DOT_DEVICE_CONTROL = dotUuid('1002');
export const DOT_MEASUREMENT_SERVICE = dotUuid('2000');
export const DOT_MEASUREMENT_CONTROL = dotUuid('2001');
export const DOT_MEDIUM_PAYLOAD = dotUuid('2003');
export const DOT_BATTERY = dotUuid('3001');
const MOVELLA_COMPANY_ID = 0x0886;

export const DOT_PAYLOAD_RATE_QUANTITIES = 21;
export const DOT_RATE_QUANTITIES_BYTES = 28;
/** The medium payload characteristic's size; shorter payloads are padded with zeros up to it. */
const MEDIUM_PAYLOAD_MAX_BYTES = 40;
export const DOT_RATE_HZ = 60;

/** The sensor's own full scale is ±16 g and ±2000 °/s; anything far beyond is not a measurement. */
const MAX_PLAUSIBLE_ACCEL = 2 * 16 * 9.80665;
const MAX_PLAUSIBLE_GYRO_DPS = 2 * 2000;

function deviceControlSetRate(rateHz: number): Uint8Array {
  const data = new Uint8Array(32);
  data[0] = 1 << 4; // visit index: only the output-rate field applies
  data[24] = rateHz & 0xff;
  data[25] = rateHz >>> 8;
  return data;
}

class MovellaDotDecoder implements SensorDecoder {
  private readonly unwrapper = new TimestampUnwrapper();
  private readonly clock = new ClockMapper();
  private lastSensorTime: number | null = null;
  /** The smallest step between consecutive timestamps so far: the sample period, measured rather than assumed
   *  (a rate write that did not take effect must not turn every sample into a "loss"). */
  private period: number | null = null;

  constructor(private readonly sensorId: string) {}

  push(characteristic: string, bytes: Uint8Array, receiveTime: number, out: ImuSample[]): DecodeResult {
    const uuid = nobleUuid(characteristic);
    if (uuid === DOT_BATTERY) {
      if (bytes.length !== 2 || bytes[0] > 100 || bytes[1] > 1) {
        return rejected('bad_value', 'DOT battery: expected [level 0..100, charging 0/1]');
      }
      return { kind: 'status', status: { batteryPct: bytes[0] } };
    }
    if (uuid !== DOT_MEDIUM_PAYLOAD) {
      return rejected('unknown_characteristic', `movella-dot: no decoder for characteristic ${characteristic}`);
    }
    if (bytes.length < DOT_RATE_QUANTITIES_BYTES || bytes.length > MEDIUM_PAYLOAD_MAX_BYTES) {
      return rejected('bad_length', `DOT rate quantities: ${bytes.length} bytes, expected 28 (or up to 40 zero-padded)`);
    }
    for (let i = DOT_RATE_QUANTITIES_BYTES; i < bytes.length; i++) {
      // Non-zero bytes after the 28 are another payload mode's data (e.g. mode 20 adds the magnetic field).
      if (bytes[i] !== 0) return rejected('bad_padding', `DOT rate quantities: byte ${i} is not zero padding`);
    }
    if (!Number.isFinite(receiveTime)) return rejected('bad_time', `receive time ${receiveTime} is not finite`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const values: number[] = [];
    for (let k = 0; k < 6; k++) values.push(view.getFloat32(4 + 4 * k, true));
    for (let k = 0; k < 6; k++) {
      const limit = k < 3 ? MAX_PLAUSIBLE_ACCEL : MAX_PLAUSIBLE_GYRO_DPS;
      if (!(Math.abs(values[k]) <= limit)) {
        return rejected('bad_value', `DOT rate quantities: ${k < 3 ? 'acceleration' : 'angular velocity'} ${values[k]} out of range`);
      }
    }

    const sensorTime = this.unwrapper.unwrap(view.getUint32(0, true));
    let framesLost = 0;
    if (this.lastSensorTime !== null) {
      const step = sensorTime - this.lastSensorTime;
      if (step <= 0) return { kind: 'duplicate' };
      this.period = this.period === null ? step : Math.min(this.period, step);
      framesLost = Math.max(0, Math.round(step / this.period) - 1);
    }
    this.lastSensorTime = sensorTime;
    this.clock.observe(sensorTime, receiveTime);
    out.push({
      sensor: this.sensorId,
      t: this.clock.map(sensorTime),
      ax: values[0],
      ay: values[1],
      az: values[2],
      gx: values[3] * DEG,
      gy: values[4] * DEG,
      gz: values[5] * DEG,
    });
    return { kind: 'samples', count: 1, framesLost };
  }
}

function hasMovellaCompanyId(data: Uint8Array | undefined): boolean {
  return data !== undefined && data.length >= 2 && (data[0] | (data[1] << 8)) === MOVELLA_COMPANY_ID;
}

export const movellaDotDriver: SensorDriver<'movella-dot'> = {
  name: 'movella-dot',
  label: 'Movella DOT',
  matches(adv: Advertisement): boolean {
    const name = adv.localName?.toLowerCase() ?? '';
    return name === 'movella dot' || name === 'xsens dot' || hasMovellaCompanyId(adv.manufacturerData);
  },
  gatt: {
    service: DOT_MEASUREMENT_SERVICE,
    notify: [DOT_MEDIUM_PAYLOAD],
    read: [DOT_BATTERY],
    // The spec's order: notifications on, output rate (only settable while stopped), then start.
    startWrites: [
      {
        service: DOT_CONFIGURATION_SERVICE,
        characteristic: DOT_DEVICE_CONTROL,
        data: deviceControlSetRate(DOT_RATE_HZ),
        withoutResponse: false,
      },
      {
        service: DOT_MEASUREMENT_SERVICE,
        characteristic: DOT_MEASUREMENT_CONTROL,
        data: Uint8Array.of(1, 1, DOT_PAYLOAD_RATE_QUANTITIES),
        withoutResponse: false,
      },
    ],
  },
  createDecoder: (sensorId) => new MovellaDotDecoder(sensorId),
};
