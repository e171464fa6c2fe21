/** The squatmon IMU GATT profile v1 codec: pure functions from values to bytes and back (docs/PROTOCOL.md). */
export * from './profile.ts';
export * from './errors.ts';
export * from './imu-frame.ts';
export * from './control.ts';
export * from './status.ts';
