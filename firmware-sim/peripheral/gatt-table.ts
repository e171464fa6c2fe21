/**
 * The GATT table a squatmon sensor serves (PROTOCOL-SPEC / docs/PROTOCOL.md), with ATT handles laid out as a
 * real server would: per service a declaration handle, per characteristic a declaration and a value handle,
 * and a Client Characteristic Configuration descriptor (0x2902) after every notifying characteristic.
 * UUIDs are in noble's form (lowercase, no dashes).
 */
import {
  BATTERY_LEVEL_CHAR_UUID,
  BATTERY_SERVICE_UUID,
  CONTROL_CHAR_UUID,
  DEVICE_INFO_SERVICE_UUID,
  FIRMWARE_REVISION_CHAR_UUID,
  HARDWARE_REVISION_CHAR_UUID,
  IMU_DATA_CHAR_UUID,
  MANUFACTURER_NAME_CHAR_UUID,
  MODEL_NUMBER_CHAR_UUID,
  SERIAL_NUMBER_CHAR_UUID,
  SQUATMON_SERVICE_UUID,
  STATUS_CHAR_UUID,
  nobleUuid,
} from '../../shared/protocol/index.ts';
import type {
  NotifyingCharacteristic,
  ReadableCharacteristic,
  WritableCharacteristic,
} from '../firmware/sensor-firmware.ts';

export const CCCD_UUID = '2902';

/** noble's names for characteristic properties. */
export type GattProperty = 'read' | 'write' | 'writeWithoutResponse' | 'notify';

export interface GattCharacteristic {
  readonly uuid: string;
  readonly properties: readonly GattProperty[];
  /** The firmware characteristic a read, write or notification maps to. */
  readonly reads?: ReadableCharacteristic;
  readonly writes?: WritableCharacteristic;
  readonly notifies?: NotifyingCharacteristic;
  readonly valueHandle: number;
  /** Handle of the CCCD, for notifying characteristics. */
  readonly cccdHandle?: number;
}

export interface GattService {
  readonly uuid: string;
  readonly startHandle: number;
  readonly endHandle: number;
  readonly characteristics: readonly GattCharacteristic[];
}

type CharacteristicSpec = Omit<GattCharacteristic, 'valueHandle' | 'cccdHandle'>;

const SERVICES: readonly { uuid: string; characteristics: readonly CharacteristicSpec[] }[] = [
  {
    uuid: SQUATMON_SERVICE_UUID,
    characteristics: [
      { uuid: IMU_DATA_CHAR_UUID, properties: ['notify'], notifies: 'imu' },
      { uuid: CONTROL_CHAR_UUID, properties: ['write', 'notify'], writes: 'control', notifies: 'control' },
      { uuid: STATUS_CHAR_UUID, properties: ['read', 'notify'], reads: 'status', notifies: 'status' },
    ],
  },
  {
    uuid: BATTERY_SERVICE_UUID,
    characteristics: [{ uuid: BATTERY_LEVEL_CHAR_UUID, properties: ['read', 'notify'], reads: 'battery', notifies: 'battery' }],
  },
  {
    uuid: DEVICE_INFO_SERVICE_UUID,
    characteristics: [
      { uuid: MANUFACTURER_NAME_CHAR_UUID, properties: ['read'], reads: 'manufacturer' },
      { uuid: MODEL_NUMBER_CHAR_UUID, properties: ['read'], reads: 'model' },
      { uuid: SERIAL_NUMBER_CHAR_UUID, properties: ['read'], reads: 'serial' },
      { uuid: FIRMWARE_REVISION_CHAR_UUID, properties: ['read'], reads: 'firmwareRevision' },
      { uuid: HARDWARE_REVISION_CHAR_UUID, properties: ['read'], reads: 'hardwareRevision' },
    ],
  },
];

function layOut(): GattService[] {
  // Handle 1..5 belong to the mandatory GAP service on real devices; start after them.
  let handle = 6;
  return SERVICES.map((service) => {
    const startHandle = handle++;
    const characteristics = service.characteristics.map((spec): GattCharacteristic => {
      handle++; // characteristic declaration
      const valueHandle = handle++;
      const notifying = spec.notifies !== undefined;
      const cccdHandle = notifying ? handle++ : undefined;
      return { ...spec, uuid: nobleUuid(spec.uuid), valueHandle, ...(cccdHandle === undefined ? {} : { cccdHandle }) };
    });
    return { uuid: nobleUuid(service.uuid), startHandle, endHandle: handle - 1, characteristics };
  });
}

export const SQUATMON_GATT: readonly GattService[] = layOut();

export function findService(serviceUuid: string): GattService | undefined {
  const uuid = nobleUuid(serviceUuid);
  return SQUATMON_GATT.find((s) => s.uuid === uuid);
}

export function findCharacteristic(serviceUuid: string, characteristicUuid: string): GattCharacteristic | undefined {
  const uuid = nobleUuid(characteristicUuid);
  return findService(serviceUuid)?.characteristics.find((c) => c.uuid === uuid);
}

/** The characteristic whose value or CCCD has this handle, with its service. */
export function findByHandle(
  handle: number,
): { service: GattService; characteristic: GattCharacteristic; isCccd: boolean } | undefined {
  for (const service of SQUATMON_GATT) {
    for (const characteristic of service.characteristics) {
      if (characteristic.valueHandle === handle) return { service, characteristic, isCccd: false };
      if (characteristic.cccdHandle === handle) return { service, characteristic, isCccd: true };
    }
  }
  return undefined;
}

/** Where a firmware notification goes in the table. */
export function findNotifying(
  notifies: NotifyingCharacteristic,
): { service: GattService; characteristic: GattCharacteristic } {
  for (const service of SQUATMON_GATT) {
    for (const characteristic of service.characteristics) {
      if (characteristic.notifies === notifies) return { service, characteristic };
    }
  }
  throw new Error(`no characteristic notifies ${notifies}`);
}
