/** 6-axis orientation filter of the sensing core (VQF-class) and its quaternion helpers. */
export { OrientationFilter } from './orientation-filter.ts';
export { DEFAULT_ORIENTATION_PARAMS, VQF_PAPER_TAU_ACC_S, resolveOrientationParams } from './params.ts';
export type { OrientationParams } from './params.ts';
export {
  angleBetween,
  earthUpInSensor,
  identityQuat,
  quatFromRotationVector,
  quatMultiply,
  quatNormalize,
  quatRotate,
  quatToRotationMatrix,
  setIdentity,
} from './quaternion.ts';
export type { Quat, Vec3 } from './quaternion.ts';
