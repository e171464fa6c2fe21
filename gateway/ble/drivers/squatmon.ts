/**
 * squatmon's own sensors (docs/PROTOCOL.md): IMU frames through SensorSampleStream (sequence numbers and
 * sensor timestamps), status and control acks through the shared codec, vibration cues through the control
 * characteristic.
 */
import type { ImuSample } from '../../../shared/imu.ts';
import {
  CONTROL_CHAR_UUID,
  IMU_DATA_CHAR_UUID,
  LOCAL_NAME_PREFIX,
  ProtocolError,
  SQUATMON_SERVICE_UUID,
  STATUS_CHAR_UUID,
  decodeControlAck,
  decodeStatus,
  encodeControlCommand,
  nobleUuid,
} from '../../../shared/protocol/index.ts';
import type { OutputRateHz, SensorStatus } from '../../../shared/protocol/index.ts';
import { SensorSampleStream } from '../../ingest/sensor-sample-stream.ts';
import { rejected } from './driver.ts';
import type { Advertisement, DecodeResult, GattWrite, HapticPattern, SensorDecoder, SensorDriver } from './driver.ts';

const SERVICE = nobleUuid(SQUATMON_SERVICE_UUID);
const IMU = nobleUuid(IMU_DATA_CHAR_UUID);
const CONTROL = nobleUuid(CONTROL_CHAR_UUID);
const STATUS = nobleUuid(STATUS_CHAR_UUID);

/** What the gateway asks for (§10 step 6) unless the sensor's configuration names another rate: 200 Hz is the
 *  rate the sensing core is tuned for; ±8 g and ±1000 °/s leave headroom over a loaded squat (well under 3 g
 *  and 500 °/s at the sacrum). */
export const SQUATMON_DEFAULT_RATE_HZ = 200;

function startWrites(rateHz: OutputRateHz): GattWrite[] {
  return [
    encodeControlCommand({ op: 'set_rate', token: 0, rateHz }),
    encodeControlCommand({ op: 'set_ranges', token: 1, accelRangeG: 8, gyroRangeDps: 1000 }),
    encodeControlCommand({ op: 'start_stream', token: 2 }),
  ].map((data) => ({ service: SERVICE, characteristic: CONTROL, data, withoutResponse: false }));
}

function statusWarnings(status: SensorStatus): string[] {
  const warnings: string[] = [];
  if (status.accelFault) warnings.push('accel_fault');
  if (status.gyroFault) warnings.push('gyro_fault');
  if (status.fifoOverflow) warnings.push(`fifo_overflow (${status.droppedSamples} samples dropped)`);
  if (status.lowBattery) warnings.push('low_battery');
  if (status.hapticFault) warnings.push('haptic_fault');
  return warnings;
}

/** Runs a codec decoder, turning its ProtocolError into a rejection. */
function decodeOrReject<T>(decode: () => T, onValue: (value: T) => DecodeResult): DecodeResult {
  let value: T;
  try {
    value = decode();
  } catch (err) {
    if (err instanceof ProtocolError) return rejected(err.code, err.message);
    throw err;
  }
  return onValue(value);
}

class SquatmonDecoder implements SensorDecoder {
  private readonly stream: SensorSampleStream;

  constructor(sensorId: string) {
    this.stream = new SensorSampleStream(sensorId);
  }

  push(characteristic: string, bytes: Uint8Array, receiveTime: number, out: ImuSample[]): DecodeResult {
    switch (nobleUuid(characteristic)) {
      case IMU:
        return this.pushImu(bytes, receiveTime, out);
      case STATUS:
        return decodeOrReject(
          () => decodeStatus(bytes),
          (s) => ({ kind: 'status', status: { batteryPct: s.batteryPct, rateHz: s.rateHz, warnings: statusWarnings(s) } }),
        );
      case CONTROL:
        return decodeOrReject(
          () => decodeControlAck(bytes),
          (ack) => ({ kind: 'ack', command: ack.op, token: ack.token, ok: ack.status === 'ok', detail: ack.status }),
        );
      default:
        return rejected('unknown_characteristic', `squatmon: no decoder for characteristic ${characteristic}`);
    }
  }

  private pushImu(bytes: Uint8Array, receiveTime: number, out: ImuSample[]): DecodeResult {
    if (!Number.isFinite(receiveTime)) return rejected('bad_time', `receive time ${receiveTime} is not finite`);
    const result = this.stream.push(bytes, receiveTime, out);
    switch (result.kind) {
      case 'samples':
        return { kind: 'samples', count: result.count, framesLost: result.missingFrames };
      case 'duplicate':
        return { kind: 'duplicate' };
      case 'rejected':
        return rejected(result.error.code, result.error.message);
    }
  }
}

function hapticWrite(pattern: HapticPattern, token: number): GattWrite | null {
  try {
    const data = encodeControlCommand({ op: 'haptic', token, ...pattern });
    return { service: SERVICE, characteristic: CONTROL, data, withoutResponse: false };
  } catch (err) {
    if (err instanceof ProtocolError) return null;
    throw err;
  }
}

export const squatmonDriver: SensorDriver<'squatmon'> = {
  name: 'squatmon',
  label: 'squatmon IMU',
  matches(adv: Advertisement): boolean {
    return adv.serviceUuids.some((u) => nobleUuid(u) === SERVICE) || (adv.localName?.startsWith(LOCAL_NAME_PREFIX) ?? false);
  },
  gatt: {
    service: SERVICE,
    // §10 step 5: control first (so no ack is missed), then status, then the data.
    notify: [CONTROL, STATUS, IMU],
    read: [STATUS],
    startWrites: startWrites(SQUATMON_DEFAULT_RATE_HZ),
  },
  startWritesAt: startWrites,
  createDecoder: (sensorId) => new SquatmonDecoder(sensorId),
  haptic: hapticWrite,
};
