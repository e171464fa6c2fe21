/**
 * What a squatmon sensor's firmware does, as a deterministic, synchronous, time-stepped object.
 *
 * There are no timers: the caller moves true (simulation) time forward with `advanceTo`, `write` or the
 * connection calls, and gets back the notifications the firmware would have sent, each stamped with the true
 * time it left the firmware. Whether anybody is subscribed is the GATT server's business (peripheral/), not the
 * firmware's.
 *
 * Timing: samples are taken on the sensor's own clock (see sensor-clock.ts for the drift convention) every
 * nominal period, starting one period after start_stream; a frame is sent at the true time of its last sample.
 * Rate and range changes received while streaming take effect at the next frame boundary, so every frame is
 * internally consistent. Battery and temperature are measured by a housekeeping task every
 * `housekeepingPeriodS` of true time, like a fuel gauge polled at 1 Hz.
 */
import {
  ProtocolError,
  accelToCounts,
  advertisedLocalName,
  decodeControlCommand,
  encodeBatteryLevel,
  encodeControlAck,
  encodeImuFrame,
  encodeRejectionAck,
  encodeStatus,
  gyroToCounts,
  samplePeriodUs,
  samplesPerFrame,
  statusFlags,
  DEFAULT_ATT_MTU,
} from '../../shared/protocol/index.ts';
import type {
  AccelRangeG,
  ControlCommand,
  ControlStatus,
  GyroRangeDps,
  OutputRateHz,
  SensorStatus,
} from '../../shared/protocol/index.ts';
import { Battery, DEFAULT_BATTERY } from './battery.ts';
import type { BatteryConfig } from './battery.ts';
import { boardTemperatureC, DEFAULT_THERMAL } from './thermal.ts';
import type { ThermalConfig } from './thermal.ts';
import { hapticEndTime, hapticOnTimeWithin } from './haptics.ts';
import type { HapticPulseRecord } from './haptics.ts';
import { SensorClock } from './sensor-clock.ts';

/** Measured IMU readings at true time t: writes [ax, ay, az, gx, gy, gz] (m/s², rad/s); t must increase. */
export type ImuSampler = (tTrue: number, out: Float64Array) => void;

export type NotifyingCharacteristic = 'imu' | 'control' | 'status' | 'battery';
export type ReadableCharacteristic =
  | 'status'
  | 'battery'
  | 'manufacturer'
  | 'model'
  | 'serial'
  | 'firmwareRevision'
  | 'hardwareRevision';
export type WritableCharacteristic = 'control';

export interface Notification {
  /** True time at which the firmware handed the notification to its radio, s. */
  readonly t: number;
  readonly characteristic: NotifyingCharacteristic;
  readonly data: Uint8Array;
}

export interface DeviceInformation {
  readonly manufacturer: string;
  readonly model: string;
  readonly firmwareRevision: string;
  readonly hardwareRevision: string;
}

/** Latency bound of a frame: see SensorFirmwareConfig.maxFrameAgeUs. */
export const DEFAULT_MAX_FRAME_AGE_US = 20_000;

export const DEFAULT_DEVICE_INFORMATION: DeviceInformation = {
  manufacturer: 'squatmon',
  model: 'SQM-1',
  firmwareRevision: '1.0.0-sim',
  hardwareRevision: 'sim-1',
};

/** Hardware faults the sensor reports in its status flags (and acts on: a faulty part delivers nothing). */
export interface SensorFaults {
  /** The accelerometer does not answer: its counts are sent as 0. */
  readonly accel?: boolean;
  /** The gyroscope does not answer: its counts are sent as 0. */
  readonly gyro?: boolean;
  /** The motor driver reported a fault: haptic commands are refused with `unsupported`. */
  readonly haptic?: boolean;
}

export interface SensorFirmwareConfig {
  /** Serial number string ending in 4 hex digits; the advertised name is `squatmon-` + those digits. */
  readonly serial: string;
  readonly sampler: ImuSampler;
  /** Positive = the sensor clock runs fast (sensor-clock.ts). Default 0. */
  readonly clockDriftPpm?: number;
  /** Sensor clock reading at true time 0, µs, 0..2³²−1. Default 0. */
  readonly clockOffsetUs?: number;
  /** Negotiated ATT MTU, which fixes the samples per frame. Default 23 (1 sample per frame). */
  readonly attMtu?: number;
  /** Output rate at power-up. Default 100 Hz. */
  readonly rateHz?: OutputRateHz;
  /**
   * A frame is sent when it is full or when its first sample is this old, µs. Default 20 000: a depth cue is
   * never more than ~20 ms late because samples waited for a large-MTU frame to fill (docs/PROTOCOL.md §4).
   */
  readonly maxFrameAgeUs?: number;
  /** Ranges at power-up. Defaults ±8 g and ±1000 °/s. */
  readonly accelRangeG?: AccelRangeG;
  readonly gyroRangeDps?: GyroRangeDps;
  readonly battery?: Partial<BatteryConfig>;
  readonly thermal?: Partial<ThermalConfig>;
  readonly deviceInfo?: Partial<DeviceInformation>;
  readonly faults?: SensorFaults;
  /** Period of the battery/temperature measurement, s. Default 1. */
  readonly housekeepingPeriodS?: number;
  /** A status notification is sent when the temperature moved at least this much since the last one. Default 0.5 °C. */
  readonly temperatureNotifyStepC?: number;
}

/**
 * ATT error a GATT server answers a control write with when no ack can even be formed (no token, or an op
 * byte with bit 7 set, which would read as an ack): Invalid Attribute Value Length (0x0D) or Value Not
 * Allowed (0x13) in the Bluetooth Core spec.
 */
export type AttWriteError = 'invalid_attribute_value_length' | 'value_not_allowed';

export interface WriteResult {
  /** What the firmware sent up to the write, then the ack and any status change it caused. */
  readonly notifications: Notification[];
  /** Non-null when the write is refused at the ATT level (then there is no ack). */
  readonly attError: AttWriteError | null;
}

export class SensorFirmware {
  readonly serial: string;
  readonly localName: string;
  readonly clock: SensorClock;
  readonly attMtu: number;
  readonly samplesPerFrame: number;
  readonly maxFrameAgeUs: number;
  readonly deviceInfo: DeviceInformation;

  private readonly sampler: ImuSampler;
  private readonly faults: SensorFaults;
  private readonly battery: Battery;
  private readonly thermal: ThermalConfig;
  private readonly housekeepingPeriodS: number;
  private readonly temperatureNotifyStepC: number;
  private readonly sample = new Float64Array(6);
  private readonly frameCounts: Int16Array;
  private readonly haptics: HapticPulseRecord[] = [];
  private readonly identifies: number[] = [];

  private nowT = 0;
  private isStreaming = false;
  // Settings used by the frame being filled, and those that apply from the next frame boundary on.
  private rate: OutputRateHz;
  private accelRange: AccelRangeG;
  private gyroRange: GyroRangeDps;
  private pendingRate: OutputRateHz;
  private pendingAccelRange: AccelRangeG;
  private pendingGyroRange: GyroRangeDps;
  private nextSampleUs = 0;
  private frameSampleCount = 0;
  private frameFirstUs = 0;
  private nextSeq = 0;
  private nextHousekeepingT: number;
  private batteryIntegratedTo = 0;
  private temperatureC: number;
  private lastStatus: SensorStatus;
  private lastBatteryPct: number;

  constructor(config: SensorFirmwareConfig) {
    this.serial = config.serial;
    this.localName = advertisedLocalName(config.serial);
    this.sampler = config.sampler;
    this.clock = new SensorClock(config.clockOffsetUs ?? 0, config.clockDriftPpm ?? 0);
    this.attMtu = config.attMtu ?? DEFAULT_ATT_MTU;
    this.samplesPerFrame = samplesPerFrame(this.attMtu);
    this.maxFrameAgeUs = config.maxFrameAgeUs ?? DEFAULT_MAX_FRAME_AGE_US;
    this.frameCounts = new Int16Array(this.samplesPerFrame * 6);
    this.rate = this.pendingRate = config.rateHz ?? 100;
    this.accelRange = this.pendingAccelRange = config.accelRangeG ?? 8;
    this.gyroRange = this.pendingGyroRange = config.gyroRangeDps ?? 1000;
    this.battery = new Battery({ ...DEFAULT_BATTERY, ...config.battery });
    this.thermal = { ...DEFAULT_THERMAL, ...config.thermal };
    this.deviceInfo = { ...DEFAULT_DEVICE_INFORMATION, ...config.deviceInfo };
    this.faults = config.faults ?? {};
    this.housekeepingPeriodS = config.housekeepingPeriodS ?? 1;
    this.temperatureNotifyStepC = config.temperatureNotifyStepC ?? 0.5;
    this.nextHousekeepingT = this.housekeepingPeriodS;
    this.temperatureC = boardTemperatureC(this.thermal, 0);
    this.lastStatus = this.status();
    this.lastBatteryPct = this.battery.levelPct;
  }

  /** True time up to which the firmware has run. */
  get now(): number {
    return this.nowT;
  }
  get streaming(): boolean {
    return this.isStreaming;
  }
  /** Sequence number the next frame will carry. */
  get seq(): number {
    return this.nextSeq;
  }
  /** Output rate of the frame being filled (a pending set_rate shows after the next frame boundary). */
  get rateHz(): OutputRateHz {
    return this.rate;
  }
  get accelRangeG(): AccelRangeG {
    return this.accelRange;
  }
  get gyroRangeDps(): GyroRangeDps {
    return this.gyroRange;
  }
  /** Battery level as last measured by housekeeping, %. */
  get batteryPct(): number {
    return this.battery.levelPct;
  }
  /** Remaining charge as last integrated, mAh (finer than the whole-percent level). */
  get batteryRemainingMah(): number {
    return this.battery.remainingMah;
  }
  /** Every haptic pattern played, in order. */
  get hapticPulses(): readonly HapticPulseRecord[] {
    return this.haptics;
  }
  /** True times of identify commands. */
  get identifyTimes(): readonly number[] {
    return this.identifies;
  }

  /** Run the firmware up to true time `tTrue` (not before `now`). */
  advanceTo(tTrue: number): Notification[] {
    if (!(tTrue >= this.nowT)) throw new RangeError(`time went backwards: ${tTrue} < ${this.nowT}`);
    const out: Notification[] = [];
    for (;;) {
      const tSample = this.isStreaming ? this.clock.trueTimeOf(this.nextSampleUs) : Infinity;
      const tNext = Math.min(tSample, this.nextHousekeepingT);
      if (tNext > tTrue) break;
      if (tSample <= this.nextHousekeepingT) this.takeSample(tSample, out);
      else this.housekeeping(out);
    }
    this.nowT = tTrue;
    return out;
  }

  /**
   * A GATT write at true time `tTrue`. Never throws on bad bytes: a command the codec refuses is answered
   * with an ack of status invalid_parameter / unsupported, or, when not even op and token are there, with an
   * ATT error.
   */
  write(characteristic: WritableCharacteristic, bytes: Uint8Array, tTrue: number): WriteResult {
    const notifications = this.advanceTo(tTrue);
    let attError: AttWriteError | null = null;
    if (characteristic === 'control') attError = this.handleControl(bytes, tTrue, notifications);
    this.notifyStatusIfChanged(tTrue, notifications);
    return { notifications, attError };
  }

  /** The value a GATT read returns now. */
  read(characteristic: ReadableCharacteristic): Uint8Array {
    switch (characteristic) {
      case 'status':
        return encodeStatus(this.status());
      case 'battery':
        return encodeBatteryLevel(this.battery.levelPct);
      case 'manufacturer':
        return utf8(this.deviceInfo.manufacturer);
      case 'model':
        return utf8(this.deviceInfo.model);
      case 'serial':
        return utf8(this.serial);
      case 'firmwareRevision':
        return utf8(this.deviceInfo.firmwareRevision);
      case 'hardwareRevision':
        return utf8(this.deviceInfo.hardwareRevision);
    }
  }

  /**
   * The connection ended at `tTrue` (either side, or link loss). The firmware stops streaming to save power
   * and drops the frame it was filling (nobody can receive it); the sequence counter carries on, so a
   * central that reconnects and restarts the stream sees seq continue.
   */
  disconnected(tTrue: number): Notification[] {
    const out = this.advanceTo(tTrue);
    if (this.isStreaming) {
      this.integrateBattery(tTrue);
      this.isStreaming = false;
      this.frameSampleCount = 0;
      this.applyPendingSettings();
    }
    this.notifyStatusIfChanged(tTrue, out);
    return out;
  }

  /** The status the status characteristic reports now. */
  status(): SensorStatus {
    const lowBattery = this.battery.low;
    const bits = {
      accelFault: this.faults.accel === true,
      gyroFault: this.faults.gyro === true,
      // FIFO overflow does not happen in the simulated firmware: its radio always keeps up with the IMU.
      fifoOverflow: false,
      lowBattery,
      hapticFault: this.faults.haptic === true,
    };
    return {
      batteryPct: this.battery.levelPct,
      // The wire carries 0.01 °C steps; report what a read would decode to.
      temperatureC: Math.round(this.temperatureC * 100) / 100,
      flags: statusFlags(bits),
      ...bits,
      streaming: this.isStreaming,
      rateHz: this.rate,
      accelRangeG: this.accelRange,
      gyroRangeDps: this.gyroRange,
      droppedSamples: 0,
    };
  }

  private takeSample(tSample: number, out: Notification[]): void {
    this.sampler(tSample, this.sample);
    if (this.frameSampleCount === 0) this.frameFirstUs = this.nextSampleUs;
    const base = this.frameSampleCount * 6;
    const s = this.sample;
    const counts = this.frameCounts;
    for (let axis = 0; axis < 3; axis++) {
      counts[base + axis] = this.faults.accel ? 0 : accelToCounts(s[axis], this.accelRange);
      counts[base + 3 + axis] = this.faults.gyro ? 0 : gyroToCounts(s[3 + axis], this.gyroRange);
    }
    this.frameSampleCount++;
    const frameAgeUs = this.nextSampleUs - this.frameFirstUs;
    if (this.frameSampleCount === this.samplesPerFrame || frameAgeUs + samplePeriodUs(this.rate) > this.maxFrameAgeUs) {
      this.sendFrame(tSample, out);
      this.applyPendingSettings();
      this.notifyStatusIfChanged(tSample, out);
    }
    this.nextSampleUs += samplePeriodUs(this.rate);
  }

  private sendFrame(t: number, out: Notification[]): void {
    const data = encodeImuFrame({
      seq: this.nextSeq,
      timestampUs: SensorClock.wrapU32(this.frameFirstUs),
      rateHz: this.rate,
      accelRangeG: this.accelRange,
      gyroRangeDps: this.gyroRange,
      counts: this.frameCounts.slice(0, this.frameSampleCount * 6),
    });
    out.push({ t, characteristic: 'imu', data });
    this.nextSeq = (this.nextSeq + 1) & 0xffff;
    this.frameSampleCount = 0;
  }

  private applyPendingSettings(): void {
    this.rate = this.pendingRate;
    this.accelRange = this.pendingAccelRange;
    this.gyroRange = this.pendingGyroRange;
  }

  private handleControl(bytes: Uint8Array, t: number, out: Notification[]): AttWriteError | null {
    let command: ControlCommand;
    try {
      command = decodeControlCommand(bytes);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // The refusal echoes the op and token that arrived, so the central can match it to its request.
      const rejection = encodeRejectionAck(bytes);
      if (rejection === null) return bytes.length < 2 ? 'invalid_attribute_value_length' : 'value_not_allowed';
      out.push({ t, characteristic: 'control', data: rejection });
      return null;
    }
    const status = this.execute(command, t, out);
    out.push({ t, characteristic: 'control', data: encodeControlAck({ op: command.op, token: command.token, status }) });
    return null;
  }

  private execute(command: ControlCommand, t: number, out: Notification[]): ControlStatus {
    switch (command.op) {
      case 'start_stream':
        if (!this.isStreaming) {
          this.integrateBattery(t);
          this.applyPendingSettings();
          this.isStreaming = true;
          this.frameSampleCount = 0;
          // The IMU's first data-ready comes one output period after it is switched on.
          this.nextSampleUs = Math.ceil(this.clock.sensorUsAt(t)) + samplePeriodUs(this.rate);
        }
        return 'ok';
      case 'stop_stream':
        if (this.isStreaming) {
          // The samples already taken are not thrown away: a last, shorter frame carries them.
          if (this.frameSampleCount > 0) this.sendFrame(t, out);
          this.integrateBattery(t);
          this.isStreaming = false;
          this.applyPendingSettings();
        }
        return 'ok';
      case 'set_rate':
        this.pendingRate = command.rateHz;
        if (!this.isStreaming) this.applyPendingSettings();
        return 'ok';
      case 'set_ranges':
        this.pendingAccelRange = command.accelRangeG;
        this.pendingGyroRange = command.gyroRangeDps;
        if (!this.isStreaming) this.applyPendingSettings();
        return 'ok';
      case 'haptic': {
        if (this.faults.haptic) return 'unsupported';
        const playing = this.haptics[this.haptics.length - 1];
        if (playing !== undefined && hapticEndTime(playing) > t) return 'busy';
        const { token, pulses, onMs, offMs, intensityPct } = command;
        this.haptics.push({ t, token, pulses, onMs, offMs, intensityPct });
        return 'ok';
      }
      case 'identify':
        this.identifies.push(t);
        return 'ok';
    }
  }

  private housekeeping(out: Notification[]): void {
    const t = this.nextHousekeepingT;
    this.integrateBattery(t);
    this.temperatureC = boardTemperatureC(this.thermal, t);
    const pct = this.battery.levelPct;
    if (pct !== this.lastBatteryPct) {
      this.lastBatteryPct = pct;
      out.push({ t, characteristic: 'battery', data: encodeBatteryLevel(pct) });
    }
    this.notifyStatusIfChanged(t, out);
    this.nextHousekeepingT += this.housekeepingPeriodS;
  }

  /** Draw the charge used since the last integration; the streaming state must not change inside the span. */
  private integrateBattery(t: number): void {
    const from = this.batteryIntegratedTo;
    if (t <= from) return;
    const c = this.battery.config;
    let motorMaS = 0;
    for (let i = this.haptics.length - 1; i >= 0; i--) {
      const p = this.haptics[i];
      if (hapticEndTime(p) <= from) break; // patterns never overlap, so older ones ended earlier still
      motorMaS += hapticOnTimeWithin(p, from, t) * c.hapticFullIntensityMa * (p.intensityPct / 100);
    }
    const baseMa = c.idleMa + (this.isStreaming ? c.streamingMa : 0);
    this.battery.drawCharge(baseMa * (t - from) + motorMaS);
    this.batteryIntegratedTo = t;
  }

  private notifyStatusIfChanged(t: number, out: Notification[]): void {
    const now = this.status();
    const last = this.lastStatus;
    const changed =
      now.batteryPct !== last.batteryPct ||
      now.flags !== last.flags ||
      now.streaming !== last.streaming ||
      now.rateHz !== last.rateHz ||
      now.accelRangeG !== last.accelRangeG ||
      now.gyroRangeDps !== last.gyroRangeDps ||
      now.droppedSamples !== last.droppedSamples ||
      Math.abs(now.temperatureC - last.temperatureC) >= this.temperatureNotifyStepC;
    if (!changed) return;
    this.lastStatus = now;
    out.push({ t, characteristic: 'status', data: encodeStatus(now) });
  }
}

const textEncoder = new TextEncoder();
function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}
