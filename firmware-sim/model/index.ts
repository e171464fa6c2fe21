/**
 * squatmon simulator — biomechanical squat model, physically derived IMU readings and per-rep ground truth.
 *
 * Frames and conventions (docs/INTERFACES.md §1–2): earth z up, x the athlete's forward direction, y left. Each
 * sensor lies flat on the skin, its z axis the outward skin normal; its clip angle (rotation about z) is drawn
 * from the seed unless fixed. Sensor frame = skin patch · Ry(mountPitch) · Rx(mountRoll) · Rz(clip), where the
 * patch frame has x up along the skin and is Ry(θ − 90°) in earth axes for skin inclination θ; so a sensor's
 * standing θ = asin(sin(θ_anatomical + mountPitch) · cos(mountRoll)). Quaternions are [w, x, y, z] rotating
 * sensor-frame vectors into earth. Specific force f = Rᵀ(a + g·ẑ) with g = STANDARD_GRAVITY; [ω]× = RᵀṘ.
 *
 * Usage:
 *   const set = buildSquatSet({ profile: ATHLETE_PROFILES['neutral-wink'], seed: 1, reps: 5, sensors: 'both' });
 *   set.sensors            // [{ id: 'S1', placement: 'thoracolumbar', clipAngleDeg, ... }, { id: 'S2', placement: 'sacrum', ... }]
 *   set.measuredImu(i, t, out6)   // [ax, ay, az, gx, gy, gz] with sensor errors; t increasing per sensor
 *   set.idealImu(i, t, out6)      // same, noise-free; any t
 *   set.pose(i, t, outQuat)       // true orientation
 *   set.truth                     // JSON-serialisable SetTruth (reps, movements, session values)
 *
 * Not modelled here (the firmware layer's job): sampling clocks and drift, BLE frames, int16 quantisation,
 * link faults. Not modelled at all: soft-tissue wobble of the skin under the sensor, temperature effects.
 */
export { SquatSet, buildSquatSet } from './squat-set.ts';
export type { SimSensor, SquatSetOptions } from './squat-set.ts';
export { ATHLETE_PROFILES, profileByName, profileFromSeed } from './profiles.ts';
export type { AthleteProfile } from './profiles.ts';
export { DEFAULT_IMU_ERRORS, IDEAL_IMU_ERRORS, ImuErrorModel } from './imu-errors.ts';
export type { ImuErrorParams } from './imu-errors.ts';
export { STANDING_REFERENCE_WINDOW_S, TRUTH_STEP_S } from './truth.ts';
export type { MovementTruth, RepTruth, SetTruth } from './truth.ts';
export type { TruthSensor } from './truth.ts';
export type { SensorFace } from './rig.ts';
export type { RepTempo } from './script.ts';
export type { SwayTerm } from './motion.ts';
