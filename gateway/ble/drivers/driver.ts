/**
 * One interface for every supported BLE IMU. A driver is declarative: it says how to recognise the sensor in an
 * advertisement, which GATT characteristics to subscribe to and read, and which bytes to write to start it; the
 * BLE transport does the talking. Its decoder is a pure function of the notifications it is fed (plus its own
 * stream state): it turns bytes into ImuSamples on the gateway clock (docs/INTERFACES.md §1 units and axes), never
 * throws, and never emits a sample it could not fully validate.
 *
 * UUIDs are in noble's form throughout: lowercase hex without dashes (`nobleUuid()` converts).
 */
import type { ImuSample } from '../../../shared/imu.ts';
import type { OutputRateHz, ProtocolErrorCode } from '../../../shared/protocol/index.ts';

/** What a scan reports about a peripheral; fields as noble's `peripheral.advertisement` gives them. */
export interface Advertisement {
  readonly localName?: string;
  readonly serviceUuids: readonly string[];
  readonly manufacturerData?: Uint8Array;
}

/** One GATT write. */
export interface GattWrite {
  readonly service: string;
  readonly characteristic: string;
  readonly data: Uint8Array;
  /** true: ATT Write Command (no response); false: Write Request, wait for the Write Response. */
  readonly withoutResponse: boolean;
  /** Wait this long after the write before the next one (a sensor that handles one command at a time), ms. */
  readonly delayAfterMs?: number;
}

export interface GattPlan {
  /** The sensor's primary service (the one it is identified by). */
  readonly service: string;
  /** Characteristics to enable notifications on, in this order, before the start writes. All must exist. */
  readonly notify: readonly string[];
  /**
   * Characteristics to read once after connecting (and, if the transport likes, again now and then, e.g. a
   * battery level every minute); each value goes to the decoder like a notification. Optional: a missing one is
   * skipped without failing the connection.
   */
  readonly read: readonly string[];
  /** Writes that configure and start streaming, in order, after notifications are enabled. */
  readonly startWrites: readonly GattWrite[];
}

/** A vibration cue (the squatmon control command's parameters, docs/PROTOCOL.md §6). */
export interface HapticPattern {
  readonly pulses: number;
  readonly onMs: number;
  readonly offMs: number;
  readonly intensityPct: number;
}

export type DecodeErrorCode =
  | ProtocolErrorCode
  | 'unknown_characteristic'
  | 'bad_header'
  | 'bad_padding'
  | 'bad_time';

/** Why a notification was refused. A plain value, never thrown. */
export interface DecodeError {
  readonly code: DecodeErrorCode;
  readonly message: string;
}

/** Non-sample facts a sensor reported. A field that is absent was not in this notification. */
export interface DeviceStatus {
  /** 0..100, or null when the sensor says it does not know. */
  readonly batteryPct?: number | null;
  /** Output rate the sensor reports, Hz. */
  readonly rateHz?: number;
  /** Problems the sensor flags (e.g. `accel_fault`, `low_battery`), for the log and the dashboard. */
  readonly warnings?: readonly string[];
}

export type DecodeResult =
  /** `count` samples were appended to `out`; `framesLost` notifications (or samples, for sensors that only
   *  have a clock) are known to be missing before them. */
  | { readonly kind: 'samples'; readonly count: number; readonly framesLost: number }
  /** A repeat of data already decoded: dropped. */
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'status'; readonly status: DeviceStatus }
  /** The sensor's answer to a command written earlier (squatmon control acks). */
  | { readonly kind: 'ack'; readonly command: string; readonly token: number; readonly ok: boolean; readonly detail: string }
  /** A valid notification that carries nothing the gateway uses (e.g. a WitMotion register read-back). */
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'rejected'; readonly error: DecodeError };

/** One sensor's stream state. Create a new one for every connection. */
export interface SensorDecoder {
  /**
   * Decodes one notification (or read value) of `characteristic` that arrived at `receiveTime` (gateway clock,
   * seconds) and appends its samples, if any, to `out`. Never throws; on rejection `out` is unchanged.
   */
  push(characteristic: string, bytes: Uint8Array, receiveTime: number, out: ImuSample[]): DecodeResult;
}

/** A sensor family's driver; `N` is its name, as configs and stored athletes give it (the registry lists them). */
export interface SensorDriver<N extends string = string> {
  readonly name: N;
  /** Human-readable sensor family, for logs and the dashboard. */
  readonly label: string;
  matches(adv: Advertisement): boolean;
  readonly gatt: GattPlan;
  /** The start writes for another output rate than the default one, when the sensor's rate can be set. */
  readonly startWritesAt?: (rateHz: OutputRateHz) => readonly GattWrite[];
  createDecoder(sensorId: string): SensorDecoder;
  /** The write that plays `pattern` (token: the command counter), or null when the pattern is out of range.
   *  Absent on sensors without a vibration motor. */
  readonly haptic?: (pattern: HapticPattern, token: number) => GattWrite | null;
}

export function rejected(code: DecodeErrorCode, message: string): DecodeResult {
  return { kind: 'rejected', error: { code, message } };
}
