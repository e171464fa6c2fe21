export { Battery, DEFAULT_BATTERY } from './battery.ts';
export type { BatteryConfig } from './battery.ts';
export { hapticEndTime, hapticOnTimeWithin } from './haptics.ts';
export type { HapticPulseRecord } from './haptics.ts';
export { SensorClock, U32_RANGE } from './sensor-clock.ts';
export { boardTemperatureC, DEFAULT_THERMAL } from './thermal.ts';
export type { ThermalConfig } from './thermal.ts';
export { DEFAULT_DEVICE_INFORMATION, SensorFirmware } from './sensor-firmware.ts';
export type {
  AttWriteError,
  DeviceInformation,
  ImuSampler,
  Notification,
  NotifyingCharacteristic,
  ReadableCharacteristic,
  SensorFaults,
  SensorFirmwareConfig,
  WritableCharacteristic,
  WriteResult,
} from './sensor-firmware.ts';
