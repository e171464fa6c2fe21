export { CCCD_UUID, SQUATMON_GATT, findByHandle, findCharacteristic, findNotifying, findService } from './gatt-table.ts';
export type { GattCharacteristic, GattProperty, GattService } from './gatt-table.ts';
export { DISCONNECT_REASON, VirtualBleBinding, VirtualSensor } from './virtual-ble-binding.ts';
export type { ConnectionState, VirtualBleBindingOptions, VirtualSensorOptions } from './virtual-ble-binding.ts';
